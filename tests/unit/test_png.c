/* PNG writer: the CRC-32 against known values, the chunk layout, and the pixels back through
 * zlib's inflate; dimensions out of range are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <zlib.h>

#include "arena.h"
#include "png.h"

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
crc32_should_match_known_values(void **state)
{
	(void)state;
	/* The check value of CRC-32/ISO-HDLC, and the CRC every PNG's IEND chunk carries. */
	assert_int_equal(png_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(png_crc32(0, "IEND", 4), 0xAE426082u);
	assert_int_equal(png_crc32(png_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
	assert_int_equal(png_crc32(0, "", 0), 0);
}

static void
png_should_hold_the_pixels_in_valid_chunks(void **state)
{
	/* 10 x 3: a checkerboard first row, all black, all white. Two bytes a row. */
	static const unsigned char rows[] = { 0xAA, 0x80, 0x00, 0x00, 0xFF, 0xC0 };
	unsigned char raw[3 * 3];
	uLongf rawlen = sizeof(raw);
	struct arena a;
	struct buf b;
	const unsigned char *p;
	size_t off = 8;
	int n = 0;

	(void)state;
	arena_init(&a, 4096);
	buf_init(&b, &a, 64);
	assert_true(png_gray1(&b, rows, 10, 3));
	p = (const unsigned char *)b.data;
	assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
	while (off < b.len) {
		uint32_t len = be32(p + off);
		const unsigned char *type = p + off + 4;

		assert_int_equal(be32(p + off + 8 + len), png_crc32(0, type, len + 4));
		if (n == 0) {
			assert_memory_equal(type, "IHDR", 4);
			assert_int_equal(len, 13);
			assert_int_equal(be32(type + 4), 10);
			assert_int_equal(be32(type + 8), 3);
			assert_int_equal(type[12], 1); /* bit depth */
			assert_int_equal(type[13], 0); /* grayscale */
		} else if (n == 1) {
			assert_memory_equal(type, "IDAT", 4);
			assert_int_equal(uncompress(raw, &rawlen, type + 4, len), Z_OK);
			assert_int_equal(rawlen, 9);
			assert_memory_equal(raw, "\0\xAA\x80\0\0\0\0\xFF\xC0", 9);
		} else {
			assert_memory_equal(type, "IEND", 4);
			assert_int_equal(len, 0);
		}
		off += 12 + len;
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(off, b.len);
	arena_free(&a);
}

static void
png_should_refuse_empty_or_huge_images(void **state)
{
	static const unsigned char rows[2] = { 0 };
	struct arena a;
	struct buf b;

	(void)state;
	arena_init(&a, 4096);
	buf_init(&b, &a, 64);
	assert_false(png_gray1(&b, rows, 0, 1));
	assert_false(png_gray1(&b, rows, 1, 0));
	assert_false(png_gray1(&b, rows, 16385, 1));
	assert_int_equal(b.len, 0);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32_should_match_known_values),
		cmocka_unit_test(png_should_hold_the_pixels_in_valid_chunks),
		cmocka_unit_test(png_should_refuse_empty_or_huge_images),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
