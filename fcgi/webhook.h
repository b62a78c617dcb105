/* Outgoing HTTP POSTs for the notifier, many at once: libcurl lives here and nowhere else.
 * One slow or dead receiver only ever holds its own transfers; every transfer has a connect
 * and a total timeout. */
#ifndef LANDFORM_WEBHOOK_H
#define LANDFORM_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

struct webhook;

struct webhook_options {
	long connect_timeout_ms;
	long timeout_ms; /* whole transfer, connect included */
	const char *user_agent;
};

/* One POST. Everything is copied by webhook_add; the caller may free it right after. */
struct webhook_request {
	const char *url;
	const char *body;
	size_t len;
	const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
	unsigned long tag;          /* the caller's, handed back in the result */
};

/* A finished transfer. body points into the client and is valid until the next
 * webhook_next or webhook_free. */
struct webhook_result {
	unsigned long tag;
	bool answered; /* a response arrived (status is set); false: error says why */
	long status;
	long ms;          /* from webhook_add to the end */
	char error[200];  /* libcurl's reason, without the URL (it may hold a key) */
	const char *body; /* the first WEBHOOK_BODY_MAX bytes of the answer, NUL-terminated */
	size_t len;
};

#define WEBHOOK_BODY_MAX 4096

/* Start a client (initialises libcurl in this process). NULL with err when libcurl cannot
 * start. The caller frees with webhook_free, which abandons transfers still running. */
struct webhook *webhook_new(const struct webhook_options *o, char *err, size_t errsz);
void webhook_free(struct webhook *w);

/* Start a POST now; false with err when libcurl refuses it (a malformed URL, out of memory). */
bool webhook_add(struct webhook *w, const struct webhook_request *r, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Move transfers along, waiting up to timeout_ms for network activity or for fd (-1: none)
 * to become readable; *fd_ready tells which. Returns at once when a signal arrives. */
void webhook_wait(struct webhook *w, int fd, int timeout_ms, bool *fd_ready);

/* The next finished transfer, or false when none is waiting to be collected. */
bool webhook_next(struct webhook *w, struct webhook_result *out)
    __attribute__((warn_unused_result));

/* Transfers started and not yet collected with webhook_next. */
int webhook_running(const struct webhook *w);

/* Stop every running transfer (shutting down); each comes back from webhook_next with
 * answered false and error "abandoned". */
void webhook_abandon(struct webhook *w);

#endif
