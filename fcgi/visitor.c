/* The visitor cookie: see visitor.h. */
#include "visitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hex[] = "0123456789abcdef";

/* Parse "<decimal day>" then ".<8 hex>" marks; false at the first thing out of shape. */
static bool
parse_marks(const char *s, struct visitor *v)
{
	size_t digits = strspn(s, "0123456789");

	if (digits == 0 || digits > 10)
		return false;
	v->day = strtol(s, NULL, 10);
	if (v->day == 0)
		return false;
	for (s += digits; *s == '.'; s += 9) {
		char mark[9];

		if (strspn(s + 1, hex) < 8 || v->nmarks == VISITOR_MAX_MARKS)
			return false;
		memcpy(mark, s + 1, 8);
		mark[8] = '\0';
		v->marks[v->nmarks++] = (uint32_t)strtoul(mark, NULL, 16);
	}
	return *s == '\0';
}

bool
visitor_parse(const char *value, struct visitor *v)
{
	memset(v, 0, sizeof(*v));
	if (value == NULL)
		return false;
	if (strspn(value, hex) != VISITOR_ID_LEN ||
	    (value[VISITOR_ID_LEN] != '\0' && value[VISITOR_ID_LEN] != '.'))
		return false;
	memcpy(v->id, value, VISITOR_ID_LEN);
	if (value[VISITOR_ID_LEN] == '.' && !parse_marks(value + VISITOR_ID_LEN + 1, v)) {
		v->day = 0;
		v->nmarks = 0;
	}
	return true;
}

void
visitor_init(struct visitor *v, const char *id)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->id, id, VISITOR_ID_LEN);
}

long
visitor_day(int64_t unix_s, long offset_s)
{
	int64_t t = unix_s + offset_s;

	return (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

/* FNV-1a of "slug\0channel": two pairs sharing a mark (about one in four billion) would only
 * count one of them once less that day. */
static uint32_t
pair_mark(const char *slug, const char *channel)
{
	uint32_t h = 2166136261u;

	for (const char *p = slug; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ 0) * 16777619u;
	for (const char *p = channel ? channel : ""; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

bool
visitor_count(struct visitor *v, long day, const char *slug, const char *channel)
{
	uint32_t m = pair_mark(slug, channel);

	if (v->day != day) {
		v->day = day;
		v->nmarks = 0;
	}
	for (int i = 0; i < v->nmarks; i++)
		if (v->marks[i] == m)
			return false;
	if (v->nmarks == VISITOR_MAX_MARKS) {
		memmove(v->marks, v->marks + 1, (VISITOR_MAX_MARKS - 1) * sizeof(v->marks[0]));
		v->nmarks--;
	}
	v->marks[v->nmarks++] = m;
	return true;
}

void
visitor_format(const struct visitor *v, char *out)
{
	size_t n;

	memcpy(out, v->id, VISITOR_ID_LEN);
	n = VISITOR_ID_LEN;
	if (v->day > 0 && v->nmarks > 0) {
		n += (size_t)snprintf(out + n, VISITOR_VALUE_MAX - n, ".%ld", v->day);
		for (int i = 0; i < v->nmarks; i++)
			n += (size_t)snprintf(out + n, VISITOR_VALUE_MAX - n, ".%08x", (unsigned)v->marks[i]);
	}
	out[n] = '\0';
}
