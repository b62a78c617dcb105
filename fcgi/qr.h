/* QR codes for live channel codes: libqrencode makes the matrix (error correction M), this
 * module draws it as SVG or PNG with a quiet zone of 4 modules, as ISO/IEC 18004 asks. */
#ifndef LANDFORM_QR_H
#define LANDFORM_QR_H

#include <stdbool.h>

#include "arena.h"
#include "buf.h"

#define QR_QUIET 4          /* modules of white around the symbol */
#define QR_PNG_MIN 64       /* px: the smallest PNG side a request may ask for */
#define QR_PNG_MAX 2048     /* px: a 10 cm poster code at 500 dpi */

/* A symbol: width x width modules, dark[y * width + x] is 1 for a dark module. In the arena. */
struct qr {
	int width;
	unsigned char *dark;
};

/* Encode text (8-bit mode, error correction M, the smallest version that holds it).
 * False when libqrencode refuses (too long, out of memory). */
bool qr_encode(struct arena *a, const char *text, struct qr *out) __attribute__((warn_unused_result));

/* The symbol as a standalone SVG document, one module per user unit, quiet zone included. */
void qr_svg(struct buf *out, const struct qr *q);

/* The symbol as a PNG at most size px on a side (whole pixels per module, at least one),
 * quiet zone included. size must be within QR_PNG_MIN..QR_PNG_MAX. False when not, or the
 * encoder fails. */
bool qr_png(struct buf *out, const struct qr *q, unsigned size) __attribute__((warn_unused_result));

#endif
