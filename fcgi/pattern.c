/* Field patterns from form.json: only the syntax that POSIX ERE (regcomp) and a browser
 * (new RegExp(p, "v")) read alike gets through, so the page and the server never disagree on a
 * value. Split out of schema.c, whose loader and checks are its callers. */
#include "pattern.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The characters a backslash may escape: those both dialects read as operators. */
static bool
is_syntax(int c)
{
	return c != '\0' && strchr("^$\\.*+?()[]{}|", c) != NULL;
}

/* Characters that a browser's v-mode class refuses bare, or treats as an operator. */
static bool
is_class_syntax(int c)
{
	return c != '\0' && strchr("()[]{}/-\\|", c) != NULL;
}

/* v-mode reserves doubled punctuation inside a class (&&, --, ...) for set operations. */
static bool
is_double_punct(int c)
{
	return c != '\0' && strchr("&!#$%*+,.:;<=>?@^`~", c) != NULL;
}

/* Length of the UTF-8 sequence at p (validity was checked for the whole file). */
static size_t
u8len(const char *p)
{
	unsigned char c = (unsigned char)*p;

	if (c < 0x80)
		return 1;
	if (c >= 0xf0)
		return 4;
	if (c >= 0xe0)
		return 3;
	return 2;
}

/* The code point at p, for comparing the ends of a range. */
static uint32_t
u8dec(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	switch (u8len(p)) {
	case 1:
		return u[0];
	case 2:
		return ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
	case 3:
		return ((uint32_t)(u[0] & 0x0f) << 12) | ((uint32_t)(u[1] & 0x3f) << 6) |
		       (u[2] & 0x3f);
	default:
		return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3f) << 12) |
		       ((uint32_t)(u[2] & 0x3f) << 6) | (u[3] & 0x3f);
	}
}

/* The walk through a pattern: where it is, how deep in groups, and why it stopped. */
struct pat {
	const char *p;
	int depth;
	const char *why;
};

static bool pat_alt(struct pat *pt);

/* A bracket expression using only what POSIX ERE and a browser's v-mode agree on. */
static bool
pat_class(struct pat *pt)
{
	uint32_t lo, hi;
	int prev = 0, items = 0;

	pt->p++;
	if (*pt->p == '^')
		pt->p++;
	while (*pt->p != ']') {
		if (*pt->p == '\0') {
			pt->why = "unclosed [";
			return false;
		}
		if (is_class_syntax((unsigned char)*pt->p) || (*pt->p == '^' && items == 0)) {
			pt->why = "inside [...] only plain characters and ranges a-z are allowed";
			return false;
		}
		if (is_double_punct((unsigned char)*pt->p) && *pt->p == prev) {
			pt->why =
			    "doubled punctuation inside [...] means something else to browsers";
			return false;
		}
		prev = (unsigned char)*pt->p;
		lo = u8dec(pt->p);
		pt->p += u8len(pt->p);
		if (*pt->p == '-') {
			pt->p++;
			if (*pt->p == '\0' || *pt->p == ']' ||
			    is_class_syntax((unsigned char)*pt->p)) {
				pt->why =
				    "a '-' inside [...] must be a range between two characters";
				return false;
			}
			hi = u8dec(pt->p);
			pt->p += u8len(pt->p);
			/* glibc cannot compile ranges between non-ASCII characters. */
			if (lo >= 0x80 || hi >= 0x80) {
				pt->why = "ranges inside [...] must be between ASCII characters "
				          "(list others one by one, or use [^...] or .)";
				return false;
			}
			if (hi < lo) {
				pt->why = "range out of order inside [...]";
				return false;
			}
			prev = 0;
		}
		items++;
	}
	if (items == 0) {
		pt->why = "empty [...]";
		return false;
	}
	pt->p++;
	return true;
}

/* {n}, {n,}, {n,m} with small numbers. */
static bool
pat_braces(struct pat *pt)
{
	unsigned long lo, hi;
	char *end;

	if (pt->p[1] < '0' || pt->p[1] > '9')
		goto bad;
	lo = strtoul(pt->p + 1, &end, 10);
	hi = lo;
	if (*end == ',') {
		end++;
		if (*end == '}')
			hi = 1000;
		else if (*end >= '0' && *end <= '9')
			hi = strtoul(end, &end, 10);
		else
			goto bad;
	}
	if (*end != '}' || lo > hi || hi > 1000)
		goto bad;
	pt->p = end + 1;
	return true;
bad:
	pt->why = "'{' must start a repeat count like {2}, {2,} or {2,5} (at most 1000)";
	return false;
}

/* One branch: atoms, each with at most one quantifier; empty branches are refused. */
static bool
pat_seq(struct pat *pt)
{
	int atoms = 0;
	bool quantifiable;

	while (*pt->p != '\0' && *pt->p != '|' && *pt->p != ')') {
		quantifiable = true;
		switch (*pt->p) {
		case '(':
			if (++pt->depth > 10) {
				pt->why = "groups nested too deep";
				return false;
			}
			pt->p++;
			if (!pat_alt(pt))
				return false;
			if (*pt->p != ')') {
				pt->why = "unclosed (";
				return false;
			}
			pt->p++;
			pt->depth--;
			break;
		case '[':
			if (!pat_class(pt))
				return false;
			break;
		case '\\':
			if (!is_syntax((unsigned char)pt->p[1])) {
				pt->why = "'\\' may only escape one of ^$\\.*+?()[]{}| (no \\d, "
				          "\\w, \\s)";
				return false;
			}
			pt->p += 2;
			break;
		case '^':
		case '$':
			quantifiable = false;
			pt->p++;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			pt->why = "a repeat (*, +, ?, {n}) must follow something it repeats";
			return false;
		case ']':
		case '}':
			pt->why = "unmatched ']' or '}' (escape it with '\\')";
			return false;
		default:
			pt->p += u8len(pt->p);
			break;
		}
		atoms++;
		if (*pt->p == '*' || *pt->p == '+' || *pt->p == '?' || *pt->p == '{') {
			if (!quantifiable) {
				pt->why = "^ and $ cannot be repeated";
				return false;
			}
			if (*pt->p == '{') {
				if (!pat_braces(pt))
					return false;
			} else {
				pt->p++;
			}
			if (*pt->p == '*' || *pt->p == '+' || *pt->p == '?' || *pt->p == '{') {
				pt->why =
				    "a repeat cannot be repeated (no lazy or possessive repeats)";
				return false;
			}
		}
	}
	if (atoms == 0) {
		pt->why = "empty alternative or group";
		return false;
	}
	return true;
}

/* Alternatives joined by |, each a non-empty branch, as both dialects split them. */
static bool
pat_alt(struct pat *pt)
{
	if (!pat_seq(pt))
		return false;
	while (*pt->p == '|') {
		pt->p++;
		if (!pat_seq(pt))
			return false;
	}
	return true;
}

/* A pattern must mean the same to regcomp (POSIX ERE) and to a browser (new RegExp(p, "v")),
 * or client and server would disagree: allow only the syntax both read alike. Why a NULL
 * return is success: the reason is the only output. */
const char *
pattern_unportable(const char *p)
{
	struct pat pt = {p, 0, NULL};

	if (!pat_alt(&pt))
		return pt.why;
	if (*pt.p != '\0')
		return "unmatched )";
	return NULL;
}

/* The browser anchors a pattern at both ends and counts characters: compile ^(p)$ under loc. */
bool
pattern_compile(regex_t *re, locale_t loc, const char *p, char *err, size_t errsz)
{
	size_t n = strlen(p) + 5;
	char *anch = malloc(n);
	locale_t old;
	int rc;

	if (anch == NULL)
		abort();
	snprintf(anch, n, "^(%s)$", p);
	old = uselocale(loc);
	rc = regcomp(re, anch, REG_EXTENDED | REG_NOSUB);
	uselocale(old);
	free(anch);
	if (rc != 0) {
		regerror(rc, NULL, err, errsz);
		return false;
	}
	return true;
}

/* Matching runs under the locale the pattern was compiled in, or '.' would count bytes. */
bool
pattern_match(const regex_t *re, locale_t loc, const char *v)
{
	locale_t old = uselocale(loc);
	int rc = regexec(re, v, 0, NULL, 0);

	uselocale(old);
	return rc == 0;
}

/* C.UTF-8 is the one locale in which regcomp counts code points as a browser does. */
locale_t
pattern_locale(void)
{
	return newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
}
