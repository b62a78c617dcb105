/* Unit tests for metrics.c: the exposition's families and values, cumulative buckets, label
 * escaping, which SQL rows are shown, and who may scrape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "metrics.h"
#include "arena_fixture.h"
#include "tsv_cases.h"

static const char *const methods[] = { "GET", "GET", "POST", "any" };
static const char *const patterns[] = { "/healthz", "/p/*", "/p/*", "none" };

static const char *
render(const struct metrics_counters *c, const struct metrics_sql_row *rows, size_t nrows, bool ok)
{
	struct metrics_view v = { .route_methods = methods, .route_patterns = patterns, .nroutes = 3,
				  .now_ms = 100000, .now_wall_ms = 1800000000000LL,
				  .sql_ok = ok, .rows = rows, .nrows = nrows };
	struct buf b;

	buf_init(&b, &arena, 4096);
	metrics_render(c, &v, &b);
	return b.data;
}

/* The block is large (a row per route and status): in the arena, zeroed. */
static struct metrics_counters *
zeroed(void)
{
	struct metrics_counters *c = arena_alloc(&arena, sizeof(*c));

	memset(c, 0, sizeof(*c));
	return c;
}

static void
metrics_render_should_show_requests_by_route_and_status(void **state)
{
	struct metrics_counters *c = zeroed();
	const char *out;

	(void)state;
	c->requests[1][200 - METRICS_STATUS_MIN] = 7;
	c->requests[2][303 - METRICS_STATUS_MIN] = 2;
	c->requests[3][404 - METRICS_STATUS_MIN] = 1;
	out = render(c, NULL, 0, false);
	assert_non_null(strstr(out, "# TYPE landform_http_requests_total counter\n"));
	assert_non_null(strstr(out, "landform_http_requests_total{method=\"GET\",route=\"/p/*\",status=\"200\"} 7\n"));
	assert_non_null(strstr(out, "landform_http_requests_total{method=\"POST\",route=\"/p/*\",status=\"303\"} 2\n"));
	assert_non_null(strstr(out, "landform_http_requests_total{method=\"any\",route=\"none\",status=\"404\"} 1\n"));
	/* Nothing counted, nothing shown. */
	assert_null(strstr(out, "route=\"/healthz\""));
}

static void
metrics_render_should_make_buckets_cumulative(void **state)
{
	struct metrics_counters *c = zeroed();
	const char *out;

	(void)state;
	c->duration[METRICS_POST].bucket[metrics_duration_bucket(800)] += 1;     /* 0.8 ms */
	c->duration[METRICS_POST].bucket[metrics_duration_bucket(30000)] += 2;   /* 30 ms */
	c->duration[METRICS_POST].bucket[metrics_duration_bucket(60000000)] += 1; /* 60 s */
	c->duration[METRICS_POST].sum_us = 800 + 60000 + 60000000;
	out = render(c, NULL, 0, false);
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_bucket{kind=\"post\",le=\"0.001\"} 1\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_bucket{kind=\"post\",le=\"0.025\"} 1\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_bucket{kind=\"post\",le=\"0.05\"} 3\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_bucket{kind=\"post\",le=\"10\"} 3\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_bucket{kind=\"post\",le=\"+Inf\"} 4\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_count{kind=\"post\"} 4\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_sum{kind=\"post\"} 60.060800\n"));
	assert_non_null(strstr(out, "landform_http_request_duration_seconds_count{kind=\"page_get\"} 0\n"));
}

static void
metrics_buckets_should_put_bounds_in_their_own_bucket(void **state)
{
	(void)state;
	assert_int_equal(metrics_duration_bucket(0), 0);
	assert_int_equal(metrics_duration_bucket(1000), 0);
	assert_int_equal(metrics_duration_bucket(1001), 1);
	assert_int_equal(metrics_duration_bucket(10000000), METRICS_DURATION_BUCKETS - 1);
	assert_int_equal(metrics_duration_bucket(10000001), METRICS_DURATION_BUCKETS);
	assert_int_equal(metrics_batch_bucket(1), 0);
	assert_int_equal(metrics_batch_bucket(3), 2);
	assert_int_equal(metrics_batch_bucket(256), METRICS_BATCH_BUCKETS - 1);
	assert_int_equal(metrics_batch_bucket(257), METRICS_BATCH_BUCKETS);
}

static void
metrics_kind_of_should_sort_routes(void **state)
{
	(void)state;
	assert_int_equal(metrics_kind_of("GET", "/p/*"), METRICS_PAGE_GET);
	assert_int_equal(metrics_kind_of("HEAD", "/p/*/thanks"), METRICS_PAGE_GET);
	assert_int_equal(metrics_kind_of("POST", "/p/*"), METRICS_POST);
	assert_int_equal(metrics_kind_of("GET", "/staff/leads/*"), METRICS_PORTAL);
	assert_int_equal(metrics_kind_of("POST", "/api/v1/pages/*/submissions"), METRICS_API);
	assert_int_equal(metrics_kind_of("GET", "/healthz"), METRICS_OTHER);
	assert_int_equal(metrics_kind_of("GET", NULL), METRICS_OTHER);
}

static void
metrics_render_should_show_batches_and_processes(void **state)
{
	struct metrics_counters *c = zeroed();
	const char *out;

	(void)state;
	c->batch_bucket[0] = 5;
	c->batch_bucket[3] = 1;
	c->batch_sum = 12;
	c->db_errors[METRICS_WORKER][METRICS_DB_TIMEOUT] = 3;
	c->db_reconnects[METRICS_DISPATCHER] = 2;
	c->restarts[METRICS_WORKER] = 1;
	c->alive[METRICS_WORKER] = 2;
	c->dispatch_rounds = 42;
	out = render(c, NULL, 0, false);
	assert_non_null(strstr(out, "landform_submission_batch_size_bucket{le=\"1\"} 5\n"));
	assert_non_null(strstr(out, "landform_submission_batch_size_bucket{le=\"4\"} 5\n"));
	assert_non_null(strstr(out, "landform_submission_batch_size_bucket{le=\"8\"} 6\n"));
	assert_non_null(strstr(out, "landform_submission_batch_size_sum 12\n"));
	assert_non_null(strstr(out, "landform_submission_batch_size_count 6\n"));
	assert_non_null(strstr(out, "landform_db_errors_total{process=\"worker\",kind=\"timeout\"} 3\n"));
	assert_non_null(strstr(out, "landform_db_errors_total{process=\"notifier\",kind=\"error\"} 0\n"));
	assert_non_null(strstr(out, "landform_db_reconnects_total{process=\"dispatcher\"} 2\n"));
	assert_non_null(strstr(out, "landform_process_restarts_total{process=\"worker\"} 1\n"));
	assert_non_null(strstr(out, "landform_processes_alive{process=\"worker\"} 2\n"));
	assert_non_null(strstr(out, "landform_dispatch_rounds_total 42\n"));
}

static void
metrics_render_should_age_the_oldest_unflushed_count(void **state)
{
	struct metrics_counters *c = zeroed();
	const char *out;

	(void)state;
	out = render(c, NULL, 0, false);
	assert_non_null(strstr(out, "landform_page_view_flush_lag_seconds 0.000\n"));
	assert_null(strstr(out, "landform_spool_records"));
	c->flush_dirty_since_ms[4] = 98500;
	c->flush_dirty_since_ms[9] = 99900;
	c->spool_reported = 1;
	c->spool_records = 3;
	c->spool_oldest_ms = 1800000000000LL - 60000;
	out = render(c, NULL, 0, false);
	assert_non_null(strstr(out, "landform_page_view_flush_lag_seconds 1.500\n"));
	assert_non_null(strstr(out, "landform_spool_records 3\n"));
	assert_non_null(strstr(out, "landform_spool_oldest_seconds 60.000\n"));
}

static void
metrics_render_should_show_known_sql_gauges_only(void **state)
{
	static const struct metrics_sql_row rows[] = {
		{ "leads_waiting", NULL, "4" },
		{ "dispatch_lag_seconds", NULL, "2.5" },
		{ "deliveries_dead", "crm\"hook\\x\ny", "1" },
		{ "deliveries_dead", "wecom", "0" },
		{ "made_up", NULL, "9" },
		{ "leads_open", NULL, "1; rm" },
		{ "leads_offered", NULL, NULL },
	};
	struct metrics_counters *c = zeroed();
	const char *out;

	(void)state;
	out = render(c, rows, sizeof(rows) / sizeof(rows[0]), true);
	assert_non_null(strstr(out, "landform_metrics_snapshot_up 1\n"));
	assert_non_null(strstr(out, "# TYPE landform_leads_waiting gauge\nlandform_leads_waiting 4\n"));
	assert_non_null(strstr(out, "landform_dispatch_lag_seconds 2.5\n"));
	assert_non_null(strstr(out, "landform_deliveries_dead{target=\"crm\\\"hook\\\\x\\ny\"} 1\n"));
	assert_non_null(strstr(out, "landform_deliveries_dead{target=\"wecom\"} 0\n"));
	assert_null(strstr(out, "made_up"));
	assert_null(strstr(out, "leads_open"));
	assert_null(strstr(out, "leads_offered"));
	/* One HELP and TYPE per family, however many rows. */
	assert_ptr_equal(strstr(out, "# TYPE landform_deliveries_dead"),
			 strstr(out, "# TYPE landform_deliveries_dead gauge\nlandform_deliveries_dead{"));
	out = render(c, rows, sizeof(rows) / sizeof(rows[0]), false);
	assert_non_null(strstr(out, "landform_metrics_snapshot_up 0\n"));
	assert_null(strstr(out, "leads_waiting"));
}

static void
metrics_addr_allowed_should_follow_the_table(void **state)
{
	size_t n;
	struct tcase *cases = tsv_load("metrics", "allow.tsv", 4, NULL, &n);

	(void)state;
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		const char *addr = strcmp(cases[i].cols[2], "-") == 0 ? NULL : cases[i].cols[2];
		bool want = strcmp(cases[i].cols[3], "yes") == 0;

		if (metrics_addr_allowed(cases[i].cols[1], addr) != want)
			fail_msg("%s: '%s' for %s: want %s", cases[i].cols[0], cases[i].cols[1],
				 cases[i].cols[2], cases[i].cols[3]);
	}
	tsv_free(cases, n);
}

static void
metrics_allow_check_should_name_a_bad_entry(void **state)
{
	char err[256] = "";

	(void)state;
	assert_true(metrics_allow_check("127.0.0.1/8, ::1", err, sizeof(err)));
	assert_true(metrics_allow_check("", err, sizeof(err)));
	assert_true(metrics_allow_check("unix 10.0.0.0/8", err, sizeof(err)));
	assert_false(metrics_allow_check("127.0.0.1/8, localhost", err, sizeof(err)));
	assert_non_null(strstr(err, "'localhost'"));
	assert_false(metrics_allow_check("10.0.0.0/40", err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(metrics_render_should_show_requests_by_route_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(metrics_render_should_make_buckets_cumulative, setup, teardown),
		cmocka_unit_test(metrics_buckets_should_put_bounds_in_their_own_bucket),
		cmocka_unit_test(metrics_kind_of_should_sort_routes),
		cmocka_unit_test_setup_teardown(metrics_render_should_show_batches_and_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(metrics_render_should_age_the_oldest_unflushed_count, setup, teardown),
		cmocka_unit_test_setup_teardown(metrics_render_should_show_known_sql_gauges_only, setup, teardown),
		cmocka_unit_test(metrics_addr_allowed_should_follow_the_table),
		cmocka_unit_test(metrics_allow_check_should_name_a_bad_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
