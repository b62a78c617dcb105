/* QR renders per second, in process (what GET /staff/channels/<code>/qr.* costs a worker beside
 * its one SQL call): encode + SVG, encode + PNG at 512 and 2048 px. Built and run by
 * bench/livecode against fcgi/liblandform.a. Usage: qrrate [seconds per kind (2)] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "qr.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Render one kind repeatedly for secs seconds; prints renders/s and the output size. */
static void
run(const char *label, unsigned size, double secs)
{
	static const char link[] = "https://landing.example.com/c/poster-spring-2026";
	struct arena a;
	double t0 = now(), t;
	size_t bytes = 0;
	long n = 0;

	arena_init(&a, 65536);
	do {
		struct qr q;
		struct buf out;

		buf_init(&out, &a, 8192);
		if (!qr_encode(&a, link, &q))
			abort();
		if (size == 0)
			qr_svg(&out, &q);
		else if (!qr_png(&out, &q, size))
			abort();
		bytes = out.len;
		arena_reset(&a);
		n++;
		t = now();
	} while (t - t0 < secs);
	printf("RESULT kind=%s renders_per_s=%.0f bytes=%zu\n", label, (double)n / (t - t0), bytes);
	arena_free(&a);
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;

	run("svg", 0, secs);
	run("png512", 512, secs);
	run("png2048", 2048, secs);
	return 0;
}
