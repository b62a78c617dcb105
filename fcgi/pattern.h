/* Field patterns (form.json "pattern"): the portability check, and compiling and matching
 * them as a browser would (anchored, counting characters). No I/O, no allocation kept. */
#ifndef LANDFORM_PATTERN_H
#define LANDFORM_PATTERN_H

#include <locale.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* Why p would not mean the same to regcomp (POSIX ERE) and to a browser (new RegExp(p, "v")):
 * a static sentence, or NULL when both read it alike. p is valid UTF-8, NUL-terminated. */
const char *pattern_unportable(const char *p);

/* Compiles ^(p)$ into re under loc (from pattern_locale). False with regerror's text in
 * err[0..errsz) when regcomp refuses; on true the caller frees re with regfree. */
bool pattern_compile(regex_t *re, locale_t loc, const char *p, char *err, size_t errsz)
    __attribute__((warn_unused_result));

/* Whether all of v matches re, compiled by pattern_compile under the same loc. */
bool pattern_match(const regex_t *re, locale_t loc, const char *v);

/* The C.UTF-8 locale patterns need, or (locale_t)0 when the system lacks it; the caller
 * frees it with freelocale. */
locale_t pattern_locale(void);

#endif
