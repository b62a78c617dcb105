/* Strict UTF-8 checks for text that arrives from visitors. Pure: no allocation, no I/O. */
#ifndef LANDFORM_UTF8_H
#define LANDFORM_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8 as RFC 3629 defines it: shortest forms only
 * (no overlongs, no C0/C1 lead bytes), no UTF-16 surrogates U+D800..U+DFFF, nothing above
 * U+10FFFF, no truncated sequence at the end. NUL bytes are valid UTF-8 here: refusing
 * them is utf8_has_control's job. s need not be NUL-terminated. */
bool utf8_valid(const char *s, size_t len);

/* True when s[0..len) holds a control character that never belongs in submitted text:
 * C0 (U+0000..U+001F) and DEL (U+007F). With multiline, tab, CR and LF are allowed
 * (a textarea sends them); names are checked without it. C1 controls are not looked at.
 * Works bytewise, so it gives the same answer before or after utf8_valid. */
bool utf8_has_control(const char *s, size_t len, bool multiline);

/* Number of code points in s[0..len), which must be valid UTF-8 (check with utf8_valid
 * first; on invalid input the count is of lead bytes and meaningless). */
size_t utf8_count(const char *s, size_t len);

#endif
