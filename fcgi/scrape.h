/* GET /metrics in the Prometheus text format, to the addresses metrics_allow names. */
#ifndef LANDFORM_SCRAPE_H
#define LANDFORM_SCRAPE_H

struct request;

/* 403 to anyone else; the counters always, the database's gauges when it answers in time. */
void scrape_handle(struct request *r);

#endif
