/* Unit tests for auth.c: password rules, Argon2id hashing and verification (with the dummy hash
 * for unknown logins and rehash on changed parameters), tokens, form tokens, cookies, and the
 * origin and next= checks. tests/data/auth/{origin,next,password}.tsv give one test per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth.h"
#include "hex.h"
#include "tsv_cases.h"

static const unsigned char key[SECRET_BYTES] = "0123456789abcdef0123456789abcde";
static const char nonce[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/* "-" is NULL; \t and \xNN are unescaped, so cases can hold tabs and bad bytes. */
static char *
unescape(const char *s)
{
	char *out, *o;

	if (strcmp(s, "-") == 0)
		return NULL;
	out = o = malloc(strlen(s) + 1);
	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 't') {
			*o++ = '\t';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && hex_byte(s + 2) >= 0) {
			*o++ = (char)hex_byte(s + 2);
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static void
origin_case(void **state)
{
	struct tcase *c = *state;

	assert_int_equal(auth_same_origin(c->cols[1], c->cols[2], c->cols[3], strcmp(c->cols[4], "1") == 0,
					  c->cols[5]),
			 strcmp(c->cols[6], "1") == 0);
}

static void
next_case(void **state)
{
	struct tcase *c = *state;

	assert_int_equal(auth_safe_next(c->cols[1]), strcmp(c->cols[2], "1") == 0);
}

static void
password_case(void **state)
{
	struct tcase *c = *state;

	assert_string_equal(auth_password_code(auth_password_check(c->cols[1], c->cols[2], c->cols[3])),
			    c->cols[4]);
}

static void
hash_should_verify_the_right_password_only(void **state)
{
	char h[AUTH_HASH_MAX];
	bool rehash = true;

	assert_true(auth_hash_password("correct horse", h));
	assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
	assert_true(auth_verify_password(h, "correct horse", &rehash));
	assert_false(rehash);
	assert_false(auth_verify_password(h, "correct hors", &rehash));
	assert_false(auth_verify_password(h, "", &rehash));
	assert_false(auth_verify_password(h, NULL, &rehash));
}

static void
hash_should_salt_each_hash(void **state)
{
	char a[AUTH_HASH_MAX], b[AUTH_HASH_MAX];

	assert_true(auth_hash_password("same password", a));
	assert_true(auth_hash_password("same password", b));
	assert_string_not_equal(a, b);
}

static void
verify_should_ask_for_rehash_when_parameters_changed(void **state)
{
	char weak[AUTH_HASH_MAX];
	bool rehash = false;

	assert_int_equal(crypto_pwhash_str(weak, "correct horse", 13, crypto_pwhash_OPSLIMIT_MIN,
					   crypto_pwhash_MEMLIMIT_MIN),
			 0);
	assert_true(auth_verify_password(weak, "correct horse", &rehash));
	assert_true(rehash);
	rehash = false;
	assert_false(auth_verify_password(weak, "wrong horse!", &rehash));
	assert_false(rehash);
}

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Unknown logins and broken hashes fail, and cost the same work as a real check. */
static void
verify_should_spend_the_same_work_on_unknown_logins(void **state)
{
	char h[AUTH_HASH_MAX];
	bool rehash;
	double t0, real, dummy;
	static const char *const broken[] = { NULL, "", "plain text", "$argon2id$v=19$broken",
					      "$2y$10$abcdefghijklmnopqrstuv" };

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		rehash = true;
		assert_false(auth_verify_password(broken[i], "plain text", &rehash));
		assert_false(rehash);
	}
	assert_true(auth_hash_password("correct horse", h));
	t0 = seconds();
	assert_false(auth_verify_password(h, "wrong horse!", &rehash));
	real = seconds() - t0;
	t0 = seconds();
	assert_false(auth_verify_password(NULL, "wrong horse!", &rehash));
	dummy = seconds() - t0;
	/* Generous bounds: the point is "an Argon2id run", not a microbenchmark. */
	assert_true(dummy > real * 0.3);
	assert_true(dummy < real * 3.0);
}

static void
token_should_be_64_hex_and_fresh(void **state)
{
	char a[AUTH_TOKEN_HEX + 1], b[AUTH_TOKEN_HEX + 1];

	auth_token_new(a);
	auth_token_new(b);
	assert_int_equal(strlen(a), 64);
	assert_true(auth_token_valid(a));
	assert_string_not_equal(a, b);
}

static void
token_valid_should_refuse_other_shapes(void **state)
{
	static const char *const bad[] = {
		NULL, "", "abc",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0",
		"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefg",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddee f",
	};

	assert_true(auth_token_valid(nonce));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(auth_token_valid(bad[i]));
}

static void
form_token_should_bind_key_purpose_and_nonce(void **state)
{
	char t[AUTH_TOKEN_HEX + 1], u[AUTH_TOKEN_HEX + 1];
	unsigned char other[SECRET_BYTES] = { 0 };
	char other_nonce[] = "10112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

	auth_form_token(key, "login", nonce, t);
	assert_true(auth_token_valid(t));
	auth_form_token(key, "login", nonce, u);
	assert_string_equal(t, u);
	assert_true(auth_form_token_check(key, "login", nonce, t));
	assert_false(auth_form_token_check(key, "invite", nonce, t));
	assert_false(auth_form_token_check(key, "login", other_nonce, t));
	assert_false(auth_form_token_check(other, "login", nonce, t));
	t[0] = t[0] == '0' ? '1' : '0';
	assert_false(auth_form_token_check(key, "login", nonce, t));
	assert_false(auth_form_token_check(key, "login", nonce, NULL));
	assert_false(auth_form_token_check(key, "login", NULL, u));
	assert_false(auth_form_token_check(key, "login", "short", u));
	/* The purpose ends where the nonce begins: "log"+"in..." is not "login"+"...". */
	auth_form_token(key, "log", "in", t);
	auth_form_token(key, "login", "", u);
	assert_string_not_equal(t, u);
}

static void
cookie_should_carry_the_flags(void **state)
{
	struct arena a;

	arena_init(&a, 1024);
	assert_string_equal(auth_cookie(&a, "lf_staff", nonce, "/staff", false, -1),
			    "lf_staff=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff; "
			    "Path=/staff; HttpOnly; SameSite=Lax");
	assert_string_equal(auth_cookie(&a, "lf_staff", "x", "/staff", true, 604800),
			    "lf_staff=x; Path=/staff; HttpOnly; SameSite=Lax; Secure; Max-Age=604800");
	assert_string_equal(auth_cookie(&a, "lf_staff", "", "/api/v1/staff", false, 0),
			    "lf_staff=; Path=/api/v1/staff; HttpOnly; SameSite=Lax; Max-Age=0");
	arena_free(&a);
}

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(hash_should_verify_the_right_password_only),
		cmocka_unit_test(hash_should_salt_each_hash),
		cmocka_unit_test(verify_should_ask_for_rehash_when_parameters_changed),
		cmocka_unit_test(verify_should_spend_the_same_work_on_unknown_logins),
		cmocka_unit_test(token_should_be_64_hex_and_fresh),
		cmocka_unit_test(token_valid_should_refuse_other_shapes),
		cmocka_unit_test(form_token_should_bind_key_purpose_and_nonce),
		cmocka_unit_test(cookie_should_carry_the_flags),
	};
	size_t no, nn, np, n = 0, nfixed = sizeof(fixed) / sizeof(fixed[0]);
	struct tcase *orig = tsv_load("auth", "origin.tsv", 7, unescape, &no);
	struct tcase *next = tsv_load("auth", "next.tsv", 3, unescape, &nn);
	struct tcase *pw = tsv_load("auth", "password.tsv", 5, unescape, &np);
	struct CMUnitTest *tests = calloc(nfixed + no + nn + np, sizeof *tests);
	int rc;

	if (sodium_init() < 0)
		return 1;
	for (size_t i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < no; i++)
		tests[n++] = (struct CMUnitTest){ .name = orig[i].cols[0], .test_func = origin_case, .initial_state = &orig[i] };
	for (size_t i = 0; i < nn; i++)
		tests[n++] = (struct CMUnitTest){ .name = next[i].cols[0], .test_func = next_case, .initial_state = &next[i] };
	for (size_t i = 0; i < np; i++)
		tests[n++] = (struct CMUnitTest){ .name = pw[i].cols[0], .test_func = password_case, .initial_state = &pw[i] };
	rc = _cmocka_run_group_tests("auth", tests, n, NULL, NULL);
	tsv_free(orig, no);
	tsv_free(next, nn);
	tsv_free(pw, np);
	free(tests);
	return rc;
}
