/* Charts for the admin dashboard drawn as inline SVG on the server: no script, no chart library,
 * nothing for the browser to download. Pure: bars in, markup appended to a buf. */
#ifndef LANDFORM_CHART_H
#define LANDFORM_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The chart's outer size in CSS pixels; it scales down with the page (viewBox). */
#define CHART_WIDTH 640
#define CHART_ROW 36     /* height of one bar's row */
#define CHART_TOP 8      /* space above the first bar */
#define CHART_MAX_BARS 16

/* One step of a funnel. label is UTF-8 text (escaped on output); rate is this step over the
 * step before it (0.3636 = 36.4%), shown only when has_rate. The caller owns the strings. */
struct chart_bar {
	const char *label;
	long long value;
	double rate;
	bool has_rate;
};

/* Appends the funnel as an accessible <svg role="img"> with a <title> and a <desc> listing
 * every step in words, then one <g class="bar"> per step: label, a bar whose length is its
 * value over the largest value, the value and the conversion rate. At most CHART_MAX_BARS bars
 * are drawn (the rest are ignored); negative values draw as 0. rate_word introduces rates in
 * the description ("conversion"); id makes the title/desc ids unique on the page. Nothing in
 * the output comes from the caller unescaped. */
void chart_funnel_svg(struct buf *out, const char *id, const char *title, const char *rate_word,
		      const struct chart_bar *bars, size_t n);

/* The chart's height for n bars (what the svg's height attribute says). */
int chart_funnel_height(size_t n);

#endif
