/* Server-side SVG charts for the admin dashboard (see chart.h). Only presentation attributes, no
 * style attributes or script, so the portal's Content-Security-Policy allows the markup inline. */
#include "chart.h"

#include <stdio.h>
#include <string.h>

#include "html.h"

#define LABEL_W 150 /* the label column left of the bars */
#define VALUE_W 150 /* room right of the longest bar for the value and the rate */
#define BAR_H 22

int
chart_funnel_height(size_t n)
{
	if (n > CHART_MAX_BARS)
		n = CHART_MAX_BARS;
	return CHART_TOP * 2 + (int)n * CHART_ROW;
}

/* "36.4%": one decimal is enough to compare steps; the tables carry SQL's four places. */
static void
rate_text(struct buf *out, double rate)
{
	buf_printf(out, "%.1f%%", rate * 100.0);
}

/* Bar length in pixels: proportional to the largest value, at least 1 px for any non-zero
 * value so a small step stays visible next to a large one. */
static int
bar_width(long long v, long long max)
{
	const int room = CHART_WIDTH - LABEL_W - VALUE_W;
	long long w;

	if (v <= 0 || max <= 0)
		return 0;
	w = (long long)((double)v / (double)max * room + 0.5);
	if (w < 1)
		w = 1;
	if (w > room)
		w = room;
	return (int)w;
}

void
chart_funnel_svg(struct buf *out, const char *id, const char *title, const char *rate_word,
		 const struct chart_bar *bars, size_t n)
{
	long long max = 0;
	int h;

	if (n > CHART_MAX_BARS)
		n = CHART_MAX_BARS;
	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	h = chart_funnel_height(n);

	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart funnel\" width=\"%d\" "
			"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"",
		   CHART_WIDTH, h, CHART_WIDTH, h);
	html_escapes(out, id);
	buf_adds(out, "-title ");
	html_escapes(out, id);
	buf_adds(out, "-desc\"><title id=\"");
	html_escapes(out, id);
	buf_adds(out, "-title\">");
	html_escapes(out, title);
	buf_adds(out, "</title><desc id=\"");
	html_escapes(out, id);
	buf_adds(out, "-desc\">");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(out, "; ");
		html_escapes(out, bars[i].label != NULL ? bars[i].label : "");
		buf_printf(out, " %lld", bars[i].value > 0 ? bars[i].value : 0);
		if (bars[i].has_rate) {
			buf_adds(out, " (");
			html_escapes(out, rate_word != NULL ? rate_word : "");
			buf_addc(out, ' ');
			rate_text(out, bars[i].rate);
			buf_addc(out, ')');
		}
	}
	buf_adds(out, "</desc>\n");

	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		long long v = b->value > 0 ? b->value : 0;
		int y = CHART_TOP + (int)i * CHART_ROW, w = bar_width(v, max);
		int mid = y + CHART_ROW / 2 + 5; /* text baseline near the row's middle */

		buf_printf(out, "<g class=\"bar\" data-value=\"%lld\">", v);
		buf_printf(out, "<text class=\"label\" x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"14\" "
				"fill=\"#333333\">", LABEL_W - 10, mid);
		html_escapes(out, b->label != NULL ? b->label : "");
		buf_adds(out, "</text>");
		buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"#1f4fd1\"/>",
			   LABEL_W, y + (CHART_ROW - BAR_H) / 2, w, BAR_H);
		buf_printf(out, "<text class=\"value\" x=\"%d\" y=\"%d\" font-size=\"14\" fill=\"#111111\">%lld",
			   LABEL_W + w + 6, mid, v);
		buf_adds(out, "</text>");
		if (b->has_rate) {
			buf_printf(out, "<text class=\"rate\" x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"13\" "
					"fill=\"#555555\">", CHART_WIDTH - 4, mid);
			rate_text(out, b->rate);
			buf_adds(out, "</text>");
		}
		buf_adds(out, "</g>\n");
	}
	buf_adds(out, "</svg>");
}
