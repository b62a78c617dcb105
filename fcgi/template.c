/* Mustache-like templates compiled to a flat op list, rendered without recursion or re-parsing. */
#include "template.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define MAX_NAME 200

enum op_kind {
	OP_TEXT,
	OP_VAR, /* escaped */
	OP_RAW,
	OP_SECTION,
	OP_INVERTED,
	OP_END
};

struct op {
	enum op_kind kind;
	size_t a; /* TEXT: offset in pool; VAR, RAW, SECTION, INVERTED: index in names */
	size_t b; /* TEXT: length; SECTION, INVERTED: index of its END; END: index of its opener */
};

/* A dotted name: nseg segments from segs[seg]; nseg 0 is "." (the current item). */
struct name {
	size_t seg;
	size_t nseg;
};

struct seg {
	size_t off; /* NUL-terminated key in pool */
	long index; /* the key as an array index, -1 when not all digits */
};

/* clang-format reads "template" as the C++ keyword and breaks the brace. */
/* clang-format off */
struct template {
	struct op *ops;
	size_t nops, capops;
	struct name *names;
	size_t nnames, capnames;
	struct seg *segs;
	size_t nsegs, capsegs;
	char *pool; /* text pieces and keys */
	size_t poollen, cappool;
};
/* clang-format on */

/* An open section while compiling, for matching and for messages. */
struct open {
	size_t op;
	size_t name_off, name_len; /* in the source */
	int line;
};

struct compiler {
	const char *src;
	size_t len;
	size_t pos; /* everything before pos has been consumed */
	int line;   /* line of pos */
	const char *file;
	char **cause;
	struct template *t;
	struct open open[TEMPLATE_MAX_DEPTH];
	size_t depth;
};

/* Tag kinds as written; comments produce no op. */
enum tag_kind { TAG_VAR, TAG_RAW, TAG_SECTION, TAG_INVERTED, TAG_CLOSE, TAG_COMMENT };

/* Grow an array to hold one more (or n more bytes); why abort: like the arena, a worker that cannot
 * get a few KB at page load cannot serve anything, and callers stay free of impossible branches. */
static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (n < need) {
		if (n > ((size_t)-1) / 4 / size)
			abort();
		n *= 2;
	}
	if ((p = realloc(p, n * size)) == NULL)
		abort();
	*cap = n;
	return p;
}

static int
count_lines(const char *s, size_t n)
{
	const char *e = s + n, *q;
	int lines = 0;

	while (s < e && (q = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		lines++;
		s = q + 1;
	}
	return lines;
}

/* Record the first error as "FILE:LINE: message"; false, so callers can `return fail(...)`. */
static bool __attribute__((format(printf, 3, 4)))
fail(struct compiler *c, int line, const char *fmt, ...)
{
	char msg[512];
	const char *file = c->file != NULL ? c->file : "<template>";
	va_list ap;
	int n;

	if (c->cause == NULL || *c->cause != NULL)
		return false;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n = snprintf(NULL, 0, "%s:%d: %s", file, line, msg);
	if (n < 0 || (*c->cause = malloc((size_t)n + 1)) == NULL)
		return false;
	snprintf(*c->cause, (size_t)n + 1, "%s:%d: %s", file, line, msg);
	return false;
}

static size_t
pool_add(struct template *t, const char *s, size_t n, bool nul)
{
	size_t off = t->poollen;

	t->pool = grow(t->pool, &t->cappool, t->poollen + n + 1, 1);
	memcpy(t->pool + off, s, n);
	t->poollen += n;
	if (nul)
		t->pool[t->poollen++] = '\0';
	return off;
}

static size_t
op_add(struct template *t, enum op_kind kind, size_t a, size_t b)
{
	t->ops = grow(t->ops, &t->capops, t->nops + 1, sizeof *t->ops);
	t->ops[t->nops].kind = kind;
	t->ops[t->nops].a = a;
	t->ops[t->nops].b = b;
	return t->nops++;
}

/* Literal text; glued to the previous text op when possible so render does fewer appends. */
static void
text_add(struct template *t, const char *s, size_t n)
{
	struct op *last = t->nops ? &t->ops[t->nops - 1] : NULL;
	size_t off;

	if (n == 0)
		return;
	off = pool_add(t, s, n, false);
	if (last != NULL && last->kind == OP_TEXT && last->a + last->b == off)
		last->b += n;
	else
		op_add(t, OP_TEXT, off, n);
}

/* First place where ch appears twice in a row ("{{", "}}", ".."), or NULL. */
static const char *
find2(const char *s, size_t n, char ch)
{
	const char *e = s + n, *q;

	while (s < e && (q = memchr(s, ch, (size_t)(e - s))) != NULL) {
		if (q + 1 < e && q[1] == ch)
			return q;
		s = q + 1;
	}
	return NULL;
}

static bool
name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* Names are plain keys so pages stay readable and errors show when pages load, not per request. */
static bool
name_check(struct compiler *c, int line, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return fail(c, line, "empty name in tag");
	if (n > MAX_NAME)
		return fail(c, line, "name longer than %d characters", MAX_NAME);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (name_char(ch) || ch == '.')
			continue;
		if (ch >= ' ' && ch < 0x7f)
			return fail(c, line, "bad character '%c' in name", ch);
		return fail(c, line, "bad character \\x%02x in name", ch);
	}
	if (n == 1 && s[0] == '.')
		return true;
	if (s[0] == '.' || s[n - 1] == '.' || find2(s, n, '.') != NULL)
		return fail(c, line, "empty segment in name '%.*s'", (int)n, s);
	return true;
}

/* Store a checked name split into keys; why at compile time: render must only look up. */
static void
name_add(struct template *t, const char *s, size_t n, size_t *index)
{
	struct name *nm;
	size_t i, start;

	t->names = grow(t->names, &t->capnames, t->nnames + 1, sizeof *t->names);
	nm = &t->names[t->nnames];
	nm->seg = t->nsegs;
	nm->nseg = 0;
	if (n == 1 && s[0] == '.') {
		*index = t->nnames++;
		return;
	}
	for (start = 0; start <= n; start = i + 1) {
		struct seg *sg;
		size_t k;

		for (i = start; i < n && s[i] != '.'; i++)
			;
		t->segs = grow(t->segs, &t->capsegs, t->nsegs + 1, sizeof *t->segs);
		sg = &t->segs[t->nsegs++];
		sg->off = pool_add(t, s + start, i - start, true);
		sg->index = i - start <= 9 ? 0 : -1;
		for (k = start; k < i && sg->index >= 0; k++) {
			if (s[k] >= '0' && s[k] <= '9')
				sg->index = sg->index * 10 + (s[k] - '0');
			else
				sg->index = -1;
		}
		nm->nseg++;
	}
	*index = t->nnames++;
}

static bool
blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Split the tag at src[at] ("{{" ...) into kind and name; *end is just past its closing braces. */
static bool
tag_parse(struct compiler *c, size_t at, int line, enum tag_kind *kind, size_t *name_off,
          size_t *name_len, size_t *end)
{
	const char *src = c->src, *close;
	size_t p = at + 2, b, e;
	bool triple = p < c->len && src[p] == '{';

	if (triple) {
		for (close = find2(src + p + 1, c->len - p - 1, '}'); close != NULL;
		     close = find2(close + 1, (size_t)(src + c->len - close - 1), '}')) {
			if (close + 2 < src + c->len && close[2] == '}')
				break;
		}
		if (close == NULL)
			return fail(c, line, "unterminated tag: '{{{' without '}}}'");
		b = p + 1;
		e = (size_t)(close - src);
		*end = e + 3;
		*kind = TAG_RAW;
	} else {
		if ((close = find2(src + p, c->len - p, '}')) == NULL)
			return fail(c, line, "unterminated tag: '{{' without '}}'");
		b = p;
		e = (size_t)(close - src);
		*end = e + 2;
		*kind = TAG_VAR;
	}
	while (b < e && blank(src[b]))
		b++;
	if (!triple && b < e) {
		switch (src[b]) {
		case '!':
			*kind = TAG_COMMENT;
			*name_off = b;
			*name_len = 0;
			return true;
		case '#':
			*kind = TAG_SECTION;
			break;
		case '^':
			*kind = TAG_INVERTED;
			break;
		case '/':
			*kind = TAG_CLOSE;
			break;
		case '&':
			*kind = TAG_RAW;
			break;
		case '>':
			return fail(c, line, "partials ({{>...}}) are not supported");
		case '=':
			return fail(c, line, "delimiter changes ({{=...=}}) are not supported");
		}
		if (*kind != TAG_VAR)
			b++;
	}
	/* A tag running over a line end or into another tag is a tag someone forgot to close. */
	if (memchr(src + at, '\n', e - at) != NULL ||
	    find2(src + p + triple, e - p - triple, '{') != NULL)
		return fail(c, line, "unterminated tag: '{{' without '}}' on the same line");
	while (b < e && blank(src[b]))
		b++;
	while (e > b && blank(src[e - 1]))
		e--;
	*name_off = b;
	*name_len = e - b;
	return true;
}

/* Mustache's standalone rule: a block tag alone on its line removes the line. Returns whether it
 * applies, with *text_end where the text before the tag stops and *next where scanning resumes. */
static bool
standalone(const struct compiler *c, size_t at, size_t end, size_t *text_end, size_t *next)
{
	const char *src = c->src;
	size_t ls = at, e = end;

	while (ls > c->pos && blank(src[ls - 1]))
		ls--;
	if (ls != 0 && src[ls - 1] != '\n')
		return false;
	while (e < c->len && blank(src[e]))
		e++;
	if (e < c->len && src[e] == '\r' && e + 1 < c->len && src[e + 1] == '\n')
		e += 2;
	else if (e < c->len && src[e] == '\n')
		e++;
	else if (e != c->len)
		return false;
	*text_end = ls;
	*next = e;
	return true;
}

/* Turn one parsed tag into ops, keeping the section stack balanced. */
static bool
tag_emit(struct compiler *c, int line, enum tag_kind kind, size_t name_off, size_t name_len)
{
	struct template *t = c->t;
	const char *name = c->src + name_off;
	struct open *o;
	size_t idx, end;

	switch (kind) {
	case TAG_COMMENT:
		return true;
	case TAG_VAR:
	case TAG_RAW:
		if (!name_check(c, line, name, name_len))
			return false;
		name_add(t, name, name_len, &idx);
		op_add(t, kind == TAG_VAR ? OP_VAR : OP_RAW, idx, 0);
		return true;
	case TAG_SECTION:
	case TAG_INVERTED:
		if (!name_check(c, line, name, name_len))
			return false;
		if (c->depth == TEMPLATE_MAX_DEPTH)
			return fail(c, line, "sections nested deeper than %d", TEMPLATE_MAX_DEPTH);
		name_add(t, name, name_len, &idx);
		o = &c->open[c->depth++];
		o->op = op_add(t, kind == TAG_SECTION ? OP_SECTION : OP_INVERTED, idx, 0);
		o->name_off = name_off;
		o->name_len = name_len;
		o->line = line;
		return true;
	case TAG_CLOSE:
		if (!name_check(c, line, name, name_len))
			return false;
		if (c->depth == 0)
			return fail(c, line, "{{/%.*s}} closes no open section", (int)name_len,
			            name);
		o = &c->open[c->depth - 1];
		if (o->name_len != name_len || memcmp(c->src + o->name_off, name, name_len) != 0)
			return fail(
			    c, line, "{{/%.*s}} does not match {{%c%.*s}} opened on line %d",
			    (int)name_len, name, t->ops[o->op].kind == OP_SECTION ? '#' : '^',
			    (int)o->name_len, c->src + o->name_off, o->line);
		end = op_add(t, OP_END, 0, o->op);
		t->ops[o->op].b = end;
		c->depth--;
		return true;
	}
	abort();
}

struct template *
template_compile(const char *src, size_t len, const char *filename, char **cause)
{
	struct compiler c;
	struct template *t;

	if (cause != NULL)
		*cause = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL)
		abort();
	memset(&c, 0, sizeof c);
	c.src = src;
	c.len = len;
	c.line = 1;
	c.file = filename;
	c.cause = cause;
	c.t = t;

	while (c.pos < len) {
		const char *q = find2(src + c.pos, len - c.pos, '{');
		size_t at, end = 0, text_end, next, name_off = 0, name_len = 0;
		enum tag_kind kind = TAG_VAR; /* set by tag_parse; initialised for -O2 warnings */
		int line;

		if (q == NULL) {
			text_add(t, src + c.pos, len - c.pos);
			break;
		}
		at = (size_t)(q - src);
		line = c.line + count_lines(src + c.pos, at - c.pos);
		if (!tag_parse(&c, at, line, &kind, &name_off, &name_len, &end))
			goto failed;
		text_end = at;
		next = end;
		if (kind != TAG_VAR && kind != TAG_RAW)
			(void)standalone(&c, at, end, &text_end, &next);
		text_add(t, src + c.pos, text_end - c.pos);
		if (!tag_emit(&c, line, kind, name_off, name_len))
			goto failed;
		c.line += count_lines(src + c.pos, next - c.pos);
		c.pos = next;
	}
	if (c.depth > 0) {
		struct open *o = &c.open[c.depth - 1];

		fail(&c, o->line, "{{%c%.*s}} is never closed",
		     t->ops[o->op].kind == OP_SECTION ? '#' : '^', (int)o->name_len,
		     src + o->name_off);
		goto failed;
	}
	return t;

failed:
	template_free(t);
	return NULL;
}

void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	free(t->ops);
	free(t->names);
	free(t->segs);
	free(t->pool);
	free(t);
}

static bool
falsy(const cJSON *v)
{
	if (v == NULL || cJSON_IsInvalid(v) || cJSON_IsFalse(v) || cJSON_IsNull(v))
		return true;
	if (cJSON_IsString(v))
		return v->valuestring == NULL || v->valuestring[0] == '\0';
	if (cJSON_IsArray(v))
		return v->child == NULL;
	return false;
}

static const cJSON *
child(const cJSON *v, const struct seg *sg, const char *key)
{
	if (cJSON_IsObject(v))
		return cJSON_GetObjectItemCaseSensitive(v, key);
	if (cJSON_IsArray(v) && sg->index >= 0 && sg->index <= 0x7fffffff)
		return cJSON_GetArrayItem(v, (int)sg->index);
	return NULL;
}

/* Resolve a name: the first key walks the context stack outwards, the rest descend from there. */
static const cJSON *
lookup(const struct template *t, const struct name *nm, const cJSON *const *stack, size_t top)
{
	const struct seg *sg;
	const cJSON *v = NULL;
	size_t i;

	/* {{.}}: no segments, and segs may be NULL when the template has no names at all. */
	if (nm->nseg == 0)
		return stack[top];
	sg = &t->segs[nm->seg];
	for (i = top + 1; i-- > 0;) {
		if (cJSON_IsObject(stack[i]) &&
		    (v = cJSON_GetObjectItemCaseSensitive(stack[i], t->pool + sg->off)) != NULL)
			break;
	}
	for (i = 1; i < nm->nseg && v != NULL; i++)
		v = child(v, &sg[i], t->pool + sg[i].off);
	return v;
}

/* Numbers as a person writes them: integers bare, others as short as round-trips; integers skip
 * printf's floating-point path because counters and prices are most of what pages print. */
static void
put_number(struct buf *out, double d)
{
	char s[64], *p = s + sizeof s;
	unsigned long long u;

	if (!isfinite(d))
		return;
	if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(long long)d) {
		u = d < 0 ? (unsigned long long)-(long long)d : (unsigned long long)d;
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (d < 0)
			*--p = '-';
		buf_add(out, p, (size_t)(s + sizeof s - p));
		return;
	}
	if (d > -1e21 && d < 1e21 && (d >= 9007199254740992.0 || d <= -9007199254740992.0))
		snprintf(s, sizeof s, "%.0f", d); /* integral: every double this large is */
	else {
		snprintf(s, sizeof s, "%.15g", d);
		if (strtod(s, NULL) != d)
			snprintf(s, sizeof s, "%.17g", d);
	}
	buf_adds(out, s);
}

static void
put(struct buf *out, const cJSON *v, bool escape)
{
	if (v == NULL)
		return;
	if (cJSON_IsString(v) && v->valuestring != NULL) {
		if (escape)
			html_escapes(out, v->valuestring);
		else
			buf_adds(out, v->valuestring);
	} else if (cJSON_IsNumber(v))
		put_number(out, v->valuedouble);
	else if (cJSON_IsTrue(v))
		buf_add(out, "true", 4);
}

/* A loop over ops with an explicit stack; why: nesting is capped at compile time, so the stacks
 * below are fixed-size and no template can make render recurse or re-parse. */
void
template_render(const struct template *t, const cJSON *ctx, struct buf *out)
{
	const cJSON *stack[TEMPLATE_MAX_DEPTH + 1]; /* contexts, innermost at top */
	const cJSON *iter[TEMPLATE_MAX_DEPTH + 1];  /* array element being rendered, or NULL */
	const cJSON *v;
	size_t pc = 0, top = 0;

	stack[0] = ctx;
	iter[0] = NULL;
	while (pc < t->nops) {
		const struct op *op = &t->ops[pc];

		switch (op->kind) {
		case OP_TEXT:
			buf_add(out, t->pool + op->a, op->b);
			pc++;
			break;
		case OP_VAR:
		case OP_RAW:
			put(out, lookup(t, &t->names[op->a], stack, top), op->kind == OP_VAR);
			pc++;
			break;
		case OP_SECTION:
			v = lookup(t, &t->names[op->a], stack, top);
			if (falsy(v)) {
				pc = op->b + 1;
				break;
			}
			assert(top < TEMPLATE_MAX_DEPTH);
			top++;
			iter[top] = NULL;
			if (cJSON_IsArray(v))
				iter[top] = v = v->child;
			stack[top] = v;
			pc++;
			break;
		case OP_INVERTED:
			v = lookup(t, &t->names[op->a], stack, top);
			pc = falsy(v) ? pc + 1 : op->b + 1;
			break;
		case OP_END:
			if (t->ops[op->b].kind == OP_INVERTED) {
				pc++;
				break;
			}
			if (iter[top] != NULL && iter[top]->next != NULL) {
				iter[top] = stack[top] = iter[top]->next;
				pc = op->b + 1;
				break;
			}
			top--;
			pc++;
			break;
		}
	}
}
