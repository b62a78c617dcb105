/* Migrations run in one transaction behind an advisory lock, so two hosts migrating at once
 * apply every file exactly once and a failure leaves the database as it was. The transaction
 * is pinned to its connection (a lost connection fails the migrate, nothing is re-sent), waits
 * at most MIGRATE_LOCK_TIMEOUT for a table lock so requests never queue behind it for longer,
 * and is tried again a few times when a lock was busy or it lost a deadlock. */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "db.h"
#include "file.h"
#include "log.h"

static const struct db_stmt lock_stmt = {
	"migrate_lock", "SELECT pg_advisory_xact_lock(hashtext('landform.migrate'))", 0, DB_RETRY_NEVER
};
static const struct db_stmt applied_stmt = {
	"migrate_applied",
	"SELECT version, checksum FROM landform.schema_migrations "
	"WHERE to_regclass('landform.schema_migrations') IS NOT NULL",
	0, DB_RETRY_NEVER
};
static const struct db_stmt exists_stmt = {
	"migrate_exists", "SELECT to_regclass('landform.schema_migrations') IS NOT NULL", 0, DB_RETRY_NEVER
};

/* Requests wait behind a lock migrate asks for at most this long (then it gives up and tries
 * again): keep it well under the proxy's and visitors' patience. */
#define MIGRATE_LOCK_TIMEOUT "2s"
#define MIGRATE_TRIES 5

static const struct db_stmt code_applied_stmt = {
	"migrate_code_applied",
	"SELECT file, checksum FROM landform.schema_code", /* made by 0021_schema_code */
	0, DB_RETRY_NEVER
};
static const struct db_stmt code_record_stmt = {
	"migrate_code_record",
	"INSERT INTO landform.schema_code (file, checksum) VALUES ($1, $2) "
	"ON CONFLICT (file) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()",
	2, DB_RETRY_NEVER
};
static const struct db_stmt record_stmt = {
	"migrate_record",
	"INSERT INTO landform.schema_migrations (version, checksum) VALUES ($1, $2)", 2, DB_RETRY_NEVER
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *.sql names in dir, in the arena; a missing folder is an empty list. */
static bool
list_sql(struct arena *a, const char *dir, bool required, char ***names, size_t *n, char *err,
	 size_t errsz)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 16;

	*n = 0;
	*names = arena_alloc(a, cap * sizeof(char *));
	if (d == NULL) {
		if (!required && errno == ENOENT)
			return true;
		snprintf(err, errsz, "cannot open %s: %s", dir, strerror(errno));
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0 || e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			char **bigger = arena_alloc(a, cap * 2 * sizeof(char *));

			memcpy(bigger, *names, cap * sizeof(char *));
			*names = bigger;
			cap *= 2;
		}
		(*names)[(*n)++] = arena_strdup(a, e->d_name);
	}
	closedir(d);
	qsort(*names, *n, sizeof(char *), cmp_names);
	return true;
}

/* A migration file's text, in the arena; the error names the file. */
static char *
slurp(struct arena *a, const char *path, size_t *len, char *err, size_t errsz)
{
	char *text = file_read(path, 64u << 20, len), *copy;

	if (text == NULL) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (strlen(text) != *len) {
		snprintf(err, errsz, "%s: contains a NUL byte", path);
		free(text);
		return NULL;
	}
	copy = arena_strndup(a, text, *len);
	free(text);
	return copy;
}

static void
sha256_hex(const char *text, size_t len, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)text, len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static const char *
applied_checksum(const struct db_rows *rows, const char *version)
{
	for (int i = 0; i < rows->nrows; i++)
		if (strcmp(db_value(rows, i, 0), version) == 0)
			return db_value(rows, i, 1);
	return NULL;
}

/* A lock not granted within the timeout, or a deadlock lost: worth another try later. */
static bool
lock_busy(const struct db_error *de)
{
	return strcmp(de->sqlstate, "55P03") == 0 || strcmp(de->sqlstate, "40P01") == 0 ||
	       strcmp(de->sqlstate, "40001") == 0;
}

/* Run one file's text; the error names the file. */
static bool
apply_file(struct db *db, const char *path, const char *text, bool *busy, char *err,
	   size_t errsz)
{
	struct db_error de;

	if (db_exec_script(db, text, &de))
		return true;
	*busy = lock_busy(&de);
	snprintf(err, errsz, "%s: %s (SQLSTATE %s)", path, de.message, de.sqlstate);
	return false;
}

static const struct db_stmt public_url_stmt = {
	"migrate_public_url",
	"SELECT landform.set_setting('public_url', $1) "
	"WHERE EXISTS (SELECT 1 FROM landform.settings WHERE name = 'public_url')",
	1, DB_RETRY_NEVER
};

/* The first code file to run: the first whose text changed since it last ran (a later file may
 * use what an earlier one defines), or all of them after a new migration (new tables want the
 * grants of 90_security.sql again); n when nothing changed, so a routine migrate locks nothing. */
static size_t
first_changed(char **names, size_t n, char **sums, const struct db_rows *done, int applied)
{
	if (applied > 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *have = applied_checksum(done, names[i]);

		if (have == NULL || strcmp(have, sums[i]) != 0)
			return i;
	}
	return n;
}

/* One try of the whole migrate in one pinned transaction; *busy when a lock was not free. */
static bool
migrate_once(struct db *db, const char *sql_dir, const char *public_url, bool *busy, char *err,
	     size_t errsz)
{
	struct arena a;
	struct db_rows rows, exists, code_rows;
	struct db_error de;
	char **names;
	const char **texts;
	char **sums;
	size_t n, len, from;
	int applied = 0;
	bool ok = false;

	*busy = false;
	arena_init(&a, 65536);
	if (!db_begin(db, &de))
		goto db_failed;
	/* Re-created views and functions chatter NOTICEs; the operator wants the result. */
	if (!db_exec(db, "SET LOCAL client_min_messages = warning", &de))
		goto db_failed;
	/* Another migrate may hold this one for as long as it takes: wait without a limit. */
	if (!db_call(db, &lock_stmt, NULL, &a, NULL, &de))
		goto db_failed;
	if (!db_exec(db, "SET LOCAL lock_timeout = '" MIGRATE_LOCK_TIMEOUT "'", &de) ||
	    !db_call(db, &exists_stmt, NULL, &a, &exists, &de))
		goto db_failed;
	if (strcmp(db_value(&exists, 0, 0), "t") == 0) {
		if (!db_call(db, &applied_stmt, NULL, &a, &rows, &de))
			goto db_failed;
	} else {
		memset(&rows, 0, sizeof(rows));
	}

	char *mdir = arena_printf(&a, "%s/migrations", sql_dir);
	if (!list_sql(&a, mdir, true, &names, &n, err, errsz))
		goto failed;
	if (n == 0) {
		snprintf(err, errsz, "%s: no migrations found (is sql_dir right?)", mdir);
		goto failed;
	}
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(&a, "%s/%s", mdir, names[i]);
		char *version = arena_strndup(&a, names[i], strlen(names[i]) - 4);
		char hex[65];
		const char *have;
		char *text = slurp(&a, path, &len, err, errsz);
		const char *params[2];

		if (text == NULL)
			goto failed;
		sha256_hex(text, len, hex);
		have = applied_checksum(&rows, version);
		if (have != NULL) {
			if (strcmp(have, hex) != 0) {
				snprintf(err, errsz,
					 "%s was changed after it was applied; add a new migration "
					 "instead of editing a released one", path);
				goto failed;
			}
			continue;
		}
		if (!apply_file(db, path, text, busy, err, errsz))
			goto failed;
		params[0] = version;
		params[1] = hex;
		if (!db_call(db, &record_stmt, params, &a, NULL, &de))
			goto db_failed;
		log_info("migration %s applied", version);
		applied++;
	}

	char *cdir = arena_printf(&a, "%s/code", sql_dir);
	if (!list_sql(&a, cdir, false, &names, &n, err, errsz))
		goto failed;
	texts = arena_alloc(&a, (n + 1) * sizeof(char *));
	sums = arena_alloc(&a, (n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		char *path = arena_printf(&a, "%s/%s", cdir, names[i]);

		texts[i] = slurp(&a, path, &len, err, errsz);
		if (texts[i] == NULL)
			goto failed;
		sums[i] = arena_alloc(&a, 65);
		sha256_hex(texts[i], len, sums[i]);
	}
	if (!db_call(db, &code_applied_stmt, NULL, &a, &code_rows, &de))
		goto db_failed;
	from = first_changed(names, n, sums, &code_rows, applied);
	for (size_t i = from; i < n; i++) {
		char *path = arena_printf(&a, "%s/%s", cdir, names[i]);
		const char *params[2] = { names[i], sums[i] };

		if (!apply_file(db, path, texts[i], busy, err, errsz))
			goto failed;
		if (!db_call(db, &code_record_stmt, params, &a, NULL, &de))
			goto db_failed;
	}
	if (!db_call(db, &public_url_stmt, &public_url, &a, NULL, &de))
		goto db_failed;
	if (!db_commit(db, &de))
		goto db_failed;
	log_info("migrate: %d new migration(s), %zu of %zu code file(s) applied", applied, n - from, n);
	ok = true;
	goto done;

db_failed:
	*busy = lock_busy(&de);
	snprintf(err, errsz, "database: %s (SQLSTATE %s)", de.message, de.sqlstate);
failed:
	db_rollback(db);
done:
	arena_free(&a);
	return ok;
}

bool
migrate_run(struct db *db, const char *sql_dir, const char *public_url, char *err, size_t errsz)
{
	bool busy = false;

	if (sodium_init() < 0) {
		snprintf(err, errsz, "libsodium failed to initialise");
		return false;
	}
	for (int try = 1; try <= MIGRATE_TRIES; try++) {
		if (migrate_once(db, sql_dir, public_url, &busy, err, errsz))
			return true;
		if (!busy || try == MIGRATE_TRIES)
			break;
		log_warn("migrate: %s; trying again (%d of %d)", err, try + 1, MIGRATE_TRIES);
		sleep((unsigned)try);
	}
	return false;
}
