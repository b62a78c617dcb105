/* The notifier process (lf-notify): delivers the outbox to WeCom group robots and signed
 * webhooks, at least once each, with retries and backoff, outside every request's path. */
#ifndef LANDFORM_NOTIFY_H
#define LANDFORM_NOTIFY_H

struct config;

/* LISTEN on landform_outbox and tick every notify_interval ms until SIGTERM; in-flight
 * sends get a short grace, then the rest are handed back. Exit status returned. */
int notify_run(const struct config *c);

#endif
