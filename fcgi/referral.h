/* Referral links (老带新, issue 17): GET /r/<token> (livecode.c) opens the referrer's page carrying the
 * referral signed like the form stamp ("r1.<token>.<hmac>", HMAC-SHA-256 over the page and the
 * token, truncated to 128 bits), so a visitor cannot forge or change whose referral it is.
 * Who gets credited, and when, is SQL's (landform.referral_credit). */
#ifndef LANDFORM_REFERRAL_H
#define LANDFORM_REFERRAL_H

#include <stdbool.h>
#include <stdint.h>

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

/* The thank-you page learns whose share link to show from its address: the 303 after a
 * submission carries "t1.<expires>.<hmac>.<stamp>" (the form's stamp, the submission's
 * idempotency key; never the phone or the lead id), signed for the page and valid until
 * expires (unix seconds), so nobody can ask for another visitor's link. */
#define REFERRAL_THANKS_MAX (3 + 20 + 1 + 32 + 1 + 96 + 1)

/* Sign stamp (1-95 of [A-Za-z0-9_.-]) for page slug's thank-you page until expires_s. False
 * when the stamp is not of that shape. Pure. */
bool referral_thanks_sign(const unsigned char key[SECRET_BYTES], const char *slug, const char *stamp,
			  int64_t expires_s, char out[REFERRAL_THANKS_MAX]) __attribute__((warn_unused_result));

/* The stamp inside a signed thank-you value for page slug, when the signature holds and it has
 * not expired at now_s; *stamp points into s. False for anything else. Pure. */
bool referral_thanks_check(const unsigned char key[SECRET_BYTES], const char *slug, const char *s,
			   int64_t now_s, const char **stamp) __attribute__((warn_unused_result));

#endif
