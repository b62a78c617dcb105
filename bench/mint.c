/* Mint N valid form stamps for a page with landform's own stamp_make, one a line, so the POST
 * benchmark can give every request a fresh idempotency key without a GET first. The issue time
 * is what fcgi/page.c passes (wall-clock milliseconds); bench/run posts one minted stamp before
 * any load and stops if landformd does not store it, so a change there cannot pass unnoticed.
 * usage: mint SECRET_FILE SLUG N   (built by bench/run against fcgi/stamp.c and fcgi/secret.c) */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stamp.h"

int
main(int argc, char **argv)
{
	unsigned char key[SECRET_BYTES], rnd[STAMP_RANDOM_BYTES];
	char err[256], out[STAMP_MAX];
	struct timespec ts;
	long n;

	if (argc != 4) {
		fprintf(stderr, "usage: mint SECRET_FILE SLUG N\n");
		return 2;
	}
	snprintf(err, sizeof(err), "libsodium did not initialise");
	if (sodium_init() < 0 || !secret_load(argv[1], key, err, sizeof(err))) {
		fprintf(stderr, "mint: %s\n", err);
		return 1;
	}
	n = atol(argv[3]);
	for (long i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		randombytes_buf(rnd, sizeof(rnd));
		stamp_make(key, argv[2], (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, rnd, out);
		puts(out);
	}
	sodium_memzero(key, sizeof(key));
	return 0;
}
