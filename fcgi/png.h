/* A minimal PNG writer for black-and-white images (QR codes): one IHDR, one IDAT, IEND.
 * Pure: buffers in, bytes out; zlib does the deflate, the chunk CRC-32 is ours. */
#ifndef LANDFORM_PNG_H
#define LANDFORM_PNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* CRC-32 (ISO 3309, the polynomial PNG and zlib use) of n bytes, continuing from crc
 * (start with 0). */
uint32_t png_crc32(uint32_t crc, const void *p, size_t n);

/* Append a 1-bit grayscale PNG of width x height to out. rows holds height rows of
 * (width + 7) / 8 bytes each, most significant bit first, 1 = white, 0 = black.
 * False (out unchanged) when a dimension is 0 or over 16384, or zlib fails. */
bool png_gray1(struct buf *out, const unsigned char *rows, unsigned width, unsigned height)
	__attribute__((warn_unused_result));

#endif
