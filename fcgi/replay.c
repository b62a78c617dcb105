/* Spool replay. A file is taken only when nobody holds its flock (its writer released it or
 * died), claimed by renaming it to .claimed, stored through landform.submit_batch with each
 * submission's receive time, and deleted only after the commit that stored its last record.
 * Replaying a file twice (a crash before the delete, two instances sharing spool_dir) stores
 * nothing twice: each record carries the form's stamp as its idempotency key. */
#include "replay.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "proc.h"
#include "spool.h"
#include "spoolrec.h"
#include "submit.h"

/* Records a submit_batch call: the batch is stored set-based (sql/code/20_capture.sql), so a
 * bigger one spreads its few statements and its commit over more records. */
#define REPLAY_BATCH 1024
#define REPLAY_POLL_MS 200
#define REPLAY_DOWN_MS 900
#define MAX_FILES 4096

static const struct db_stmt probe_stmt = {
	"replay_probe", "SELECT pg_is_in_recovery()", 0, DB_RETRY_SAFE
};

static const struct db_stmt dead_stmt = {
	"spool_dead_add",
	"SELECT landform.spool_dead_add($1, $2, $3, $4, $5::timestamptz, $6, $7)", 7, DB_RETRY_NEVER
};

enum outcome { FILE_DONE, FILE_BUSY, DB_DOWN };

/* What one replay episode (from the first file to an empty spool) did, for its log line. */
struct tally {
	long long stored, already, forgotten, dead, files;
	long long began_ms;
};

struct replayer {
	const char *dir;
	const struct db_options *dbo;
	char host[256];
	struct db *db;
	struct arena arena;
	struct spool_stats *st;
	struct tally t;
};

/* Names start with the zero-padded creation time: name order is age order. */
static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Spool files, oldest first (names start with their creation time). */
static size_t
list_files(const char *dir, char **names, size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while (n < max && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		if ((len > 6 && strcmp(e->d_name + len - 6, ".spool") == 0) ||
		    (len > 8 && strcmp(e->d_name + len - 8, ".claimed") == 0))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	return n;
}

/* A whole spool file: the reader needs to look past damage for the next intact record. */
static unsigned char *
read_all(int fd, size_t *size)
{
	struct stat sb;
	unsigned char *buf;
	size_t got = 0;

	if (fstat(fd, &sb) != 0)
		return NULL;
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL)
		return NULL;
	while (got < (size_t)sb.st_size) {
		ssize_t r = pread(fd, buf + got, (size_t)sb.st_size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	*size = got;
	return buf;
}

/* Append bytes to a file under sub/ (bad/ or dead/), durable before the caller goes on. With
 * once, a file that already exists was kept by an earlier try at the same spool file. */
static bool
keep_aside(const char *dir, const char *sub, const char *name, const void *data, size_t len,
	   bool once, char *path, size_t pathsz)
{
	int fd;
	bool ok;

	snprintf(path, pathsz, "%s/%s/%s", dir, sub, name);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (once ? O_EXCL : 0), 0600);
	if (fd < 0 && once && errno == EEXIST)
		return true;
	if (fd < 0)
		return false;
	ok = write(fd, data, len) == (ssize_t)len && fdatasync(fd) == 0;
	close(fd);
	return ok;
}

/* Errors that say nothing about the record: try the file again later, never dead-letter it. */
static bool
is_transient(const struct db_error *e)
{
	return e->status == DB_UNAVAILABLE || e->status == DB_TIMEOUT ||
	       e->status == DB_CONFLICT || strcmp(e->sqlstate, "25006") == 0;
}

/* Count submit_batch's answer rows: stored, already there, forgotten (no submission id). */
static void
count_rows(struct tally *t, const struct db_rows *rows)
{
	for (int r = 0; r < rows->nrows; r++) {
		const char *sub = db_value(rows, r, 1), *again = db_value(rows, r, 4);

		if (sub == NULL)
			t->forgotten++;
		else if (again != NULL && strcmp(again, "t") == 0)
			t->already++;
		else
			t->stored++;
	}
}

/* A record the database refuses for what it holds: into dead/, one row in landform.spool_dead
 * saying which file and why (no personal data), one log line. False when that cannot be done
 * now (the record stays in its spool file for the next try). */
static bool
dead_letter(struct replayer *rp, const char *base, const unsigned char *rec, size_t reclen,
	    const char *payload, size_t len, const struct db_error *why)
{
	char path[PATH_MAX], name[PATH_MAX];
	cJSON *o = cJSON_ParseWithLength(payload, len);
	const char *params[7];
	struct db_error de;
	bool ok;

	snprintf(name, sizeof(name), "%s.dead", base);
	if (!keep_aside(rp->dir, "dead", name, rec, reclen, false, path, sizeof(path))) {
		log_error("spool: cannot write dead letter %s: %s", path, strerror(errno));
		cJSON_Delete(o);
		return false;
	}
	params[0] = rp->host;
	params[1] = name;
	params[2] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "idem_key"));
	params[3] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "page"));
	params[4] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "received_at"));
	params[5] = why->sqlstate;
	params[6] = why->message;
	ok = db_call(rp->db, &dead_stmt, params, &rp->arena, NULL, &de);
	if (ok) {
		/* The key is a form token: in landform.spool_dead, not in the log above debug. */
		log_warn("spool: a submission was refused by the database (SQLSTATE %s: %s); kept in %s, listed in landform.spool_dead",
			 why->sqlstate, why->message, path);
		rp->t.dead++;
		if (rp->st != NULL)
			spool_stats_add(&rp->st->dead, 1);
	} else {
		log_warn("spool: recording a dead letter failed: %s", de.message);
	}
	cJSON_Delete(o);
	return ok;
}

/* Records together; when the database refuses them as a whole, each half again, so a bad record
 * ends alone in dead/ and costs the others a few more calls (about two per halving), not a call
 * each. False when the database went away (nothing more now). */
static bool
store_batch(struct replayer *rp, const char *base, const struct spoolrec_span *recs, size_t n)
{
	struct buf json;
	struct db_rows rows;
	struct db_error err;

	buf_init(&json, &rp->arena, 4096);
	buf_addc(&json, '[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&json, ',');
		buf_add(&json, recs[i].payload, recs[i].payload_len);
	}
	buf_addc(&json, ']');
	if (submit_batch_call(rp->db, &rp->arena, json.data, &rows, &err)) {
		count_rows(&rp->t, &rows);
		return true;
	}
	if (is_transient(&err))
		return false;
	if (n == 1)
		return dead_letter(rp, base, recs[0].payload - SPOOLREC_HEADER, recs[0].len,
				   (const char *)recs[0].payload, recs[0].payload_len, &err);
	return store_batch(rp, base, recs, n / 2) &&
	       store_batch(rp, base, recs + n / 2, n - n / 2);
}

/* Damage found in a file: a torn tail is cut off, a damaged middle part moved to bad/. Each
 * gets one log line with the file and offset. */
static void
set_aside(struct replayer *rp, int fd, const char *path, const char *base,
	  const unsigned char *buf, const struct spoolrec_span *s)
{
	char bad[PATH_MAX], name[PATH_MAX];

	if (s->kind == SPOOLREC_TORN) {
		log_warn("spool file %s: torn record at offset %zu (%zu bytes) cut off; it was never acknowledged",
			 path, s->offset, s->len);
		if (ftruncate(fd, (off_t)s->offset) != 0 || fdatasync(fd) != 0)
			log_warn("spool file %s: cutting at %zu failed: %s", path, s->offset, strerror(errno));
		return;
	}
	snprintf(name, sizeof(name), "%s.%zu.bad", base, s->offset);
	if (keep_aside(rp->dir, "bad", name, buf + s->offset, s->len, true, bad, sizeof(bad)))
		log_error("spool file %s: damaged record at offset %zu (%zu bytes) moved to %s", path,
			  s->offset, s->len, bad);
	else
		log_error("spool file %s: damaged record at offset %zu (%zu bytes) could not be moved to %s: %s; left in place",
			  path, s->offset, s->len, bad, strerror(errno));
}

/* Take one file if nobody holds it, replay it, delete it. */
static enum outcome
replay_file(struct replayer *rp, const char *name)
{
	char path[PATH_MAX], claimed[PATH_MAX], base[NAME_MAX];
	struct spoolrec_span *recs = NULL, s;
	unsigned char *buf = NULL;
	size_t size = 0, pos = 0, nrec = 0, cap = 0, len = strlen(name);
	struct stat sb, now;
	enum outcome out = FILE_BUSY;
	bool damaged = false;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", rp->dir, name);
	snprintf(base, sizeof(base), "%.*s", (int)(len - (name[len - 1] == 'd' ? 8 : 6)), name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return FILE_BUSY; /* another replayer took it meanwhile */
	/* Held: its writer may still append (or another replayer has it). */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &sb) != 0 || sb.st_nlink == 0 ||
	    stat(path, &now) != 0 || now.st_ino != sb.st_ino)
		goto done;
	snprintf(claimed, sizeof(claimed), "%s/%s.claimed", rp->dir, base);
	if (strcmp(path, claimed) != 0 && rename(path, claimed) != 0)
		goto done;
	buf = read_all(fd, &size);
	if (buf == NULL) {
		log_error("spool file %s: cannot read it: %s", claimed, strerror(errno));
		goto done;
	}
	while (spoolrec_next(buf, size, &pos, &s) != SPOOLREC_END) {
		if (s.kind == SPOOLREC_RECORD) {
			if (nrec == cap) {
				struct spoolrec_span *more;

				cap = cap ? cap * 2 : 256;
				more = realloc(recs, sizeof(*recs) * cap);
				if (more == NULL) {
					log_error("spool file %s: out of memory", claimed);
					goto done;
				}
				recs = more;
			}
			recs[nrec++] = s;
			continue;
		}
		damaged = true;
		set_aside(rp, fd, claimed, base, buf, &s);
	}
	for (size_t i = 0; i < nrec; i += REPLAY_BATCH) {
		size_t k = nrec - i < REPLAY_BATCH ? nrec - i : REPLAY_BATCH;

		arena_reset(&rp->arena);
		if (!store_batch(rp, base, recs + i, k)) {
			out = DB_DOWN;
			goto done;
		}
	}
	/* Everything it held is committed (or set aside): only now may it go. */
	if (unlink(claimed) != 0) {
		log_error("spool file %s: replayed but cannot delete it: %s", claimed, strerror(errno));
		goto done;
	}
	if (rp->st != NULL) {
		spool_stats_add(&rp->st->records, -(long long)nrec);
		spool_stats_add(&rp->st->bytes, -(long long)sb.st_size);
		__atomic_store_n(&rp->st->failing, 0, __ATOMIC_RELAXED);
	}
	rp->t.files++;
	log_debug("spool file %s replayed: %zu records%s", claimed, nrec, damaged ? " (damage set aside)" : "");
	out = FILE_DONE;
done:
	free(recs);
	free(buf);
	close(fd);
	return out;
}

/* Files left by an earlier run (killed, or stopped while spooling) are counted once, so
 * /healthz tells what waits. */
static void
count_old(struct replayer *rp, char **names, size_t n)
{
	if (rp->st == NULL || __atomic_exchange_n(&rp->st->counted_old, 1, __ATOMIC_RELAXED))
		return;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		unsigned char *buf;
		size_t size = 0, pos = 0, k = 0;
		struct spoolrec_span s;
		int fd;

		if (strtoll(names[i], NULL, 10) >= rp->st->started_ms)
			continue;
		snprintf(path, sizeof(path), "%s/%s", rp->dir, names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		buf = read_all(fd, &size);
		while (buf != NULL && spoolrec_next(buf, size, &pos, &s) != SPOOLREC_END)
			k += s.kind == SPOOLREC_RECORD;
		free(buf);
		close(fd);
		spool_stats_add(&rp->st->records, (long long)k);
		spool_stats_add(&rp->st->bytes, (long long)size);
		if (k > 0)
			__atomic_store_n(&rp->st->spooling, 1, __ATOMIC_RELAXED);
	}
}

/* Writes go to a primary only: a standby (or a failover under way) waits. */
static bool
database_writable(struct replayer *rp)
{
	struct db_rows rows;
	struct db_error de;
	const char *v;

	arena_reset(&rp->arena);
	if (!db_call(rp->db, &probe_stmt, NULL, &rp->arena, &rows, &de))
		return false;
	v = db_value(&rows, 0, 0);
	return v != NULL && strcmp(v, "f") == 0;
}

/* Files in order, each taken by whoever gets its lock first; false when the database went away. */
static bool
drain(struct replayer *rp, char **names, size_t n)
{
	for (size_t i = 0; i < n && !proc_stopping(); i++)
		if (replay_file(rp, names[i]) == DB_DOWN)
			return false;
	return true;
}

/* Several files waiting: a second process replays beside this one, on its own connection, so
 * two backends store at once (one backend's landform.submit was the limit). Each takes only
 * files nobody holds, so no file is replayed by both; its tally comes back through a pipe. */
static bool
drain_parallel(struct replayer *rp, char **names, size_t n)
{
	struct tally t;
	int fds[2];
	pid_t pid;
	bool ok, theirs = false;

	if (n < 2 || pipe(fds) != 0)
		return drain(rp, names, n);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return drain(rp, names, n);
	}
	if (pid == 0) {
		struct replayer mine = *rp;

		close(fds[0]);
		log_set_role("replay");
		proc_die_with_parent();
		/* A connection of its own; the parent's is never touched (nor closed) here. */
		mine.db = db_new(rp->dbo);
		arena_init(&mine.arena, 65536);
		memset(&mine.t, 0, sizeof(mine.t));
		ok = drain(&mine, names, n);
		if (write(fds[1], &mine.t, sizeof(mine.t)) != (ssize_t)sizeof(mine.t) ||
		    write(fds[1], &ok, sizeof(ok)) != (ssize_t)sizeof(ok))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	ok = drain(rp, names, n);
	if (read(fds[0], &t, sizeof(t)) == (ssize_t)sizeof(t) &&
	    read(fds[0], &theirs, sizeof(theirs)) == (ssize_t)sizeof(theirs)) {
		rp->t.stored += t.stored;
		rp->t.already += t.already;
		rp->t.forgotten += t.forgotten;
		rp->t.dead += t.dead;
		rp->t.files += t.files;
	}
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return ok && theirs;
}

/* One pass over the spool; true when it is empty now. *db_down tells the database could not
 * take writes (the next try waits longer, so an outage is not a log line every REPLAY_POLL_MS). */
static bool
pass(struct replayer *rp, bool *db_down)
{
	char *names[MAX_FILES];
	size_t n = list_files(rp->dir, names, MAX_FILES);
	bool empty = n == 0;

	count_old(rp, names, n);
	*db_down = false;
	if (n > 0 && !(*db_down = !database_writable(rp))) {
		if (rp->t.began_ms == 0)
			rp->t.began_ms = clock_ms();
		*db_down = !drain_parallel(rp, names, n);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	if (rp->st != NULL && !empty) {
		/* The oldest file still here says how long the oldest submission has waited. */
		n = list_files(rp->dir, names, MAX_FILES);
		__atomic_store_n(&rp->st->oldest_ms, n ? strtoll(names[0], NULL, 10) : 0,
				 __ATOMIC_RELAXED);
		empty = n == 0;
		for (size_t i = 0; i < n; i++)
			free(names[i]);
	}
	return empty;
}

/* The spool is empty: one line for the whole episode, and /healthz says ok again. */
static void
finished(struct replayer *rp)
{
	struct spool_stats *st = rp->st;
	bool was = st != NULL && __atomic_exchange_n(&st->spooling, 0, __ATOMIC_RELAXED);

	if (st != NULL) {
		__atomic_store_n(&st->records, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->bytes, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&st->oldest_ms, 0, __ATOMIC_RELAXED);
	}
	if (was || rp->t.files > 0)
		log_info("spool replay finished: %lld submissions stored, %lld already stored, %lld forgotten, %lld refused (dead/), %lld files in %lld ms; the spool is empty",
			 rp->t.stored, rp->t.already, rp->t.forgotten, rp->t.dead, rp->t.files,
			 rp->t.began_ms ? clock_ms() - rp->t.began_ms : 0);
	memset(&rp->t, 0, sizeof(rp->t));
}

int
replay_run(const struct config *c)
{
	struct db_options dbo = proc_db_options(c, "landformd replayer");
	char dir[PATH_MAX];
	struct replayer rp = { .dir = dir, .dbo = &dbo };

	proc_child_init("replay", "lf-replay", NULL);
	spool_dir_of(c, dir, sizeof(dir));
	if (gethostname(rp.host, sizeof(rp.host)) != 0)
		snprintf(rp.host, sizeof(rp.host), "unknown");
	rp.host[sizeof(rp.host) - 1] = '\0';
	rp.st = spool_stats_get();
	rp.db = db_new(&dbo);
	arena_init(&rp.arena, 65536);
	log_info("replayer ready (spool %s)", dir);
	while (!proc_stopping()) {
		struct timespec ts = { 0, REPLAY_POLL_MS * 1000000L };
		bool spooling = rp.st != NULL && __atomic_load_n(&rp.st->spooling, __ATOMIC_RELAXED);
		bool down;

		if (pass(&rp, &down) && (spooling || rp.t.files > 0))
			finished(&rp);
		if (down)
			ts.tv_nsec = REPLAY_DOWN_MS * 1000000L;
		nanosleep(&ts, NULL);
	}
	arena_free(&rp.arena);
	db_free(rp.db);
	log_info("replayer stopped");
	return 0;
}
