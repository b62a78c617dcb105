/* libFuzzer target for the spool reader: any bytes as a spool file found after a crash. Every
 * span must stay inside the buffer and the walk must end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoolrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	unsigned char *buf = malloc(size ? size : 1);
	size_t pos = 0, covered = 0;
	struct spoolrec_span s;

	memcpy(buf, data, size);
	while (spoolrec_next(buf, size, &pos, &s) != SPOOLREC_END) {
		if (s.offset != covered || s.len == 0 || s.offset + s.len > size || pos != covered + s.len)
			abort();
		if (s.kind == SPOOLREC_RECORD && s.payload_len + SPOOLREC_HEADER != s.len)
			abort();
		covered += s.len;
	}
	if (covered != size)
		abort();
	free(buf);
	return 0;
}
