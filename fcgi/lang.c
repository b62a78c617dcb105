/* Language negotiation: ?lang= first, then Accept-Language (RFC 9110 section 12.5.4). */
#include "lang.h"

#include <string.h>

static const char *tags[LANG_COUNT] = {"zh-CN", "en"};

const char *
lang_tag(enum lang l)
{
	if ((unsigned)l >= LANG_COUNT)
		return tags[LANG_ZH_CN];
	return tags[l];
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int
is_alpha(int c)
{
	c = lower(c);
	return c >= 'a' && c <= 'z';
}

static int
is_alnum(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* Tags are checked for shape so "en<script>" never counts as English. */
bool
lang_from_tag(const char *tag, size_t len, enum lang *out)
{
	size_t i, primary, sub;

	if (tag == NULL || len == 0 || len > 35)
		return false;
	for (primary = 0; primary < len && is_alpha((unsigned char)tag[primary]); primary++)
		;
	if (primary < 2 || primary > 3)
		return false;
	/* Subtags: 1..8 alphanumerics, separated by '-' (or '_', as people type zh_CN). */
	for (i = primary; i < len;) {
		if (tag[i] != '-' && tag[i] != '_')
			return false;
		i++;
		for (sub = 0; i < len && is_alnum((unsigned char)tag[i]); i++)
			sub++;
		if (sub == 0 || sub > 8)
			return false;
	}
	if (primary == 2 && lower(tag[0]) == 'z' && lower(tag[1]) == 'h') {
		*out = LANG_ZH_CN;
		return true;
	}
	if (primary == 2 && lower(tag[0]) == 'e' && lower(tag[1]) == 'n') {
		*out = LANG_EN;
		return true;
	}
	return false;
}

static int
is_ows(int c)
{
	return c == ' ' || c == '\t';
}

/* A qvalue ("0", "0.5", "1.000") as thousandths; -1 when malformed. */
static int
parse_q(const char *s, size_t len)
{
	size_t i;
	int q, scale;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (len == 1)
		return q;
	if (s[1] != '.' || len > 5)
		return -1;
	for (i = 2, scale = 100; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

/* The q parameter of one Accept-Language element's parameters (after the range), 1000 if absent. */
static int
element_q(const char *p, const char *end)
{
	const char *name, *val;
	size_t nlen;

	while (p < end) {
		while (p < end && (is_ows((unsigned char)*p) || *p == ';'))
			p++;
		name = p;
		while (p < end && *p != '=' && *p != ';' && !is_ows((unsigned char)*p))
			p++;
		nlen = (size_t)(p - name);
		while (p < end && is_ows((unsigned char)*p))
			p++;
		if (p >= end || *p != '=') {
			if (nlen == 0)
				continue;
			return -1;
		}
		p++;
		while (p < end && is_ows((unsigned char)*p))
			p++;
		val = p;
		while (p < end && *p != ';' && !is_ows((unsigned char)*p))
			p++;
		if (nlen == 1 && lower(name[0]) == 'q')
			return parse_q(val, (size_t)(p - val));
	}
	return 1000;
}

/* Best supported language in an Accept-Language header, or false when none is acceptable. */
static bool
from_header(const char *h, enum lang *out)
{
	int q[LANG_COUNT], pos[LANG_COUNT];
	int star_q = -1, star_pos = -1, n = 0, eq, best, bq, bp, eqv, l;
	const char *p = h, *elem, *range_end, *end;
	enum lang which;

	for (l = 0; l < LANG_COUNT; l++) {
		q[l] = -1;
		pos[l] = -1;
	}
	while (*p != '\0') {
		while (*p == ',' || is_ows((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		elem = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		for (range_end = elem;
		     range_end < end && *range_end != ';' && !is_ows((unsigned char)*range_end);
		     range_end++)
			;
		eq = element_q(range_end, end);
		n++;
		if (eq < 0)
			continue;
		if (range_end - elem == 1 && elem[0] == '*') {
			if (eq > star_q) {
				star_q = eq;
				star_pos = n;
			}
			continue;
		}
		if (!lang_from_tag(elem, (size_t)(range_end - elem), &which))
			continue;
		if (q[which] < 0)
			pos[which] = n;
		if (eq > q[which])
			q[which] = eq;
	}
	best = -1;
	bq = 0;
	bp = 0;
	for (l = 0; l < LANG_COUNT; l++) {
		eqv = q[l];
		if (eqv < 0) {
			eqv = star_q;
			pos[l] = star_pos;
		}
		if (eqv <= 0)
			continue;
		if (best < 0 || eqv > bq || (eqv == bq && pos[l] < bp)) {
			best = l;
			bq = eqv;
			bp = pos[l];
		}
	}
	if (best < 0)
		return false;
	*out = (enum lang)best;
	return true;
}

/* The explicit choice (a link or the language switch) beats the browser's wish. */
enum lang
lang_choose(const char *query_lang, const char *accept_language)
{
	enum lang l;

	if (query_lang != NULL && lang_from_tag(query_lang, strlen(query_lang), &l))
		return l;
	if (accept_language != NULL && from_header(accept_language, &l))
		return l;
	return LANG_ZH_CN;
}
