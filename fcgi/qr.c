/* QR symbols (see qr.h): libqrencode stays inside this file; SVG and PNG drawing are separate
 * functions over the same module matrix. */
#include "qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

bool
qr_encode(struct arena *a, const char *text, struct qr *out)
{
	QRcode *c = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	size_t n;

	if (c == NULL)
		return false;
	out->width = c->width;
	n = (size_t)c->width * (size_t)c->width;
	out->dark = arena_alloc(a, n);
	/* Bit 0 of each byte is the module's colour; the other bits describe its role. */
	for (size_t i = 0; i < n; i++)
		out->dark[i] = c->data[i] & 1;
	QRcode_free(c);
	return true;
}

void
qr_svg(struct buf *out, const struct qr *q)
{
	int side = q->width + 2 * QR_QUIET;

	buf_printf(out,
		   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		   "shape-rendering=\"crispEdges\">\n"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
		   side, side, side * 8, side * 8, side, side);
	/* One horizontal run of dark modules per subpath keeps the file a few KB. */
	for (int y = 0; y < q->width; y++) {
		for (int x = 0; x < q->width;) {
			int run = 0;

			while (x + run < q->width && q->dark[y * q->width + x + run])
				run++;
			if (run == 0) {
				x++;
				continue;
			}
			buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run, run);
			x += run;
		}
	}
	buf_adds(out, "\"/>\n</svg>\n");
}

bool
qr_png(struct buf *out, const struct qr *q, unsigned size)
{
	unsigned modules = (unsigned)q->width + 2 * QR_QUIET, px, side;
	size_t stride;
	unsigned char *rows = NULL;
	bool ok = false;

	if (size < QR_PNG_MIN || size > QR_PNG_MAX)
		return false;
	px = size / modules ? size / modules : 1;
	side = px * modules;
	stride = ((size_t)side + 7) / 8;
	if ((rows = malloc(stride * side)) == NULL)
		return false;
	memset(rows, 0xFF, stride * side); /* white */
	/* Draw the first pixel row of each module row, then copy it px - 1 times. */
	for (int my = 0; my < q->width; my++) {
		unsigned char *row = rows + (size_t)(my + QR_QUIET) * px * stride;

		for (int mx = 0; mx < q->width; mx++) {
			if (!q->dark[my * q->width + mx])
				continue;
			for (unsigned x = (unsigned)(mx + QR_QUIET) * px; x < (unsigned)(mx + QR_QUIET + 1) * px; x++)
				row[x / 8] &= (unsigned char)~(0x80u >> (x % 8));
		}
		for (unsigned k = 1; k < px; k++)
			memcpy(row + k * stride, row, stride);
	}
	ok = png_gray1(out, rows, side, side);
	free(rows);
	return ok;
}
