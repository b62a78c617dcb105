/* Hex digits read in one place: %XX in form bodies and queries (form_urlencoded.c) and in
 * request paths (reqpath.c), the \xHH escapes of the unit tests' case files, and bench/bare.c's
 * decoder, so no two read them apart. */
#ifndef LANDFORM_HEX_H
#define LANDFORM_HEX_H

/* The value of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1 for any other c. */
int hex_digit(int c);

/* The byte that the two hex digits at s spell (0-255), or -1 when either is not one. s[1] is
 * read only when s[0] is a digit, so s may be a C string ending at s[0] or s[1]. */
int hex_byte(const char *s);

#endif
