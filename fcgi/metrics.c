/* Prometheus text format 0.0.4 from landformd's counters and the database's gauges; no I/O, so
 * the exposition is unit-tested byte for byte. */
#include "metrics.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double metrics_duration_bounds[METRICS_DURATION_BUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};
const unsigned metrics_batch_bounds[METRICS_BATCH_BUCKETS] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };

static const char *const kind_names[METRICS_KIND_COUNT] = { "page_get", "post", "portal", "api",
							    "other" };
static const char *const db_kind_names[METRICS_DB_KIND_COUNT] = { "unavailable", "timeout",
								  "conflict", "rejected", "error" };
static const char *const role_names[METRICS_ROLE_COUNT] = { "worker", "dispatcher", "notifier", "replayer" };

/* The gauges landform.metrics_snapshot() may report: only these are rendered, with this help. */
static const struct {
	const char *name;
	const char *help;
} sql_gauges[] = {
	{ "leads_waiting", "Leads waiting for the dispatcher to hand them to a member." },
	{ "leads_offered", "Leads handed to a member and not accepted yet." },
	{ "leads_overdue", "Offered leads past their deadline and not reclaimed yet." },
	{ "leads_open", "Leads in the open pool, waiting for an admin or a claim." },
	{ "dispatch_lag_seconds", "Age of the oldest lead waiting for the dispatcher (0: none waits)." },
	{ "outbox_backlog", "Notifications not delivered yet (pending deliveries and outbox rows not fanned out)." },
	{ "outbox_oldest_seconds", "Age of the oldest notification not delivered yet (0: none)." },
	{ "deliveries_failing", "Deliveries still retrying after at least one failed attempt, by target." },
	{ "deliveries_dead", "Deliveries that gave up after the maximum attempts, by target." },
};

enum metrics_kind
metrics_kind_of(const char *method, const char *pattern)
{
	if (pattern == NULL)
		return METRICS_OTHER;
	if (strncmp(pattern, "/api/", 5) == 0)
		return METRICS_API;
	if (strncmp(pattern, "/staff", 6) == 0)
		return METRICS_PORTAL;
	if (strncmp(pattern, "/p/", 3) == 0)
		return strcmp(method, "POST") == 0 ? METRICS_POST : METRICS_PAGE_GET;
	return METRICS_OTHER;
}

size_t
metrics_duration_bucket(long us)
{
	size_t i = 0;

	while (i < METRICS_DURATION_BUCKETS && (double)us > metrics_duration_bounds[i] * 1e6)
		i++;
	return i;
}

size_t
metrics_batch_bucket(size_t n)
{
	size_t i = 0;

	while (i < METRICS_BATCH_BUCKETS && n > metrics_batch_bounds[i])
		i++;
	return i;
}

/* A label value as the format wants it: backslash, double quote and newline escaped. */
static void
label_value(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(out, '\\');
		if (*s == '\n') {
			buf_adds(out, "\\n");
			continue;
		}
		buf_addc(out, *s);
	}
}

static void
family(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP landform_%s %s\n# TYPE landform_%s %s\n", name, help, name, type);
}

static void
render_requests(const struct metrics_counters *c, const struct metrics_view *v, struct buf *out)
{
	family(out, "http_requests_total", "counter", "Requests answered, by route (method and pattern; route=\"none\": no route matched) and status.");
	for (size_t r = 0; r <= v->nroutes && r < METRICS_MAX_ROUTES; r++)
		for (int s = METRICS_STATUS_MIN; s <= METRICS_STATUS_MAX; s++) {
			uint64_t n = c->requests[r][s - METRICS_STATUS_MIN];

			if (n == 0)
				continue;
			buf_adds(out, "landform_http_requests_total{method=\"");
			label_value(out, v->route_methods[r]);
			buf_adds(out, "\",route=\"");
			label_value(out, v->route_patterns[r]);
			buf_printf(out, "\",status=\"%d\"} %llu\n", s, (unsigned long long)n);
		}
}

static void
render_durations(const struct metrics_counters *c, struct buf *out)
{
	family(out, "http_request_duration_seconds", "histogram",
	       "Time from reading a request to its answer, by kind (page_get, post, portal, api, other).");
	for (size_t k = 0; k < METRICS_KIND_COUNT; k++) {
		const struct metrics_histogram_duration *h = &c->duration[k];
		uint64_t cum = 0;

		for (size_t b = 0; b <= METRICS_DURATION_BUCKETS; b++) {
			cum += h->bucket[b];
			if (b < METRICS_DURATION_BUCKETS)
				buf_printf(out, "landform_http_request_duration_seconds_bucket{kind=\"%s\",le=\"%g\"} %llu\n",
					   kind_names[k], metrics_duration_bounds[b], (unsigned long long)cum);
			else
				buf_printf(out, "landform_http_request_duration_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %llu\n",
					   kind_names[k], (unsigned long long)cum);
		}
		buf_printf(out, "landform_http_request_duration_seconds_sum{kind=\"%s\"} %.6f\n", kind_names[k],
			   (double)h->sum_us / 1e6);
		buf_printf(out, "landform_http_request_duration_seconds_count{kind=\"%s\"} %llu\n", kind_names[k],
			   (unsigned long long)cum);
	}
}

static void
render_batches(const struct metrics_counters *c, struct buf *out)
{
	uint64_t cum = 0;

	family(out, "submission_batch_size", "histogram",
	       "Submissions a worker stored in one transaction (one round).");
	for (size_t b = 0; b <= METRICS_BATCH_BUCKETS; b++) {
		cum += c->batch_bucket[b];
		if (b < METRICS_BATCH_BUCKETS)
			buf_printf(out, "landform_submission_batch_size_bucket{le=\"%u\"} %llu\n",
				   metrics_batch_bounds[b], (unsigned long long)cum);
		else
			buf_printf(out, "landform_submission_batch_size_bucket{le=\"+Inf\"} %llu\n",
				   (unsigned long long)cum);
	}
	buf_printf(out, "landform_submission_batch_size_sum %llu\n", (unsigned long long)c->batch_sum);
	buf_printf(out, "landform_submission_batch_size_count %llu\n", (unsigned long long)cum);
}

static void
render_processes(const struct metrics_counters *c, struct buf *out)
{
	family(out, "db_errors_total", "counter", "Database calls that failed, by process and kind.");
	for (size_t p = 0; p < METRICS_ROLE_COUNT; p++)
		for (size_t k = 0; k < METRICS_DB_KIND_COUNT; k++)
			buf_printf(out, "landform_db_errors_total{process=\"%s\",kind=\"%s\"} %llu\n",
				   role_names[p], db_kind_names[k], (unsigned long long)c->db_errors[p][k]);
	family(out, "db_reconnects_total", "counter",
	       "Database connections made again after a first one, by process.");
	for (size_t p = 0; p < METRICS_ROLE_COUNT; p++)
		buf_printf(out, "landform_db_reconnects_total{process=\"%s\"} %llu\n", role_names[p],
			   (unsigned long long)c->db_reconnects[p]);
	family(out, "process_restarts_total", "counter",
	       "Children the master started again after they died unexpectedly.");
	for (size_t p = 0; p < METRICS_ROLE_COUNT; p++)
		buf_printf(out, "landform_process_restarts_total{process=\"%s\"} %llu\n", role_names[p],
			   (unsigned long long)c->restarts[p]);
	family(out, "processes_alive", "gauge", "Children of the master running now.");
	for (size_t p = 0; p < METRICS_ROLE_COUNT; p++)
		buf_printf(out, "landform_processes_alive{process=\"%s\"} %llu\n", role_names[p],
			   (unsigned long long)c->alive[p]);
	family(out, "dispatch_rounds_total", "counter", "Calls of landform.dispatch() by the dispatcher.");
	buf_printf(out, "landform_dispatch_rounds_total %llu\n", (unsigned long long)c->dispatch_rounds);
}

/* The oldest unflushed page-view count, over every worker. */
static void
render_lags(const struct metrics_counters *c, const struct metrics_view *v, struct buf *out)
{
	long long oldest = 0;

	for (size_t i = 0; i < METRICS_MAX_SLOTS; i++) {
		long long since = c->flush_dirty_since_ms[i];

		if (since > 0 && (oldest == 0 || since < oldest))
			oldest = since;
	}
	family(out, "page_view_flush_lag_seconds", "gauge",
	       "Age of the oldest page-view count a worker holds and has not written to the database.");
	buf_printf(out, "landform_page_view_flush_lag_seconds %.3f\n",
		   oldest > 0 && v->now_ms > oldest ? (double)(v->now_ms - oldest) / 1000.0 : 0.0);
	if (c->spool_reported == 0)
		return;
	family(out, "spool_records", "gauge", "Submissions in this host's spool, waiting for the database.");
	buf_printf(out, "landform_spool_records %llu\n", (unsigned long long)c->spool_records);
	family(out, "spool_oldest_seconds", "gauge", "Age of the oldest record in this host's spool (0: none).");
	buf_printf(out, "landform_spool_oldest_seconds %.3f\n",
		   c->spool_oldest_ms > 0 && v->now_wall_ms > c->spool_oldest_ms
			   ? (double)(v->now_wall_ms - c->spool_oldest_ms) / 1000.0 : 0.0);
}

/* A number as SQL printed it, or false: nothing else reaches the exposition. */
static bool
sql_number(const char *s, double *out)
{
	char *end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return false;
	*out = strtod(s, &end);
	return *end == '\0' && *out == *out;
}

static void
render_sql(const struct metrics_view *v, struct buf *out)
{
	family(out, "metrics_snapshot_up", "gauge",
	       "1 when landform.metrics_snapshot() answered this scrape; 0: the gauges below are missing.");
	buf_printf(out, "landform_metrics_snapshot_up %d\n", v->sql_ok ? 1 : 0);
	if (!v->sql_ok)
		return;
	for (size_t g = 0; g < sizeof(sql_gauges) / sizeof(sql_gauges[0]); g++) {
		bool header = false;

		for (size_t i = 0; i < v->nrows; i++) {
			const struct metrics_sql_row *row = &v->rows[i];
			double val;

			if (row->name == NULL || strcmp(row->name, sql_gauges[g].name) != 0 ||
			    !sql_number(row->value, &val))
				continue;
			if (!header) {
				family(out, sql_gauges[g].name, "gauge", sql_gauges[g].help);
				header = true;
			}
			buf_printf(out, "landform_%s", row->name);
			if (row->target != NULL) {
				buf_adds(out, "{target=\"");
				label_value(out, row->target);
				buf_adds(out, "\"}");
			}
			buf_printf(out, " %.17g\n", val);
		}
	}
}

void
metrics_render(const struct metrics_counters *c, const struct metrics_view *v, struct buf *out)
{
	render_requests(c, v, out);
	render_durations(c, out);
	render_batches(c, out);
	render_processes(c, out);
	render_lags(c, v, out);
	render_sql(v, out);
}

/* One list entry: an address with an optional /prefix, in the family inet_pton finds. */
struct net {
	int family;
	unsigned char addr[16];
	unsigned bits;
};

static bool
parse_addr(const char *s, struct net *n)
{
	unsigned char v6[16];

	if (inet_pton(AF_INET, s, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
		return true;
	}
	if (inet_pton(AF_INET6, s, v6) != 1)
		return false;
	/* ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket. */
	if (memcmp(v6, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		n->family = AF_INET;
		memcpy(n->addr, v6 + 12, 4);
		n->bits = 32;
		return true;
	}
	n->family = AF_INET6;
	memcpy(n->addr, v6, 16);
	n->bits = 128;
	return true;
}

/* Parse "ADDR[/BITS]" of length len; false when it is not one. */
static bool
parse_entry(const char *s, size_t len, struct net *n)
{
	char text[64];
	const char *slash;
	unsigned long bits;
	char *end;

	if (len == 0 || len >= sizeof(text))
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	slash = strchr(text, '/');
	if (slash != NULL)
		text[slash - text] = '\0';
	if (!parse_addr(text, n))
		return false;
	if (slash == NULL)
		return true;
	if (!isdigit((unsigned char)slash[1]))
		return false;
	bits = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || bits > n->bits)
		return false;
	n->bits = (unsigned)bits;
	return true;
}

static bool
net_contains(const struct net *net, const struct net *a)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;

	if (net->family != a->family)
		return false;
	if (memcmp(net->addr, a->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((net->addr[full] ^ a->addr[full]) & (unsigned char)(0xff << (8 - rest))) == 0;
}

/* Call fn for each entry of list; stops and returns true when fn does. */
static bool
each_entry(const char *list, bool (*fn)(const char *s, size_t len, void *arg), void *arg)
{
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len > 0 && fn(p, len, arg))
			return true;
		p += len;
	}
	return false;
}

struct match_arg {
	const struct net *client; /* NULL: a local socket peer */
};

static bool
entry_matches(const char *s, size_t len, void *arg)
{
	const struct match_arg *m = arg;
	struct net net;

	if (m->client == NULL)
		return len == 4 && strncmp(s, "unix", 4) == 0;
	return parse_entry(s, len, &net) && net_contains(&net, m->client);
}

bool
metrics_addr_allowed(const char *list, const char *addr)
{
	struct net client;
	struct match_arg m = { .client = &client };

	if (list == NULL)
		return false;
	if (addr == NULL || *addr == '\0' || strncmp(addr, "unix:", 5) == 0)
		m.client = NULL;
	else if (strlen(addr) >= 64 || !parse_addr(addr, &client))
		return false;
	return each_entry(list, entry_matches, &m);
}

struct check_arg {
	char *err;
	size_t errsz;
};

static bool
entry_bad(const char *s, size_t len, void *arg)
{
	struct check_arg *c = arg;
	struct net net;

	if ((len == 4 && strncmp(s, "unix", 4) == 0) || parse_entry(s, len, &net))
		return false;
	snprintf(c->err, c->errsz, "metrics_allow: '%.*s' is not an address, ADDRESS/BITS or unix",
		 (int)(len > 64 ? 64 : len), s);
	return true;
}

bool
metrics_allow_check(const char *list, char *err, size_t errsz)
{
	struct check_arg c = { err, errsz };

	return !each_entry(list, entry_bad, &c);
}
