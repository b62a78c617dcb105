/* Mustache-like page templates: compiled once when pages load, rendered per request.
 *
 * Syntax: {{name}} HTML-escaped; {{{name}}} and {{& name}} raw; {{#name}}..{{/name}}
 * section; {{^name}}..{{/name}} inverted; {{! comment }}; dotted names a.b.c (a numeric
 * segment indexes an array: items.0.title); {{.}} the current item. Whitespace inside
 * tags is allowed. No partials, lambdas or delimiter changes.
 *
 * Falsy: missing, null, false, "" and []. A section over a non-empty array repeats once
 * per element with the element pushed on the context stack; over any other truthy value
 * (objects, numbers including 0, true, non-empty strings) it renders once with the value
 * pushed. Names are looked up from the innermost context outwards; in a dotted name only
 * the first segment walks outwards.
 * Values: strings as they are, numbers printed (integers without a decimal point), true as
 * "true", null/false/arrays/objects as nothing.
 * Section, inverted, close and comment tags alone on a line take the whole line with them
 * (as in mustache), so templates can be indented freely.
 */
#ifndef LANDFORM_TEMPLATE_H
#define LANDFORM_TEMPLATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"

/* Sections and inverted sections nest at most this deep (checked at compile time). */
#define TEMPLATE_MAX_DEPTH 32

/* Opaque; malloc'd and long-lived (built when pages load or on SIGHUP). */
struct template;

/* Compiles len bytes of src (need not be NUL-terminated; the template keeps no pointer into
 * it). filename is only used in messages (NULL means "<template>").
 * Returns a template the caller frees with template_free, or NULL with *cause set to a
 * malloc'd "FILE:LINE: message" the caller frees with free() (cause may be NULL). */
struct template *template_compile(const char *src, size_t len, const char *filename, char **cause)
    __attribute__((warn_unused_result));

/* Appends the page for ctx (may be NULL: every name is then missing) to out. Pure: reads t
 * and ctx only, so one template may be rendered by many requests. Never recurses. */
void template_render(const struct template *t, const cJSON *ctx, struct buf *out);

/* Frees t and everything it owns; NULL is fine. */
void template_free(struct template *t);

#endif
