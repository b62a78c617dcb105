/* libcurl lives here and nowhere else: POSTs run side by side in one multi handle, so a slow
 * receiver costs a slot, never the loop; the notifier only sees tags and results. */
#include "webhook.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

struct xfer {
	struct xfer *next;
	CURL *easy;
	struct curl_slist *headers;
	unsigned long tag;
	long long t0;
	bool abandoned;
	size_t len;
	char body[WEBHOOK_BODY_MAX + 1];
	char errbuf[CURL_ERROR_SIZE];
};

struct webhook {
	CURLM *multi;
	struct webhook_options opt;
	char *user_agent;
	struct xfer *running; /* started, not yet handed back */
	int count;
	struct xfer *handed; /* the last result's transfer, freed on the next call */
};

struct webhook *
webhook_new(const struct webhook_options *o, char *err, size_t errsz)
{
	struct webhook *w;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errsz, "libcurl did not initialise");
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->multi = curl_multi_init()) == NULL) {
		snprintf(err, errsz, "libcurl: out of memory");
		free(w);
		curl_global_cleanup();
		return NULL;
	}
	w->opt = *o;
	w->user_agent = strdup(o->user_agent ? o->user_agent : "landform");
	if (w->user_agent == NULL)
		abort();
	w->opt.user_agent = w->user_agent;
	return w;
}

static void
xfer_free(struct webhook *w, struct xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		curl_multi_remove_handle(w->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	free(x);
}

void
webhook_free(struct webhook *w)
{
	struct xfer *x, *next;

	if (w == NULL)
		return;
	for (x = w->running; x != NULL; x = next) {
		next = x->next;
		xfer_free(w, x);
	}
	xfer_free(w, w->handed);
	curl_multi_cleanup(w->multi);
	free(w->user_agent);
	free(w);
	curl_global_cleanup();
}

/* Keep the start of the answer (WeCom's errcode is in the first bytes); drop the rest. */
static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t total = size * n, room = WEBHOOK_BODY_MAX - x->len;

	if (room > 0) {
		size_t take = total < room ? total : room;

		memcpy(x->body + x->len, p, take);
		x->len += take;
		x->body[x->len] = '\0';
	}
	return total;
}

bool
webhook_add(struct webhook *w, const struct webhook_request *r, char *err, size_t errsz)
{
	struct xfer *x = calloc(1, sizeof(*x));
	CURLcode rc = CURLE_OK;
	CURLMcode mrc;

	if (x == NULL || (x->easy = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "libcurl: out of memory");
		free(x);
		return false;
	}
	x->tag = r->tag;
	/* An empty Expect: stops libcurl from waiting for "100 Continue" on larger bodies. */
	x->headers = curl_slist_append(NULL, "Expect:");
	for (size_t i = 0; r->headers != NULL && r->headers[i] != NULL && x->headers != NULL; i++)
		x->headers = curl_slist_append(x->headers, r->headers[i]);
	if (x->headers == NULL) {
		snprintf(err, errsz, "libcurl: out of memory");
		goto failed;
	}
#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (rc == CURLE_OK)                                                                \
			rc = curl_easy_setopt(x->easy, opt, val);                                  \
	} while (0)
	SET(CURLOPT_URL, r->url);
	SET(CURLOPT_PRIVATE, x);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
	SET(CURLOPT_COPYPOSTFIELDS, r->body);
	SET(CURLOPT_HTTPHEADER, x->headers);
	SET(CURLOPT_USERAGENT, w->opt.user_agent);
	SET(CURLOPT_CONNECTTIMEOUT_MS, w->opt.connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, w->opt.timeout_ms);
	SET(CURLOPT_WRITEFUNCTION, on_data);
	SET(CURLOPT_WRITEDATA, x);
#undef SET
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "libcurl: %s", curl_easy_strerror(rc));
		goto failed;
	}
	mrc = curl_multi_add_handle(w->multi, x->easy);
	if (mrc != CURLM_OK) {
		snprintf(err, errsz, "libcurl: %s", curl_multi_strerror(mrc));
		goto failed;
	}
	x->t0 = clock_ms();
	x->next = w->running;
	w->running = x;
	w->count++;
	return true;
failed:
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
	curl_slist_free_all(x->headers);
	free(x);
	return false;
}

void
webhook_wait(struct webhook *w, int fd, int timeout_ms, bool *fd_ready)
{
	struct curl_waitfd extra = {.fd = fd, .events = CURL_WAIT_POLLIN};
	int running, numfds;

	*fd_ready = false;
	/* curl_multi_poll returns early when a transfer needs attention, and treats EINTR as
	 * a wake-up, so SIGTERM is seen at once. */
	(void)curl_multi_poll(w->multi, fd >= 0 ? &extra : NULL, fd >= 0 ? 1 : 0,
	                      timeout_ms > 0 ? timeout_ms : 0, &numfds);
	*fd_ready = fd >= 0 && (extra.revents & CURL_WAIT_POLLIN) != 0;
	(void)curl_multi_perform(w->multi, &running);
}

static void
unlink_xfer(struct webhook *w, struct xfer *x)
{
	for (struct xfer **p = &w->running; *p != NULL; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			w->count--;
			return;
		}
}

/* libcurl's words for a failure, cut before any '?' so a URL's query (a WeCom key) never
 * reaches a log or the database. */
static void
set_error(struct webhook_result *out, const struct xfer *x, CURLcode rc)
{
	const char *msg = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);

	snprintf(out->error, sizeof(out->error), "%.*s", (int)sizeof(out->error) - 1, msg);
	out->error[strcspn(out->error, "?\n")] = '\0';
}

bool
webhook_next(struct webhook *w, struct webhook_result *out)
{
	struct xfer *x = NULL;
	CURLMsg *msg;
	int left;

	xfer_free(w, w->handed);
	w->handed = NULL;
	memset(out, 0, sizeof(*out));
	for (struct xfer *a = w->running; a != NULL; a = a->next)
		if (a->abandoned) {
			x = a;
			break;
		}
	if (x != NULL) {
		unlink_xfer(w, x);
		snprintf(out->error, sizeof(out->error), "abandoned");
	} else {
		while ((msg = curl_multi_info_read(w->multi, &left)) != NULL) {
			char *priv = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
			x = (struct xfer *)priv;
			unlink_xfer(w, x);
			if (msg->data.result == CURLE_OK) {
				out->answered = true;
				curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &out->status);
			} else {
				set_error(out, x, msg->data.result);
			}
			break;
		}
		if (x == NULL)
			return false;
	}
	out->tag = x->tag;
	out->ms = (long)(clock_ms() - x->t0);
	out->body = x->body;
	out->len = x->len;
	w->handed = x;
	return true;
}

int
webhook_running(const struct webhook *w)
{
	return w->count;
}

void
webhook_abandon(struct webhook *w)
{
	for (struct xfer *x = w->running; x != NULL; x = x->next) {
		if (x->easy != NULL) {
			curl_multi_remove_handle(w->multi, x->easy);
			curl_easy_cleanup(x->easy);
			x->easy = NULL;
		}
		x->abandoned = true;
	}
}
