/* PNG for QR codes (see png.h): grayscale at one bit a pixel keeps a 2048 px poster code small,
 * and filter type 0 on every row suits an image made of flat runs. */
#include "png.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PNG_MAX_SIDE 16384u

uint32_t
png_crc32(uint32_t crc, const void *p, size_t n)
{
	static uint32_t table[256];
	static int ready;
	const unsigned char *b = p;

	/* The reflected table of 0xEDB88320, built on first use (a pure, idempotent fill). */
	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	crc ^= 0xFFFFFFFFu;
	while (n-- > 0)
		crc = table[(crc ^ *b++) & 0xFF] ^ (crc >> 8);
	return crc ^ 0xFFFFFFFFu;
}

/* Big-endian, as every PNG integer is. */
static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A chunk: length, type, data, CRC over type and data. */
static void
chunk(struct buf *out, const char type[4], const unsigned char *data, size_t n)
{
	unsigned char word[4];
	uint32_t crc;

	put32(word, (uint32_t)n);
	buf_add(out, word, 4);
	buf_add(out, type, 4);
	if (n > 0)
		buf_add(out, data, n);
	crc = png_crc32(0, type, 4);
	crc = png_crc32(crc, data, n);
	put32(word, crc);
	buf_add(out, word, 4);
}

bool
png_gray1(struct buf *out, const unsigned char *rows, unsigned width, unsigned height)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
	size_t stride = ((size_t)width + 7) / 8, rawlen = (stride + 1) * height;
	unsigned char ihdr[13], *raw = NULL, *z = NULL;
	uLongf zlen;
	bool ok = false;

	if (width == 0 || height == 0 || width > PNG_MAX_SIDE || height > PNG_MAX_SIDE)
		goto done;
	raw = malloc(rawlen);
	zlen = compressBound((uLong)rawlen);
	z = malloc(zlen);
	if (raw == NULL || z == NULL)
		goto done;
	for (unsigned y = 0; y < height; y++) {
		raw[y * (stride + 1)] = 0; /* filter: none */
		memcpy(raw + y * (stride + 1) + 1, rows + y * stride, stride);
	}
	if (compress2(z, &zlen, raw, (uLong)rawlen, 6) != Z_OK)
		goto done;
	put32(ihdr, width);
	put32(ihdr + 4, height);
	ihdr[8] = 1;  /* bit depth */
	ihdr[9] = 0;  /* grayscale */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering, type 0 used */
	ihdr[12] = 0; /* not interlaced */
	buf_add(out, sig, sizeof(sig));
	chunk(out, "IHDR", ihdr, sizeof(ihdr));
	chunk(out, "IDAT", z, zlen);
	chunk(out, "IEND", NULL, 0);
	ok = true;
done:
	free(raw);
	free(z);
	return ok;
}
