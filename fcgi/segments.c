/* The segment CSV download (see segments.h): one SQL call, then the rows through csv.c. */
#include "segments.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "html.h"
#include "http.h"
#include "portal.h"
#include "worker.h"

static const struct db_stmt st_export = {
	"portal_segment_export", "SELECT landform.portal_segment_export($1, $2)", 2,
	DB_RETRY_SAFE /* a read */
};

/* The cells of one JSON array (strings; anything else as an empty cell) into cells[0..n). */
static void
row_cells(const cJSON *row, const char **cells, size_t n)
{
	const cJSON *v;
	size_t i = 0;

	cJSON_ArrayForEach(v, row) {
		if (i < n)
			cells[i++] = cJSON_IsString(v) ? v->valuestring : NULL;
	}
	while (i < n)
		cells[i++] = NULL;
}

/* Admins get the file; others the portal's refusal (403 forbidden, 404 for no such segment). */
void
segments_handle_csv(struct request *r)
{
	const char *name = http_query_get(r, "name"), *params[2], **cells;
	const cJSON *st, *row;
	struct pctx p;
	cJSON *res;
	struct buf fn;
	size_t n;

	if (!portal_begin(r, &p))
		return;
	if (p.session == NULL) {
		portal_unauthenticated(&p);
		return;
	}
	if (name == NULL || *name == '\0') {
		portal_message(&p, 404, "not_found", "not_found_title", "segment_not_found");
		return;
	}
	params[0] = p.session;
	params[1] = name;
	if ((res = portal_call(&p, &st_export, params, NULL)) == NULL)
		return;
	st = cJSON_GetObjectItemCaseSensitive(res, "status");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "ok") != 0) {
		if (cJSON_IsString(st) && strcmp(st->valuestring, "forbidden") == 0)
			portal_message(&p, 403, "forbidden", "forbidden_title", "segments_forbidden");
		else if (cJSON_IsString(st) && strcmp(st->valuestring, "not_found") == 0)
			portal_message(&p, 404, "not_found", "not_found_title", "segment_not_found");
		else
			portal_refuse(&p, res);
		return;
	}
	n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(res, "columns"));
	cells = arena_alloc(r->arena, (n + 1) * sizeof(*cells));
	/* The name is anyone's text: only its escaped form goes into the header (RFC 6266). */
	buf_init(&fn, r->arena, 64);
	url_escape(&fn, name, strlen(name));
	http_header(r, "Content-Disposition",
		    arena_printf(r->arena, "attachment; filename=\"segment.csv\"; filename*=UTF-8''%s.csv", fn.data));
	http_begin(r, 200, "text/csv; charset=utf-8");
	csv_bom(&r->body_out);
	row_cells(cJSON_GetObjectItemCaseSensitive(res, "columns"), cells, n);
	csv_row(&r->body_out, cells, n);
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(res, "rows")) {
		row_cells(row, cells, n);
		csv_row(&r->body_out, cells, n);
	}
	r->log_note = "segment csv";
}
