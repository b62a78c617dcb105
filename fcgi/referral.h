/* Referral links (老带新, issue 17): GET /r/<token> (livecode.c) opens the referrer's page carrying the
 * referral signed like the form stamp ("r1.<token>.<hmac>", HMAC-SHA-256 over the page and the
 * token, truncated to 128 bits), so a visitor cannot forge or change whose referral it is.
 * Who gets credited, and when, is SQL's (landform.referral_credit). */
#ifndef LANDFORM_REFERRAL_H
#define LANDFORM_REFERRAL_H

#include <stdbool.h>

#include "secret.h"

#define REFERRAL_TOKEN_LEN 32 /* hex characters, as landform.referral_tokens keeps them */
/* "r1." + token + "." + 32 hex + NUL */
#define REFERRAL_SIGNED_MAX (3 + REFERRAL_TOKEN_LEN + 1 + 32 + 1)

/* Sign token (REFERRAL_TOKEN_LEN lower-case hex) for the form of page slug. False when the
 * token is not of that shape. Pure. */
bool referral_sign(const unsigned char key[SECRET_BYTES], const char *slug, const char *token,
		   char out[REFERRAL_SIGNED_MAX]) __attribute__((warn_unused_result));

/* The token inside a signed referral for page slug, when the signature holds (constant-time
 * compare); false for anything malformed, forged, altered or meant for another page. Pure. */
bool referral_check(const unsigned char key[SECRET_BYTES], const char *slug, const char *signed_ref,
		    char token[REFERRAL_TOKEN_LEN + 1]) __attribute__((warn_unused_result));

#endif
