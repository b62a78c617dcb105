/* The admin dashboard's pages (see reports.h): a period from the query, one SQL call, then the
 * page (chart, tables, period picker), JSON, or one table as CSV. Numbers are shown as SQL
 * wrote them; the chart is drawn by chart.c, the CSV by csv.c. */
#include "reports.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "csv.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "isotime.h"
#include "log.h"
#include "portal.h"
#include "worker.h"

static const struct db_stmt st_reports = {
	"portal_reports", "SELECT landform.portal_reports($1, $2::date, $3::date)", 3, DB_RETRY_SAFE
};

/* The CSV tables: the name in the URL and file, and the key of portal_reports' answer. */
static const struct {
	const char *name;
	const char *key;
} tables[] = {
	{ "funnel", "funnel_rows" },
	{ "channels", "channels" },
	{ "staff", "staff" },
};

/* The period asked for: a date that does not parse is dropped (SQL then takes its default),
 * like the portal's filters. */
static const char *
query_date(const struct request *r, const char *name)
{
	const char *v = http_query_get(r, name);

	return isotime_date(v, NULL) ? v : NULL;
}

/* How far behind the node that answered is: 0 on a primary or a standby that has replayed
 * all it received, else the age of the last transaction it replayed. */
static const struct db_stmt st_data_age = {
	"reports_data_age",
	"SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
	" THEN 0 ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::bigint END,"
	" pg_is_in_recovery()",
	0, DB_RETRY_SAFE
};

/* The reports from report_database_url's node (a standby) when there is one: NULL, with
 * nothing answered, when it cannot serve them, so the caller asks the primary instead (the
 * standby refuses the session check's occasional last_seen write, has not seen the session
 * yet, or is down). */
static cJSON *
fetch_standby(struct pctx *p, const char *const *params, const char **raw)
{
	struct db *db = p->r->ctx->report_db;
	struct db_rows rows, age;
	struct db_error de;
	cJSON *res;
	const char *text;

	if (db == NULL)
		return NULL;
	if (!db_call(db, &st_reports, params, p->r->arena, &rows, &de)) {
		log_debug("req=%s reports not read from report_database_url: %s (SQLSTATE %s)",
			  p->r->id, de.message, de.sqlstate);
		return NULL;
	}
	text = db_value(&rows, 0, 0);
	res = portal_owned(p->r, text != NULL ? cJSON_Parse(text) : NULL);
	/* Anything but ok is the primary's to say: a session made a moment ago may not have been
	 * replayed on the standby yet. */
	if (!cJSON_IsObject(res) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(res, "status")) ||
	    strcmp(cJSON_GetObjectItemCaseSensitive(res, "status")->valuestring, "ok") != 0)
		return NULL;
	/* The dashboard says how old what it shows is; JSON clients get it as a header. */
	if (db_call(db, &st_data_age, NULL, p->r->arena, &age, &de) && age.nrows == 1 &&
	    db_value(&age, 0, 0) != NULL) {
		bool standby = db_value(&age, 0, 1) != NULL && strcmp(db_value(&age, 0, 1), "t") == 0;

		http_header(p->r, "X-Landform-Data-Age", db_value(&age, 0, 0));
		if (standby) {
			cJSON_AddStringToObject(res, "data_age_s", db_value(&age, 0, 0));
			cJSON_AddBoolToObject(res, "from_standby", true);
		}
	}
	if (raw != NULL)
		*raw = text;
	return res;
}

/* Session check, the call, and every answer but ok. NULL when answered. */
static cJSON *
fetch(struct pctx *p, const char **raw)
{
	const char *params[3];
	const char *st;
	cJSON *res;

	if (p->session == NULL) {
		portal_unauthenticated(p);
		return NULL;
	}
	params[0] = p->session;
	params[1] = query_date(p->r, "from");
	params[2] = query_date(p->r, "to");
	if ((res = fetch_standby(p, params, raw)) == NULL &&
	    (res = portal_call(p, &st_reports, params, raw)) == NULL)
		return NULL;
	st = cJSON_GetObjectItemCaseSensitive(res, "status")->valuestring;
	if (strcmp(st, "ok") == 0)
		return res;
	if (strcmp(st, "forbidden") == 0) {
		portal_message(p, 403, "forbidden", "forbidden_title", "reports_forbidden");
	} else if (strcmp(st, "invalid") == 0) {
		p->detail = portal_refusal_text(p, res);
		portal_message(p, 422, "invalid", "failed_title", "reports_bad_period");
	} else {
		portal_refuse(p, res);
	}
	return NULL;
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The chart, and the same steps as a list of {label, count, rate}, from the answer's funnel. */
static void
add_funnel(struct pctx *p, cJSON *res)
{
	struct chart_bar bars[CHART_MAX_BARS];
	const cJSON *it;
	cJSON *steps = cJSON_AddArrayToObject(res, "steps");
	struct buf svg, rate;
	size_t n = 0;

	buf_init(&svg, p->r->arena, 8192);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "funnel")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "count");
		const cJSON *rt = cJSON_GetObjectItemCaseSensitive(it, "rate");
		const char *label = portal_text(p, arena_printf(p->r->arena, "step_%s", str(it, "step")));
		cJSON *o;

		if (n == CHART_MAX_BARS)
			break;
		bars[n] = (struct chart_bar){ label, cJSON_IsNumber(c) ? (long long)c->valuedouble : 0,
					      cJSON_IsNumber(rt) ? rt->valuedouble : 0, cJSON_IsNumber(rt) };
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "step", str(it, "step"));
		cJSON_AddStringToObject(o, "label", label);
		cJSON_AddNumberToObject(o, "count", (double)bars[n].value);
		if (bars[n].has_rate) {
			buf_init(&rate, p->r->arena, 16);
			buf_printf(&rate, "%.1f%%", bars[n].rate * 100.0);
			cJSON_AddStringToObject(o, "rate", rate.data);
		}
		cJSON_AddItemToArray(steps, o);
		n++;
	}
	chart_funnel_svg(&svg, "funnel-chart", portal_text(p, "reports_chart_title"),
			 portal_text(p, "reports_rate"), bars, n);
	cJSON_AddItemToObject(res, "chart", cJSON_CreateStringReference(svg.data));
}

/* Where the CSV of a table for the period shown is. */
static const char *
csv_url(struct pctx *p, const cJSON *res, const char *table)
{
	return arena_printf(p->r->arena, "/staff/reports.csv?table=%s&from=%s&to=%s", table,
			    str(res, "from"), str(res, "to"));
}

/* A table section as the template reads it: {key, id, head:[{name, label}], body:[{cells:[{v}]}],
 * title, csv_label, csv_url} appended to res.tables; a NULL cell becomes "" so every row keeps
 * its columns. */
static void
add_table(struct pctx *p, cJSON *res, const char *key, const char *id)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(res, key), *c, *row, *v;
	cJSON *all = cJSON_GetObjectItemCaseSensitive(res, "tables"), *o = cJSON_CreateObject();
	cJSON *head = cJSON_AddArrayToObject(o, "head"), *body = cJSON_AddArrayToObject(o, "body");

	if (all == NULL)
		all = cJSON_AddArrayToObject(res, "tables");
	cJSON_AddItemToArray(all, o);
	cJSON_AddStringToObject(o, "key", key);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "title", portal_text(p, arena_printf(p->r->arena, "reports_%s", key)));
	cJSON_AddStringToObject(o, "csv_label",
				portal_text(p, arena_printf(p->r->arena, "reports_csv_%s", key)));
	cJSON_AddStringToObject(o, "csv_url", csv_url(p, res, key));

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "columns")) {
		cJSON *h = cJSON_CreateObject();
		const char *name = cJSON_IsString(c) ? c->valuestring : "";

		cJSON_AddStringToObject(h, "name", name);
		cJSON_AddStringToObject(h, "label",
					portal_text(p, arena_printf(p->r->arena, "col_%s", name)));
		cJSON_AddItemToArray(head, h);
	}
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(t, "rows")) {
		cJSON *r = cJSON_CreateObject(), *cells = cJSON_AddArrayToObject(r, "cells");

		cJSON_ArrayForEach(v, row) {
			cJSON *cell = cJSON_CreateObject();

			cJSON_AddStringToObject(cell, "v", cJSON_IsString(v) ? v->valuestring : "");
			cJSON_AddItemToArray(cells, cell);
		}
		cJSON_AddItemToArray(body, r);
	}
	cJSON_AddBoolToObject(o, "empty", cJSON_GetArraySize(body) == 0);
}

/* Links to the presets and the funnel's CSV for the period shown (the tables carry theirs). */
static void
add_links(struct pctx *p, cJSON *res)
{
	const cJSON *it;
	const char *from = str(res, "from"), *to = str(res, "to");
	cJSON *presets = cJSON_AddArrayToObject(res, "preset_links");
	cJSON *csv = cJSON_AddObjectToObject(res, "csv");

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(res, "presets")) {
		cJSON *o = cJSON_CreateObject();
		const char *pf = str(it, "from"), *pto = str(it, "to");

		cJSON_AddStringToObject(o, "key", str(it, "key"));
		cJSON_AddStringToObject(o, "label", portal_text(p, arena_printf(p->r->arena, "reports_preset_%s",
										  str(it, "key"))));
		cJSON_AddStringToObject(o, "url",
					arena_printf(p->r->arena, "/staff/reports?from=%s&to=%s", pf, pto));
		cJSON_AddBoolToObject(o, "current", strcmp(pf, from) == 0 && strcmp(pto, to) == 0);
		cJSON_AddItemToArray(presets, o);
	}
	cJSON_AddStringToObject(csv, "funnel", csv_url(p, res, "funnel"));
}

void
reports_handle_page(struct request *r)
{
	struct pctx p;
	const char *raw;
	cJSON *res;

	if (!portal_begin(r, &p))
		return;
	if ((res = fetch(&p, &raw)) == NULL)
		return;
	if (p.json) {
		http_begin(r, 200, "application/json");
		buf_adds(&r->body_out, raw);
		buf_addc(&r->body_out, '\n');
	} else {
		add_funnel(&p, res);
		add_table(&p, res, "channels", "channel-table");
		add_table(&p, res, "staff", "staff-table");
		add_links(&p, res);
		cJSON_AddBoolToObject(res, "nav_reports", true);
		portal_render_reports(&p, 200, res, portal_text(&p, "nav_reports"));
	}
}

void
reports_handle_csv(struct request *r)
{
	const char *name = http_query_get(r, "table"), *key = NULL;
	const cJSON *t, *row, *v;
	struct pctx p;
	cJSON *res;
	const char **cells;
	size_t n, i;

	if (!portal_begin(r, &p))
		return;
	for (i = 0; name != NULL && i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strcmp(name, tables[i].name) == 0)
			key = tables[i].key;
	if (key == NULL) {
		portal_message(&p, 404, "not_found", "not_found_title", "not_found");
		return;
	}
	if ((res = fetch(&p, NULL)) == NULL)
		return;
	t = cJSON_GetObjectItemCaseSensitive(res, key);
	n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "columns"));
	cells = arena_alloc(r->arena, (n + 1) * sizeof(*cells));
	http_header(r, "Content-Disposition",
		    arena_printf(r->arena, "attachment; filename=\"landform-%s-%s-%s.csv\"", name,
				 str(res, "from"), str(res, "to")));
	http_begin(r, 200, "text/csv; charset=utf-8");
	csv_bom(&r->body_out);
	i = 0;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(t, "columns"))
		cells[i++] = cJSON_IsString(v) ? v->valuestring : NULL;
	csv_row(&r->body_out, cells, n);
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(t, "rows")) {
		i = 0;
		cJSON_ArrayForEach(v, row) {
			if (i < n)
				cells[i++] = cJSON_IsString(v) ? v->valuestring : NULL;
		}
		while (i < n)
			cells[i++] = NULL;
		csv_row(&r->body_out, cells, n);
	}
	r->log_note = name;
}
