/* Spool record framing: what makes a torn append and a flipped bit findable after a crash. */
#include "spoolrec.h"

#include <string.h>

static const unsigned char magic[4] = { 'L', 'F', 'S', '1' };

static uint32_t table[256];
static int table_ready;

/* The byte-at-a-time table for the reflected Castagnoli polynomial, built once. */
static void
build_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[i] = c;
	}
	table_ready = 1;
}

uint32_t
spoolrec_crc32c(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!table_ready)
		build_table();
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void
spoolrec_header(unsigned char hdr[SPOOLREC_HEADER], const void *payload, uint32_t len)
{
	memcpy(hdr, magic, 4);
	put32(hdr + 4, len);
	put32(hdr + 8, spoolrec_crc32c(spoolrec_crc32c(0, hdr + 4, 4), payload, len));
}

/* A whole, intact record at off: its payload length, or -1. */
static long long
valid_at(const unsigned char *buf, size_t size, size_t off)
{
	uint32_t len;

	if (size - off < SPOOLREC_HEADER || memcmp(buf + off, magic, 4) != 0)
		return -1;
	len = get32(buf + off + 4);
	if (len > SPOOLREC_MAX_PAYLOAD || len > size - off - SPOOLREC_HEADER)
		return -1;
	if (spoolrec_crc32c(spoolrec_crc32c(0, buf + off + 4, 4), buf + off + SPOOLREC_HEADER, len) !=
	    get32(buf + off + 8))
		return -1;
	return len;
}

enum spoolrec_kind
spoolrec_next(const unsigned char *buf, size_t size, size_t *pos, struct spoolrec_span *out)
{
	size_t off = *pos, next;
	long long len;

	memset(out, 0, sizeof(*out));
	out->offset = off;
	if (off >= size) {
		out->kind = SPOOLREC_END;
		return out->kind;
	}
	len = valid_at(buf, size, off);
	if (len >= 0) {
		out->kind = SPOOLREC_RECORD;
		out->payload = buf + off + SPOOLREC_HEADER;
		out->payload_len = (size_t)len;
		out->len = SPOOLREC_HEADER + (size_t)len;
		*pos = off + out->len;
		return out->kind;
	}
	/* Damage: a good record further on means it was in the middle; none means a torn tail.
	 * A length field that was hit cannot be trusted, so look for the next intact frame. */
	for (next = off + 1; next < size; next++) {
		const unsigned char *m = memchr(buf + next, magic[0], size - next);

		if (m == NULL)
			break;
		next = (size_t)(m - buf);
		if (valid_at(buf, size, next) >= 0) {
			out->kind = SPOOLREC_CORRUPT;
			out->len = next - off;
			*pos = next;
			return out->kind;
		}
	}
	out->kind = SPOOLREC_TORN;
	out->len = size - off;
	*pos = size;
	return out->kind;
}
