/* Signed form stamps: HMAC of page, time and randomness, issued with each rendered form.
 * A stamp proves the form came from us, tells how long the visitor took, and is the
 * submission's idempotency key (a resent form carries the same stamp). */
#ifndef LANDFORM_STAMP_H
#define LANDFORM_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "secret.h"

#define STAMP_RANDOM_BYTES 12
/* "v1." + 13 digits (unix milliseconds) + "." + 24 hex + "." + 32 hex + NUL, with room to spare. */
#define STAMP_MAX 96

enum stamp_result {
	STAMP_OK = 0,
	STAMP_MISSING,
	STAMP_MALFORMED,  /* not our format */
	STAMP_FORGED,     /* well formed, wrong signature or for another page */
	STAMP_TOO_FAST,   /* younger than min_age: a bot */
	STAMP_EXPIRED     /* older than max_age: a tab left open too long */
};

/* Write a stamp for page slug issued at now_ms (unix milliseconds) with the given random
 * bytes. Milliseconds, so "faster than 2 s" means 2 s, not anything over 1 s. Pure. */
void stamp_make(const unsigned char key[SECRET_BYTES], const char *slug, int64_t now_ms,
		const unsigned char random[STAMP_RANDOM_BYTES], char out[STAMP_MAX]);

/* Check a stamp sent back with a submission (NULL = missing); times in milliseconds.
 * Pure; constant-time compare. */
enum stamp_result stamp_check(const unsigned char key[SECRET_BYTES], const char *slug,
			      const char *stamp, int64_t now_ms, int64_t min_age_ms,
			      int64_t max_age_ms);

const char *stamp_result_code(enum stamp_result r);

#endif
