/* Passwords, tokens, cookies and origin checks for the staff portal; no database, no FastCGI. */
#include "auth.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"

/* Interactive parameters (2 passes over 64 MiB): about 0.1 s on these machines, and a worker
 * holds the memory only while hashing. Raising them makes old hashes "need rehash": each is
 * replaced at its owner's next login. */
#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

static const char *const pw_codes[] = {
	[AUTH_PW_OK] = "ok",
	[AUTH_PW_MISSING] = "missing",
	[AUTH_PW_TOO_SHORT] = "too_short",
	[AUTH_PW_TOO_LONG] = "too_long",
	[AUTH_PW_BAD_TEXT] = "bad_text",
	[AUTH_PW_IS_LOGIN] = "is_login",
	[AUTH_PW_MISMATCH] = "mismatch",
};

const char *
auth_password_code(enum auth_pw e)
{
	if ((unsigned)e >= sizeof(pw_codes) / sizeof(pw_codes[0]))
		return "invalid";
	return pw_codes[e];
}

/* Length and text rules only: no composition rules, which push people to worse passwords. */
enum auth_pw
auth_password_check(const char *pw, const char *again, const char *login)
{
	size_t n;

	if (pw == NULL || *pw == '\0')
		return AUTH_PW_MISSING;
	n = strlen(pw);
	if (n > AUTH_PASSWORD_MAX_BYTES)
		return AUTH_PW_TOO_LONG;
	if (!utf8_valid(pw, n) || utf8_has_control(pw, n, false))
		return AUTH_PW_BAD_TEXT;
	if (utf8_count(pw, n) < AUTH_PASSWORD_MIN_CHARS)
		return AUTH_PW_TOO_SHORT;
	if (login != NULL && strcasecmp(pw, login) == 0)
		return AUTH_PW_IS_LOGIN;
	if (again != NULL && strcmp(pw, again) != 0)
		return AUTH_PW_MISMATCH;
	return AUTH_PW_OK;
}

bool
auth_hash_password(const char *pw, char out[AUTH_HASH_MAX])
{
	_Static_assert(AUTH_HASH_MAX == crypto_pwhash_STRBYTES, "hash buffer size");
	return crypto_pwhash_str(out, pw, strlen(pw), OPSLIMIT, MEMLIMIT) == 0;
}

/* The hash unknown logins are checked against; made once per process from a random password
 * nobody knows, with the same parameters as real hashes so it costs the same. */
static const char *
dummy_hash(void)
{
	static char dummy[AUTH_HASH_MAX];
	static bool made;
	char pw[AUTH_TOKEN_HEX + 1];

	if (made)
		return dummy;
	auth_token_new(pw);
	if (!auth_hash_password(pw, dummy))
		return NULL;
	made = true;
	return dummy;
}

bool
auth_verify_password(const char *stored, const char *pw, bool *rehash)
{
	bool real = stored != NULL && strncmp(stored, "$argon2", 7) == 0 &&
		    strlen(stored) < AUTH_HASH_MAX;
	const char *h = real ? stored : dummy_hash();
	bool ok;

	*rehash = false;
	if (pw == NULL)
		pw = "";
	if (h == NULL)
		return false;
	ok = crypto_pwhash_str_verify(h, pw, strlen(pw)) == 0;
	if (!real || !ok)
		return false;
	/* 1: other parameters; -1: another algorithm (argon2i): both are replaced. */
	*rehash = crypto_pwhash_str_needs_rehash(stored, OPSLIMIT, MEMLIMIT) != 0;
	return true;
}

void
auth_token_new(char out[AUTH_TOKEN_HEX + 1])
{
	unsigned char raw[AUTH_TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

bool
auth_token_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i == AUTH_TOKEN_HEX || !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == AUTH_TOKEN_HEX;
}

void
auth_form_token(const unsigned char key[SECRET_BYTES], const char *purpose, const char *nonce,
		char out[AUTH_TOKEN_HEX + 1])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	_Static_assert(crypto_auth_hmacsha256_BYTES == AUTH_TOKEN_BYTES, "mac size");
	crypto_auth_hmacsha256_init(&st, key, SECRET_BYTES);
	/* The NUL keeps ("ab", "c") and ("a", "bc") apart. */
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose, strlen(purpose) + 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)nonce, strlen(nonce));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, AUTH_TOKEN_HEX + 1, mac, sizeof(mac));
}

bool
auth_form_token_check(const unsigned char key[SECRET_BYTES], const char *purpose, const char *nonce,
		      const char *token)
{
	char want[AUTH_TOKEN_HEX + 1];
	bool ok;

	if (!auth_token_valid(nonce) || !auth_token_valid(token))
		return false;
	auth_form_token(key, purpose, nonce, want);
	ok = sodium_memcmp(want, token, AUTH_TOKEN_HEX) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

static bool
cookie_safe(const char *s, const char *extra)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s) != NULL))
			return false;
	return true;
}

const char *
auth_cookie(struct arena *a, const char *name, const char *value, const char *path, bool secure,
	    long max_age)
{
	assert(*name != '\0' && cookie_safe(name, "_-"));
	assert(cookie_safe(value, "_-."));
	assert(*path == '/' && cookie_safe(path, "/_-."));
	if (max_age < 0)
		return arena_printf(a, "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s", name, value, path,
				    secure ? "; Secure" : "");
	return arena_printf(a, "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s; Max-Age=%ld", name, value,
			    path, secure ? "; Secure" : "", max_age);
}

/* "scheme://host[:port]" of url, lower-cased, without a default port; false when url is not
 * an http(s) URL with a plain host. */
static bool
origin_of(const char *url, char *out, size_t outsz)
{
	const char *p, *host;
	size_t n, hn;
	bool https;

	if (strncasecmp(url, "http://", 7) == 0) {
		https = false;
		host = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		https = true;
		host = url + 8;
	} else {
		return false;
	}
	hn = strcspn(host, "/?#");
	if (hn == 0 || memchr(host, '@', hn) != NULL)
		return false;
	if (!https && hn > 3 && strncmp(host + hn - 3, ":80", 3) == 0)
		hn -= 3;
	if (https && hn > 4 && strncmp(host + hn - 4, ":443", 4) == 0)
		hn -= 4;
	n = (size_t)snprintf(out, outsz, "%s://%.*s", https ? "https" : "http", (int)hn, host);
	if (n >= outsz)
		return false;
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	for (char *q = out; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return true;
}

bool
auth_same_origin(const char *sec_fetch_site, const char *origin, const char *host, bool https,
		 const char *public_url)
{
	char got[256], want[256], url[300];

	if (sec_fetch_site != NULL && *sec_fetch_site != '\0' &&
	    strcmp(sec_fetch_site, "same-origin") != 0 && strcmp(sec_fetch_site, "none") != 0)
		return false;
	if (origin == NULL || *origin == '\0')
		return true;
	/* "null" (a sandboxed or privacy-stripped origin), a path, anything unparsable: refused. */
	if (!origin_of(origin, got, sizeof(got)) || strpbrk(strstr(origin, "://") + 3, "/?#") != NULL)
		return false;
	if (public_url != NULL && origin_of(public_url, want, sizeof(want)) && strcmp(got, want) == 0)
		return true;
	if (host == NULL || *host == '\0')
		return false;
	snprintf(url, sizeof(url), "%s://%s", https ? "https" : "http", host);
	return origin_of(url, want, sizeof(want)) && strcmp(got, want) == 0;
}

bool
auth_safe_next(const char *next)
{
	const char *p;

	if (next == NULL || strncmp(next, "/staff/", 7) != 0 || strlen(next) > 512)
		return false;
	for (p = next; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("\"'<>\\`", *p))
			return false;
	return strstr(next, "//") == NULL && strstr(next, "/.") == NULL;
}
