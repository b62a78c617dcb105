/* The form as HTML, from the same struct the submission is checked against, so the browser's
 * checks (required, lengths, pattern) and the server's cannot disagree. Split out of schema.c. */
#include "schema.h"

#include <string.h>

#include "html.h"
#include "schema_int.h"

/* name="escaped value"; name is always one of our literals. */
static void
attr(struct buf *out, const char *name, const char *v)
{
	buf_printf(out, " %s=\"", name);
	html_escapes(out, v);
	buf_addc(out, '"');
}

/* What browsers should offer to fill in when form.json says nothing: the role or type tells. */
static const char *
default_autocomplete(const struct field *f)
{
	if (f->autocomplete != NULL)
		return f->autocomplete;
	if (f->role == SCHEMA_ROLE_PHONE)
		return "tel";
	if (f->role == SCHEMA_ROLE_NAME)
		return "name";
	if (f->type == SCHEMA_EMAIL)
		return "email";
	return NULL;
}

/* Attributes shared by every visible control: they mirror the server checks one to one. */
static void
control_attrs(const struct field *f, enum lang l, bool bad, bool described, struct buf *out)
{
	buf_printf(out, " id=\"f-%s\" name=\"%s\"", f->name, f->name);
	if (f->required)
		buf_adds(out, " required");
	if (bad)
		buf_adds(out, " aria-invalid=\"true\"");
	if (bad && described)
		buf_printf(out, " aria-describedby=\"f-%s-text f-%s-error\"", f->name, f->name);
	else if (bad)
		buf_printf(out, " aria-describedby=\"f-%s-error\"", f->name);
	else if (described)
		buf_printf(out, " aria-describedby=\"f-%s-text\"", f->name);
}

/* A <label for> ties the text to the control, so a tap on it focuses the field. */
static void
render_label(const struct field *f, enum lang l, const char *text, struct buf *out)
{
	buf_printf(out, "<label for=\"f-%s\">", f->name);
	html_escapes(out, text);
	if (f->required)
		buf_adds(out, "<span class=\"req\" aria-hidden=\"true\">*</span>");
	buf_adds(out, "</label>\n");
}

/* One field: label, control with the attributes the server will check, its error if any. */
static void
render_field(const struct schema *s, const struct field *f, enum lang l, const struct form *typed,
             const struct schema_error *err, struct buf *out)
{
	const char *v = schema_sent_value(typed, f->name, NULL);
	const char *ac = default_autocomplete(f);
	bool bad = err != NULL && err->field != NULL && strcmp(err->field, f->name) == 0;
	bool described = false;
	size_t i;

	if (f->type == SCHEMA_HIDDEN) {
		buf_printf(out, "<input type=\"hidden\" name=\"%s\"", f->name);
		attr(out, "value", v != NULL ? v : f->value != NULL ? f->value : "");
		buf_adds(out, ">\n");
		return;
	}
	buf_printf(out, "<div class=\"field field-%s%s\">\n", schema_type_names[f->type],
	           bad ? " invalid" : "");
	switch (f->type) {
	case SCHEMA_CHECKBOX:
		/* The box sits inside its label (one big tap target on a phone); a consent box
		 * with a label of its own shows the consent text under it. */
		described = f->role == SCHEMA_ROLE_CONSENT && f->label.t[0] != NULL;
		buf_adds(out, "<label><input type=\"checkbox\" value=\"yes\"");
		control_attrs(f, l, bad, described, out);
		if (schema_tick_of(v) == SCHEMA_TICK_ON)
			buf_adds(out, " checked");
		buf_adds(out, "><span>");
		html_escapes(out, f->label.t[0] != NULL ? schema_pick(&f->label, l)
		                                        : schema_pick(&s->consent, l));
		if (f->required)
			buf_adds(out, "<span class=\"req\" aria-hidden=\"true\">*</span>");
		buf_adds(out, "</span></label>\n");
		if (described) {
			buf_printf(out, "<p class=\"hint consent-text\" id=\"f-%s-text\">",
			           f->name);
			html_escapes(out, schema_pick(&s->consent, l));
			buf_adds(out, "</p>\n");
		}
		break;
	case SCHEMA_SELECT:
		render_label(f, l, schema_pick(&f->label, l), out);
		buf_adds(out, "<select");
		control_attrs(f, l, bad, false, out);
		if (ac != NULL)
			attr(out, "autocomplete", ac);
		buf_adds(out, ">\n<option value=\"\">");
		if (f->placeholder.t[0] != NULL)
			html_escapes(out, schema_pick(&f->placeholder, l));
		else
			buf_adds(out, l == LANG_EN ? "Choose…" : "请选择");
		buf_adds(out, "</option>\n");
		for (i = 0; i < f->noptions; i++) {
			buf_adds(out, "<option");
			attr(out, "value", f->options[i].value);
			if (v != NULL && strcmp(v, f->options[i].value) == 0)
				buf_adds(out, " selected");
			buf_addc(out, '>');
			html_escapes(out, schema_pick(&f->options[i].label, l));
			buf_adds(out, "</option>\n");
		}
		buf_adds(out, "</select>\n");
		break;
	default:
		render_label(f, l, schema_pick(&f->label, l), out);
		if (f->type == SCHEMA_TEXTAREA)
			buf_adds(out, "<textarea rows=\"4\"");
		else
			buf_printf(out, "<input type=\"%s\"", schema_type_names[f->type]);
		control_attrs(f, l, bad, false, out);
		if (f->type == SCHEMA_TEL)
			buf_adds(out, " inputmode=\"tel\"");
		if (f->min_length > 0)
			buf_printf(out, " minlength=\"%zu\"", f->min_length);
		buf_printf(out, " maxlength=\"%zu\"", f->max_length);
		if (f->pattern != NULL) {
			attr(out, "pattern", f->pattern);
			if (f->pattern_message.t[0] != NULL)
				attr(out, "title", schema_pick(&f->pattern_message, l));
		}
		if (ac != NULL)
			attr(out, "autocomplete", ac);
		if (f->placeholder.t[0] != NULL)
			attr(out, "placeholder", schema_pick(&f->placeholder, l));
		if (f->type == SCHEMA_TEXTAREA) {
			/* The parser drops one newline right after <textarea>: give it ours. */
			buf_adds(out, ">\n");
			if (v != NULL)
				html_escapes(out, v);
			buf_adds(out, "</textarea>\n");
		} else {
			if (v != NULL)
				attr(out, "value", v);
			buf_adds(out, ">\n");
		}
		break;
	}
	if (bad && err->message != NULL) {
		buf_printf(out, "<p class=\"field-error\" id=\"f-%s-error\">", f->name);
		html_escapes(out, err->message);
		buf_adds(out, "</p>\n");
	}
	buf_adds(out, "</div>\n");
}

/* Summary first so a screen reader announces it; hidden stamp and referral, fields, honeypot,
 * button. */
void
schema_render_form(const struct schema *s, enum lang l, const char *action,
                   const struct form *typed, const struct schema_error *err, const char *stamp,
                   const char *ref, struct buf *out)
{
	const struct field *ef = NULL;
	size_t i;

	if ((unsigned)l >= LANG_COUNT)
		l = LANG_ZH_CN;
	buf_adds(out, "<form class=\"lf-form\" method=\"post\"");
	attr(out, "action", action != NULL ? action : "");
	buf_adds(out, " accept-charset=\"utf-8\">\n");
	if (err != NULL && err->message != NULL) {
		if (err->field != NULL)
			ef = schema_find_field(s, err->field);
		buf_adds(out, "<div class=\"form-errors\" role=\"alert\"><p>");
		if (ef != NULL && ef->type != SCHEMA_HIDDEN)
			buf_printf(out, "<a href=\"#f-%s\">", ef->name);
		html_escapes(out, err->message);
		if (ef != NULL && ef->type != SCHEMA_HIDDEN)
			buf_adds(out, "</a>");
		buf_adds(out, "</p></div>\n");
	}
	if (stamp != NULL) {
		buf_adds(out, "<input type=\"hidden\" name=\"" SCHEMA_STAMP_FIELD "\"");
		attr(out, "value", stamp);
		buf_adds(out, ">\n");
	}
	if (ref != NULL) {
		buf_adds(out, "<input type=\"hidden\" name=\"" SCHEMA_REF_FIELD "\"");
		attr(out, "value", ref);
		buf_adds(out, ">\n");
	}
	for (i = 0; i < s->nfields; i++)
		render_field(s, &s->fields[i], l, typed, err, out);
	/* The honeypot: people never see it (class hp is hidden by the page's CSS), bots fill it.
	 * It is never refilled from what was sent. */
	buf_printf(out,
	           "<div class=\"hp\" aria-hidden=\"true\"><label for=\"f-%s\">%s</label>"
	           "<input type=\"text\" id=\"f-%s\" name=\"%s\" value=\"\" tabindex=\"-1\" "
	           "autocomplete=\"off\"></div>\n",
	           SCHEMA_HONEYPOT_FIELD, l == LANG_EN ? "Leave this field empty" : "此项请留空",
	           SCHEMA_HONEYPOT_FIELD, SCHEMA_HONEYPOT_FIELD);
	buf_adds(out, "<button type=\"submit\">");
	html_escapes(out, schema_pick(&s->submit, l));
	buf_adds(out, "</button>\n</form>\n");
}
