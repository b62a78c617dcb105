/* Bodies sent in a character set other than UTF-8 (GBK, GB18030, Big5 from some Chinese
 * clients and old integrations), converted to UTF-8 with glibc's iconv before validation.
 * Pure apart from iconv: bytes in, UTF-8 out. Who frees what: every string handed out lives in
 * the arena passed in and dies with arena_reset; inputs are only read.
 *
 * Only labels in a fixed table are known (WHATWG Encoding Standard labels, mapped to glibc
 * names as that standard decodes them: gb2312 and gbk read as GB18030, big5 as BIG5-HKSCS,
 * latin1 and us-ascii as CP1252). All are ASCII-compatible, so '&', '=', '%', '+', CR, LF
 * and a multipart boundary are never part of a multibyte character and a body can be split
 * before its values are converted. Stateful and ASCII-incompatible sets (ISO-2022-*, UTF-16,
 * UTF-7) are unknown on purpose: their bytes collide with those delimiters. */
#ifndef LANDFORM_CHARSET_H
#define LANDFORM_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "form.h"

/* The longest label kept; longer ones are unknown. */
#define CHARSET_LABEL_MAX 40

enum charset_result {
	CHARSET_OK = 0,
	CHARSET_UNKNOWN, /* a label not in the table */
	CHARSET_INVALID  /* bytes that are not valid in the charset, or a truncated character */
};

/* The charset parameter of a Content-Type ("text/x; charset=GBK", quoted or not), lower-cased,
 * into the arena; NULL when there is none. A value longer than CHARSET_LABEL_MAX or with
 * characters outside [a-z0-9._:-] comes back as "?" (unknown, and safe to show). */
const char *charset_param(struct arena *a, const char *content_type);

/* True when label (as charset_param returns it) names UTF-8: the body needs no conversion. */
bool charset_is_utf8(const char *label);

/* True when label is in the table (UTF-8 included). */
bool charset_known(const char *label);

/* Convert in[0..len) from the charset label names to UTF-8: CHARSET_OK with *out (NUL-
 * terminated, in the arena) and *outlen; otherwise *out is NULL. The output is well-formed
 * UTF-8 and at most 4 * len bytes; it may hold control characters (the caller checks). */
enum charset_result charset_to_utf8(struct arena *a, const char *label, const char *in, size_t len,
				    char **out, size_t *outlen) __attribute__((warn_unused_result));

/* What charset_form_to_utf8 could not keep. */
struct charset_loss {
	size_t fields;     /* fields whose name or value could not be read */
	const char *first; /* the first of them whose name could be read, or NULL */
};

/* Convert every name and value of a form parsed with form_limits.raw from label's charset to
 * UTF-8, in place. A field whose name cannot be read (or holds a control character) is
 * dropped; one whose value cannot be read (or holds a control character other than tab, CR,
 * LF) keeps its name with an empty value, so a form re-rendered from it keeps everything else.
 * An unknown label converts only what is plain ASCII. True when nothing was lost; false with
 * loss filled otherwise. Afterwards every field meets form.h's promises but the length limit:
 * a value may be up to 4 times max_value_len bytes (the schema checks lengths in characters). */
bool charset_form_to_utf8(struct arena *a, const char *label, struct form *f,
			  struct charset_loss *loss) __attribute__((warn_unused_result));

#endif
