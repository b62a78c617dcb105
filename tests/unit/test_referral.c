/* Signed referrals: round trip; another page, key or token, an edited signature, upper-case
 * hex and malformed input are refused. The thank-you value likewise, and it expires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "referral.h"

static const unsigned char key[SECRET_BYTES] = "0123456789abcdef0123456789abcde";
static const char tok[] = "0123456789abcdef0123456789abcdef";

static void
referral_should_round_trip_for_its_page(void **state)
{
	char s[REFERRAL_SIGNED_MAX], t[REFERRAL_TOKEN_LEN + 1];

	(void)state;
	assert_true(referral_sign(key, "demo", tok, s));
	assert_int_equal(strlen(s), REFERRAL_SIGNED_MAX - 1);
	assert_int_equal(strncmp(s, "r1.0123456789abcdef0123456789abcdef.", 36), 0);
	assert_true(referral_check(key, "demo", s, t));
	assert_string_equal(t, tok);
}

static void
referral_should_refuse_forged_or_altered(void **state)
{
	char s[REFERRAL_SIGNED_MAX], e[REFERRAL_SIGNED_MAX], t[REFERRAL_TOKEN_LEN + 1];
	unsigned char other[SECRET_BYTES] = { 0 };

	(void)state;
	assert_true(referral_sign(key, "demo", tok, s));
	assert_false(referral_check(key, "ask", s, t));   /* another page */
	assert_false(referral_check(other, "demo", s, t)); /* another key */
	strcpy(e, s);
	e[3] = e[3] == '0' ? '1' : '0'; /* another referrer, same signature */
	assert_false(referral_check(key, "demo", e, t));
	strcpy(e, s);
	e[40] = e[40] == 'a' ? 'b' : 'a'; /* an edited signature */
	assert_false(referral_check(key, "demo", e, t));
	strcpy(e, s);
	for (char *p = e + 36; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(e, s) != 0)
		assert_false(referral_check(key, "demo", e, t)); /* the same bytes, not our spelling */
	assert_false(referral_check(key, "demo", NULL, t));
	assert_false(referral_check(key, "demo", "", t));
	assert_false(referral_check(key, "demo", "r1.short.abc", t));
	assert_false(referral_check(key, "demo", "r2.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef", t));
	assert_false(referral_check(key, "demo", "r1.0123456789ABCDEF0123456789abcdef.0123456789abcdef0123456789abcdef", t));
	assert_false(referral_sign(key, "demo", "+8613800000000", s)); /* not a token */
	assert_false(referral_sign(key, "demo", "0123456789ABCDEF0123456789abcdef", s));
}

static const char stamp[] = "v1.1796000000000.0123456789abcdef01234567.0123456789abcdef0123456789abcdef";

static void
thanks_should_round_trip_until_it_expires(void **state)
{
	char s[REFERRAL_THANKS_MAX];
	const char *got = NULL;

	(void)state;
	assert_true(referral_thanks_sign(key, "demo", stamp, 1000, s));
	assert_int_equal(strncmp(s, "t1.1000.", 8), 0);
	assert_true(referral_thanks_check(key, "demo", s, 999, &got));
	assert_string_equal(got, stamp);
	assert_true(referral_thanks_check(key, "demo", s, 1000, &got));
	assert_false(referral_thanks_check(key, "demo", s, 1001, &got)); /* expired */
}

static void
thanks_should_refuse_forged_or_altered(void **state)
{
	char s[REFERRAL_THANKS_MAX], e[REFERRAL_THANKS_MAX], r[REFERRAL_SIGNED_MAX];
	unsigned char other[SECRET_BYTES] = { 0 };
	const char *got = NULL;
	size_t n;

	(void)state;
	assert_true(referral_thanks_sign(key, "demo", stamp, 5000, s));
	n = strlen(s);
	assert_false(referral_thanks_check(key, "ask", s, 1, &got));    /* another page */
	assert_false(referral_thanks_check(other, "demo", s, 1, &got)); /* another key */
	strcpy(e, s);
	e[3] = '9'; /* a later expiry, same signature */
	assert_false(referral_thanks_check(key, "demo", e, 1, &got));
	strcpy(e, s);
	e[10] = e[10] == 'a' ? 'b' : 'a'; /* an edited signature */
	assert_false(referral_thanks_check(key, "demo", e, 1, &got));
	strcpy(e, s);
	e[n - 1] = e[n - 1] == '0' ? '1' : '0'; /* another visitor's stamp */
	assert_false(referral_thanks_check(key, "demo", e, 1, &got));
	strcpy(e, "t1.05000");
	strcat(e, s + 7); /* the same expiry, another spelling */
	assert_false(referral_thanks_check(key, "demo", e, 1, &got));
	assert_true(referral_sign(key, "demo", tok, r)); /* a referral never passes for it */
	assert_false(referral_thanks_check(key, "demo", r, 1, &got));
	assert_false(referral_thanks_check(key, "demo", NULL, 1, &got));
	assert_false(referral_thanks_check(key, "demo", "", 1, &got));
	assert_false(referral_thanks_check(key, "demo", "t1.", 1, &got));
	assert_false(referral_thanks_check(key, "demo", "t1.99999999999999999999.0123456789abcdef0123456789abcdef.x", 1, &got));
	assert_false(referral_thanks_sign(key, "demo", "+86 138", 5000, s)); /* not a stamp */
	assert_false(referral_thanks_sign(key, "demo", "", 5000, s));
	assert_null(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(referral_should_round_trip_for_its_page),
		cmocka_unit_test(referral_should_refuse_forged_or_altered),
		cmocka_unit_test(thanks_should_round_trip_until_it_expires),
		cmocka_unit_test(thanks_should_refuse_forged_or_altered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
