/* application/x-www-form-urlencoded bodies from browsers (form.h), measured before decoded
 * so a hostile body costs no more memory than the limits allow. */
#include <string.h>

#include "form.h"
#include "form_shared.h"
#include "hex.h"

/* The next '&'-separated piece of rest (possibly empty); false once rest is used up. */
static bool
pair_next(struct form_slice *rest, struct form_slice *pair)
{
	const char *amp;

	if (rest->p == NULL)
		return false;
	amp = rest->n > 0 ? memchr(rest->p, '&', rest->n) : NULL;
	pair->p = rest->p;
	if (amp == NULL) {
		pair->n = rest->n;
		rest->p = NULL;
		rest->n = 0;
	} else {
		pair->n = (size_t)(amp - rest->p);
		form_advance(rest, pair->n + 1);
	}
	return true;
}

/* Size after percent-decoding, found without decoding, so limits are checked before any copy. */
static enum form_error
pct_measure(struct form_slice s, size_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < s.n; i++, n++) {
		if (s.p[i] != '%')
			continue;
		if (s.n - i < 3 || hex_byte(s.p + i + 1) < 0)
			return FORM_ERR_BAD_PERCENT;
		i += 2;
	}
	*out = n;
	return FORM_OK;
}

/* Decode into the arena; s has passed pct_measure, which gave dlen. */
static char *
pct_decode(struct arena *a, struct form_slice s, size_t dlen)
{
	char *d = arena_alloc(a, dlen + 1), *w = d;

	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] == '+')
			*w++ = ' ';
		else if (s.p[i] == '%') {
			*w++ = (char)hex_byte(s.p + i + 1);
			i += 2;
		} else
			*w++ = s.p[i];
	}
	*w = '\0';
	return d;
}

/* Two passes: the pairs are counted before any is decoded, and each name and value is
 * measured before it is copied. */
bool
form_parse_urlencoded(struct arena *a, const char *body, size_t len, const struct form_limits *lim,
                      struct form *out, struct form_error_info *err)
{
	struct form_slice rest, pair;
	size_t count = 0;
	struct form_list l;

	form_begin(out, err);
	if (len == 0)
		return true;

	/* Count the non-empty pairs before any other work. */
	rest.p = body;
	rest.n = len;
	while (pair_next(&rest, &pair)) {
		if (pair.n > 0 && ++count > lim->max_fields)
			return form_fail(err, FORM_ERR_TOO_MANY_FIELDS, NULL);
	}
	form_list_init(&l, a, count);

	rest.p = body;
	rest.n = len;
	while (pair_next(&rest, &pair)) {
		struct form_slice name, value;
		const char *eq;
		char *n, *v;
		size_t nlen, vlen;
		enum form_error e;

		if (pair.n == 0)
			continue;
		eq = memchr(pair.p, '=', pair.n);
		name.p = pair.p;
		name.n = eq != NULL ? (size_t)(eq - pair.p) : pair.n;
		value.p = eq != NULL ? eq + 1 : pair.p + pair.n;
		value.n = pair.n - name.n - (eq != NULL);

		if ((e = pct_measure(name, &nlen)) != FORM_OK ||
		    (e = form_check_name_len(nlen, lim)) != FORM_OK)
			return form_fail(err, e, NULL);
		n = pct_decode(a, name, nlen);
		if ((e = form_check_name(lim->raw, n, nlen)) != FORM_OK)
			return form_fail(err, e, NULL);

		if ((e = pct_measure(value, &vlen)) != FORM_OK)
			return form_fail(err, e, n);
		if (vlen > lim->max_value_len)
			return form_fail(err, FORM_ERR_VALUE_TOO_LONG, n);
		v = pct_decode(a, value, vlen);
		if ((e = form_check_value(lim->raw, v, vlen)) != FORM_OK)
			return form_fail(err, e, n);
		form_list_push(&l, n, v, vlen);
	}
	form_list_done(&l, out);
	return true;
}
