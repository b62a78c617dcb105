/* Spool record framing: CRC-32C against RFC 3720's vectors, records read back, a torn tail cut
 * off, a damaged middle record set aside with the rest kept, lengths past the limit refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "spoolrec.h"

static void
crc32c_should_match_rfc3720_vectors(void **state)
{
	unsigned char b[32];

	(void)state;
	memset(b, 0, sizeof(b));
	assert_int_equal(spoolrec_crc32c(0, b, 32), 0x8A9136AAu);
	memset(b, 0xff, sizeof(b));
	assert_int_equal(spoolrec_crc32c(0, b, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		b[i] = (unsigned char)i;
	assert_int_equal(spoolrec_crc32c(0, b, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		b[i] = (unsigned char)(31 - i);
	assert_int_equal(spoolrec_crc32c(0, b, 32), 0x113FDB5Cu);
	assert_int_equal(spoolrec_crc32c(0, "123456789", 9), 0xE3069283u);
	/* In pieces, as the header and payload are summed. */
	assert_int_equal(spoolrec_crc32c(spoolrec_crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
}

/* Append a framed record for text to buf at *n. */
static void
add(unsigned char *buf, size_t *n, const char *text)
{
	uint32_t len = (uint32_t)strlen(text);

	spoolrec_header(buf + *n, text, len);
	memcpy(buf + *n + SPOOLREC_HEADER, text, len);
	*n += SPOOLREC_HEADER + len;
}

static void
expect_record(const unsigned char *buf, size_t n, size_t *pos, const char *text)
{
	struct spoolrec_span s;

	assert_int_equal(spoolrec_next(buf, n, pos, &s), SPOOLREC_RECORD);
	assert_int_equal(s.payload_len, strlen(text));
	assert_memory_equal(s.payload, text, strlen(text));
}

static void
reader_should_give_back_every_record_then_end(void **state)
{
	unsigned char buf[256];
	size_t n = 0, pos = 0;
	struct spoolrec_span s;

	(void)state;
	add(buf, &n, "{\"phone\":\"+8613800000001\"}");
	add(buf, &n, "");
	add(buf, &n, "second");
	expect_record(buf, n, &pos, "{\"phone\":\"+8613800000001\"}");
	expect_record(buf, n, &pos, "");
	expect_record(buf, n, &pos, "second");
	assert_int_equal(spoolrec_next(buf, n, &pos, &s), SPOOLREC_END);
	assert_int_equal(spoolrec_next(buf, 0, &(size_t){ 0 }, &s), SPOOLREC_END);
}

static void
reader_should_cut_a_torn_tail_at_every_length(void **state)
{
	unsigned char buf[256];
	size_t n = 0, whole;
	struct spoolrec_span s;

	(void)state;
	add(buf, &n, "first");
	whole = n;
	add(buf, &n, "the append a crash cut short");
	/* Every prefix of the second record: the first is kept, the rest is a torn tail. */
	for (size_t cut = whole + 1; cut < n; cut++) {
		size_t pos = 0;

		expect_record(buf, cut, &pos, "first");
		assert_int_equal(spoolrec_next(buf, cut, &pos, &s), SPOOLREC_TORN);
		assert_int_equal(s.offset, whole);
		assert_int_equal(s.len, cut - whole);
		assert_int_equal(pos, cut);
	}
	/* Zeros where the record should be (a file extended, its data never written). */
	memset(buf + whole, 0, n - whole);
	{
		size_t pos = 0;

		expect_record(buf, n, &pos, "first");
		assert_int_equal(spoolrec_next(buf, n, &pos, &s), SPOOLREC_TORN);
		assert_int_equal(s.offset, whole);
	}
}

static void
reader_should_set_aside_a_damaged_middle_record_and_go_on(void **state)
{
	unsigned char buf[256];
	size_t n = 0, a, b, pos = 0;
	struct spoolrec_span s;

	(void)state;
	add(buf, &n, "one");
	a = n;
	add(buf, &n, "two, flipped");
	b = n;
	add(buf, &n, "three");
	buf[a + SPOOLREC_HEADER + 3] ^= 0x20; /* one bit of the payload */
	expect_record(buf, n, &pos, "one");
	assert_int_equal(spoolrec_next(buf, n, &pos, &s), SPOOLREC_CORRUPT);
	assert_int_equal(s.offset, a);
	assert_int_equal(s.len, b - a);
	expect_record(buf, n, &pos, "three");
	assert_int_equal(spoolrec_next(buf, n, &pos, &s), SPOOLREC_END);

	/* A damaged length field cannot be followed: the next intact frame is found instead. */
	buf[a + SPOOLREC_HEADER + 3] ^= 0x20;
	buf[a + 5] = 0x7f;
	pos = 0;
	expect_record(buf, n, &pos, "one");
	assert_int_equal(spoolrec_next(buf, n, &pos, &s), SPOOLREC_CORRUPT);
	assert_int_equal(s.len, b - a);
	expect_record(buf, n, &pos, "three");
}

static void
reader_should_refuse_a_length_past_the_limit(void **state)
{
	unsigned char buf[64];
	size_t n = 0, pos = 0;
	struct spoolrec_span s;

	(void)state;
	add(buf, &n, "x");
	/* Claims 4 GiB - 1: never trusted, never read past the buffer. */
	buf[4] = buf[5] = buf[6] = buf[7] = 0xff;
	assert_int_equal(spoolrec_next(buf, n, &pos, &s), SPOOLREC_TORN);
	assert_int_equal(s.offset, 0);
	/* One past the limit, with a matching CRC: still refused. */
	{
		static unsigned char big[SPOOLREC_HEADER + SPOOLREC_MAX_PAYLOAD + 1];

		spoolrec_header(big, big + SPOOLREC_HEADER, SPOOLREC_MAX_PAYLOAD + 1);
		pos = 0;
		assert_int_equal(spoolrec_next(big, sizeof(big), &pos, &s), SPOOLREC_TORN);
		spoolrec_header(big, big + SPOOLREC_HEADER, SPOOLREC_MAX_PAYLOAD);
		pos = 0;
		assert_int_equal(spoolrec_next(big, sizeof(big) - 1, &pos, &s), SPOOLREC_RECORD);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32c_should_match_rfc3720_vectors),
		cmocka_unit_test(reader_should_give_back_every_record_then_end),
		cmocka_unit_test(reader_should_cut_a_torn_tail_at_every_length),
		cmocka_unit_test(reader_should_set_aside_a_damaged_middle_record_and_go_on),
		cmocka_unit_test(reader_should_refuse_a_length_past_the_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
