/* Form bodies in a declared legacy charset, converted to UTF-8 so they are stored as typed. */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <strings.h>
#include <string.h>

#include "utf8.h"

/* A label a client may send and the glibc converter that reads it (NULL: it is UTF-8). */
struct label {
	const char *label;
	const char *iconv;
};

/* WHATWG Encoding Standard labels of the ASCII-compatible encodings, with the decoder that
 * standard uses for each (it reads gbk as gb18030, big5 as Big5-HKSCS, latin1 as windows-1252). */
static const struct label labels[] = {
	{ "utf-8", NULL }, { "utf8", NULL }, { "unicode-1-1-utf-8", NULL },
	{ "gb18030", "GB18030" }, { "gbk", "GB18030" }, { "gb2312", "GB18030" },
	{ "x-gbk", "GB18030" }, { "cp936", "GB18030" }, { "windows-936", "GB18030" },
	{ "chinese", "GB18030" }, { "csgb2312", "GB18030" }, { "gb_2312", "GB18030" },
	{ "gb_2312-80", "GB18030" }, { "iso-ir-58", "GB18030" }, { "csiso58gb231280", "GB18030" },
	{ "big5", "BIG5-HKSCS" }, { "big5-hkscs", "BIG5-HKSCS" }, { "cn-big5", "BIG5-HKSCS" },
	{ "csbig5", "BIG5-HKSCS" }, { "x-x-big5", "BIG5-HKSCS" },
	{ "shift_jis", "CP932" }, { "shift-jis", "CP932" }, { "sjis", "CP932" },
	{ "ms_kanji", "CP932" }, { "windows-31j", "CP932" }, { "x-sjis", "CP932" },
	{ "csshiftjis", "CP932" }, { "ms932", "CP932" },
	{ "euc-jp", "EUC-JP" }, { "x-euc-jp", "EUC-JP" }, { "cseucpkdfmtjapanese", "EUC-JP" },
	{ "euc-kr", "CP949" }, { "windows-949", "CP949" }, { "ks_c_5601-1987", "CP949" },
	{ "cseuckr", "CP949" }, { "korean", "CP949" },
	{ "us-ascii", "CP1252" }, { "ascii", "CP1252" }, { "iso-8859-1", "CP1252" },
	{ "iso8859-1", "CP1252" }, { "latin1", "CP1252" }, { "l1", "CP1252" },
	{ "windows-1252", "CP1252" }, { "cp1252", "CP1252" },
	{ "iso-8859-2", "ISO-8859-2" }, { "iso-8859-5", "ISO-8859-5" },
	{ "iso-8859-7", "ISO-8859-7" }, { "iso-8859-15", "ISO-8859-15" },
	{ "windows-1250", "CP1250" }, { "windows-1251", "CP1251" }, { "koi8-r", "KOI8-R" },
};

static const struct label *
find(const char *label)
{
	if (label == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].label, label) == 0)
			return &labels[i];
	return NULL;
}

bool
charset_known(const char *label)
{
	return find(label) != NULL;
}

bool
charset_is_utf8(const char *label)
{
	const struct label *l = find(label);

	return l != NULL && l->iconv == NULL;
}

static bool
label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == ':' || c == '-';
}

/* Walks the "; name=value" parameters (values quoted or not, quotes honoured so a boundary
 * cannot smuggle one in); anything odd about charset's own value makes it "?" (unknown) rather
 * than refusing the body here: the media type's parser judges the rest. */
const char *
charset_param(struct arena *a, const char *content_type)
{
	const char *p = content_type;

	if (p == NULL)
		return NULL;
	p += strcspn(p, ";\"");
	while (*p == ';') {
		const char *name, *v, *end;
		size_t nlen, n;
		bool quoted;
		char *out;

		p++;
		p += strspn(p, " \t");
		name = p;
		nlen = strcspn(p, "=; \t");
		p += nlen;
		p += strspn(p, " \t");
		if (*p != '=') {
			p += strcspn(p, ";");
			continue;
		}
		p++;
		p += strspn(p, " \t");
		v = p;
		quoted = *p == '"';
		if (quoted) {
			for (p++; *p != '\0' && *p != '"'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			end = p;
			v++;
			if (*p == '"')
				p++;
			else if (nlen == 7 && strncasecmp(name, "charset", 7) == 0)
				return "?"; /* unterminated */
		} else {
			p += strcspn(p, "; \t");
			end = p;
		}
		p += strcspn(p, ";");
		if (nlen != 7 || strncasecmp(name, "charset", 7) != 0)
			continue;
		n = (size_t)(end - v);
		if (n == 0 || n > CHARSET_LABEL_MAX)
			return "?";
		out = arena_strndup(a, v, n);
		for (size_t i = 0; i < n; i++) {
			if (out[i] >= 'A' && out[i] <= 'Z')
				out[i] = (char)(out[i] - 'A' + 'a');
			if (!label_char(out[i]))
				return "?";
		}
		return out;
	}
	return NULL;
}

/* One conversion on an open descriptor, reset first so no state leaks between values. */
static enum charset_result
convert(iconv_t cd, struct arena *a, const char *in, size_t len, char **out, size_t *outlen)
{
	/* Every character of these charsets is at most 4 bytes of UTF-8 per input byte (a Big5-HKSCS
	 * pair may give two code points: 4 bytes for 2); +4 leaves room for the final flush. */
	size_t cap = len * 4 + 4, left = cap;
	char *buf = arena_alloc(a, cap + 1), *w = buf;
	char *src = (char *)in;
	size_t srcleft = len;

	*out = NULL;
	*outlen = 0;
	iconv(cd, NULL, NULL, NULL, NULL);
	if (iconv(cd, &src, &srcleft, &w, &left) == (size_t)-1)
		return CHARSET_INVALID; /* EILSEQ, or EINVAL: a character cut at the end */
	/* A stateful decoder would give back what it holds here; none in the table does today. */
	if (iconv(cd, NULL, NULL, &w, &left) == (size_t)-1)
		return CHARSET_INVALID;
	*w = '\0';
	*out = buf;
	*outlen = (size_t)(w - buf);
	return CHARSET_OK;
}

/* For a label we do not know: only plain ASCII is certain to mean what it shows. */
static enum charset_result
ascii_only(struct arena *a, const char *in, size_t len, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return CHARSET_INVALID;
	*out = arena_strndup(a, in, len);
	*outlen = len;
	return CHARSET_OK;
}

/* UTF-8 declared: nothing to convert, only to check. */
static enum charset_result
utf8_copy(struct arena *a, const char *in, size_t len, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (!utf8_valid(in, len))
		return CHARSET_INVALID;
	*out = arena_strndup(a, in, len);
	*outlen = len;
	return CHARSET_OK;
}

/* The descriptor for a known, non-UTF-8 label; (iconv_t)-1 when glibc lacks the converter. */
static iconv_t
open_for(const struct label *l)
{
	return iconv_open("UTF-8", l->iconv);
}

enum charset_result
charset_to_utf8(struct arena *a, const char *label, const char *in, size_t len, char **out,
		size_t *outlen)
{
	const struct label *l = find(label);
	enum charset_result r;
	iconv_t cd;

	*out = NULL;
	*outlen = 0;
	if (l == NULL)
		return CHARSET_UNKNOWN;
	if (l->iconv == NULL)
		return utf8_copy(a, in, len, out, outlen);
	if ((cd = open_for(l)) == (iconv_t)-1)
		return CHARSET_UNKNOWN;
	r = convert(cd, a, in, len, out, outlen);
	iconv_close(cd);
	return r;
}

/* One name or value through whichever reader the label gave. */
static enum charset_result
convert_one(iconv_t cd, const struct label *l, struct arena *a, const char *in, size_t len,
	    char **out, size_t *outlen)
{
	if (l == NULL || cd == (iconv_t)-1)
		return ascii_only(a, in, len, out, outlen);
	if (l->iconv == NULL)
		return utf8_copy(a, in, len, out, outlen);
	return convert(cd, a, in, len, out, outlen);
}

bool
charset_form_to_utf8(struct arena *a, const char *label, struct form *f, struct charset_loss *loss)
{
	const struct label *l = find(label);
	iconv_t cd = l != NULL && l->iconv != NULL ? open_for(l) : (iconv_t)-1;
	size_t kept = 0;

	loss->fields = 0;
	loss->first = NULL;
	for (size_t i = 0; i < f->count; i++) {
		struct form_field *fl = &f->fields[i];
		char *name, *value;
		size_t nlen, vlen;

		if (convert_one(cd, l, a, fl->name, strlen(fl->name), &name, &nlen) != CHARSET_OK ||
		    nlen == 0 || utf8_has_control(name, nlen, false)) {
			loss->fields++;
			continue;
		}
		if (convert_one(cd, l, a, fl->value, fl->value_len, &value, &vlen) != CHARSET_OK ||
		    utf8_has_control(value, vlen, true)) {
			loss->fields++;
			if (loss->first == NULL)
				loss->first = name;
			value = arena_strdup(a, "");
			vlen = 0;
		}
		f->fields[kept].name = name;
		f->fields[kept].value = value;
		f->fields[kept].value_len = vlen;
		kept++;
	}
	f->count = kept;
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return loss->fields == 0;
}
