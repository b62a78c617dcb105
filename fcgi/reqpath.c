/* The request path from whichever CGI parameters the front-end sends, so landformd routes the
 * same behind nginx, Apache httpd, lighttpd and Caddy. */
#include "reqpath.h"

#include <stdbool.h>
#include <string.h>

#include "hex.h"

/* Decode %XX in place (len bytes of s); false on a bad escape or a NUL byte, which no
 * route can hold and a C string cannot carry. */
static bool
percent_decode(char *s, size_t *len)
{
	size_t i = 0, o = 0;

	while (i < *len) {
		if (s[i] == '%') {
			int b;

			if (i + 2 >= *len || (b = hex_byte(s + i + 1)) < 0)
				return false;
			s[o] = (char)b;
			if (s[o++] == '\0')
				return false;
			i += 3;
		} else {
			s[o++] = s[i++];
		}
	}
	*len = o;
	s[o] = '\0';
	return true;
}

/* Merge slashes and resolve "." and ".." segments in place, as nginx does for $uri, so a
 * path spelled differently routes the same behind every front-end. False on ".." above the
 * root or a path that does not start with '/'. */
static bool
normalize(char *s)
{
	char *out = s;
	const char *in = s;

	if (*in != '/')
		return false;
	for (;;) {
		bool slash = false;
		size_t seg;

		while (*in == '/') {
			in++;
			slash = true;
		}
		if (*in == '\0') {
			if (slash)
				*out++ = '/'; /* a trailing slash stays: "/p/demo/" is not "/p/demo" */
			break;
		}
		seg = strcspn(in, "/");
		if (seg <= 2 && in[0] == '.' && (seg == 1 || in[1] == '.')) {
			if (seg == 2) {
				if (out == s)
					return false;
				while (out > s && *--out != '/')
					;
			}
			in += seg;
			if (*in == '\0')
				*out++ = '/'; /* "/a/." and "/a/b/.." name a folder */
			continue;
		}
		*out++ = '/';
		memmove(out, in, seg);
		out += seg;
		in += seg;
	}
	*out = '\0';
	return true;
}

const char *
reqpath_from_params(struct arena *a, const char *document_uri, const char *request_uri,
		    const char *script_name, const char *path_info)
{
	char *p;
	size_t len;

	if (document_uri != NULL && *document_uri != '\0')
		return document_uri;
	if (request_uri != NULL && *request_uri != '\0') {
		len = strcspn(request_uri, "?#");
		p = arena_strndup(a, request_uri, len);
		if (percent_decode(p, &len) && normalize(p))
			return p;
	}
	if ((script_name != NULL && *script_name != '\0') || (path_info != NULL && *path_info != '\0')) {
		size_t sl = script_name ? strlen(script_name) : 0, pl = path_info ? strlen(path_info) : 0;

		p = arena_alloc(a, sl + pl + 1);
		memcpy(p, script_name ? script_name : "", sl);
		memcpy(p + sl, path_info ? path_info : "", pl);
		p[sl + pl] = '\0';
		if (normalize(p))
			return p;
	}
	return NULL;
}
