/* Spool record framing, pure: bytes in, spans out, no I/O, so the reader can be unit tested and
 * fuzzed. A spool file is a run of records, each:
 *
 *   magic "LFS1" (4 bytes) | payload length (u32, little-endian) |
 *   CRC-32C of the length bytes and the payload (u32, little-endian) | payload
 *
 * The reader walks a whole file held in memory and says, span by span, what each part is:
 * a record, a damaged part followed by a good record (corrupt, to be moved aside), or damage
 * with nothing good after it (a torn tail: an append a crash cut short, never acknowledged). */
#ifndef LANDFORM_SPOOLREC_H
#define LANDFORM_SPOOLREC_H

#include <stddef.h>
#include <stdint.h>

#define SPOOLREC_HEADER 12
/* Longest payload a record may carry: a submission is bounded by max_body and friends. */
#define SPOOLREC_MAX_PAYLOAD (4u << 20)

/* CRC-32C (Castagnoli, reflected 0x82F63B78), as iSCSI uses it (RFC 3720 B.4); pass 0 to start,
 * the previous result to continue. */
uint32_t spoolrec_crc32c(uint32_t crc, const void *data, size_t len);

/* Fill hdr for a payload of len bytes (len <= SPOOLREC_MAX_PAYLOAD); the payload follows it. */
void spoolrec_header(unsigned char hdr[SPOOLREC_HEADER], const void *payload, uint32_t len);

enum spoolrec_kind {
	SPOOLREC_END,     /* nothing left */
	SPOOLREC_RECORD,  /* payload points into the buffer */
	SPOOLREC_CORRUPT, /* offset..offset+len is damaged; a good record follows it */
	SPOOLREC_TORN     /* offset..end is damaged and nothing good follows: cut it off */
};

struct spoolrec_span {
	enum spoolrec_kind kind;
	size_t offset;                /* where the span starts in the buffer */
	size_t len;                   /* bytes the span covers, header included */
	const unsigned char *payload; /* SPOOLREC_RECORD only */
	size_t payload_len;
};

/* Read the span at *pos of buf[0..size) and move *pos past it. */
enum spoolrec_kind spoolrec_next(const unsigned char *buf, size_t size, size_t *pos,
				 struct spoolrec_span *out);

#endif
