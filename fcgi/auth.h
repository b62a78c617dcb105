/* Staff authentication pieces: password hashing (Argon2id), random tokens, signed form tokens,
 * cookies, and the same-origin check for state-changing requests. Pure except where noted
 * (hashing and token generation use libsodium; the caller must have run sodium_init()).
 * Who frees what: nothing here allocates, except auth_cookie, whose result lives in the arena
 * passed in. */
#ifndef LANDFORM_AUTH_H
#define LANDFORM_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "secret.h"

#define AUTH_TOKEN_BYTES 32
#define AUTH_TOKEN_HEX (AUTH_TOKEN_BYTES * 2) /* characters, without the NUL */
#define AUTH_HASH_MAX 128                     /* crypto_pwhash_STRBYTES */

/* Passwords: at least this many characters (code points), at most this many bytes. */
#define AUTH_PASSWORD_MIN_CHARS 8
#define AUTH_PASSWORD_MAX_BYTES 256

enum auth_pw {
	AUTH_PW_OK = 0,
	AUTH_PW_MISSING,
	AUTH_PW_TOO_SHORT,
	AUTH_PW_TOO_LONG,
	AUTH_PW_BAD_TEXT,  /* not UTF-8, or holds control characters */
	AUTH_PW_IS_LOGIN,  /* the same as the login, ignoring case */
	AUTH_PW_MISMATCH   /* the two copies differ */
};

/* Is this an acceptable new password? again may be NULL (not asked twice); login may be NULL. */
enum auth_pw auth_password_check(const char *pw, const char *again, const char *login);

/* Stable code for an auth_pw ("too_short"), for APIs and message lookups. */
const char *auth_password_code(enum auth_pw e);

/* Argon2id hash of pw in libsodium's string format, with landform's current parameters.
 * False only when the machine cannot give the memory. Slow on purpose (about 0.1 s). */
bool auth_hash_password(const char *pw, char out[AUTH_HASH_MAX]) __attribute__((warn_unused_result));

/* Does pw match stored? stored may be NULL or garbage (an unknown login): a dummy hash with the
 * same parameters is verified instead, so the time taken never tells whether a login exists.
 * On a match, *rehash says the stored hash was made with other parameters and should be
 * replaced by auth_hash_password(pw). */
bool auth_verify_password(const char *stored, const char *pw, bool *rehash)
	__attribute__((warn_unused_result));

/* 32 random bytes as 64 lower-case hex characters (session, CSRF and invitation tokens). */
void auth_token_new(char out[AUTH_TOKEN_HEX + 1]);

/* True when s is exactly 64 lower-case hex characters: the only shape we ever issue. */
bool auth_token_valid(const char *s);

/* A form token bound to a browser before it has a session (login and invitation forms):
 * hex HMAC-SHA256 under key of purpose and nonce, where nonce is a random token kept in a
 * cookie. A forged cross-site form cannot know the nonce, so it cannot carry the token. */
void auth_form_token(const unsigned char key[SECRET_BYTES], const char *purpose, const char *nonce,
		     char out[AUTH_TOKEN_HEX + 1]);

/* Constant-time check of a form token; false for NULL or malformed input. */
bool auth_form_token_check(const unsigned char key[SECRET_BYTES], const char *purpose,
			   const char *nonce, const char *token);

/* A Set-Cookie value: name=value; Path=path; HttpOnly; SameSite=Lax[; Secure][; Max-Age=n].
 * max_age < 0 leaves Max-Age out (a browser-session cookie); 0 deletes the cookie.
 * name, value and path must be cookie-safe (asserted). The result lives in the arena. */
const char *auth_cookie(struct arena *a, const char *name, const char *value, const char *path,
			bool secure, long max_age);

/* May a state-changing request proceed? Browsers say where it came from: Sec-Fetch-Site must
 * be same-origin (or none: typed by the user), and Origin, when sent, must be our own: the
 * origin of public_url, or the request's Host under its scheme (https when https is true).
 * A request with neither header (an API client, an old browser) passes: the CSRF token is
 * what guards it. Any argument may be NULL. */
bool auth_same_origin(const char *sec_fetch_site, const char *origin, const char *host, bool https,
		      const char *public_url);

/* Is next a safe place to send someone after login: a path under /staff/ on this site,
 * without "//", "\\", "..", control characters or quotes? NULL is not. */
bool auth_safe_next(const char *next);

#endif
