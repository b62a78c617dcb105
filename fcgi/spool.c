/* The worker's side of the spool: durable appends, one fdatasync per round, and files handed
 * over to the replayer by letting go of their lock. */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "spoolrec.h"

static struct spool_stats *shared;

/* Shared, not per process: /healthz in any worker must see what every worker spooled. */
struct spool_stats *
spool_stats_create(void)
{
	void *p = mmap(NULL, sizeof(struct spool_stats), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	shared = p;
	memset(shared, 0, sizeof(*shared));
	shared->started_ms = clock_wall_ms();
	return shared;
}

struct spool_stats *
spool_stats_get(void)
{
	return shared;
}

void
spool_stats_add(long long *field, long long delta)
{
	/* Never below zero: a replayer may empty files another instance counted. */
	long long old = __atomic_load_n(field, __ATOMIC_RELAXED), next;

	do
		next = old + delta < 0 ? 0 : old + delta;
	while (!__atomic_compare_exchange_n(field, &old, next, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED));
}

long long
spool_stats_read(const long long *field)
{
	return __atomic_load_n(field, __ATOMIC_RELAXED);
}

void
spool_dir_of(const struct config *c, char *out, size_t outsz)
{
	const char *slash;

	if (c->spool_dir[0] != '\0') {
		snprintf(out, outsz, "%s", c->spool_dir);
		return;
	}
	/* The secret file's folder is this host's state: the spool belongs beside it. */
	slash = strrchr(c->secret_file, '/');
	if (slash == NULL)
		snprintf(out, outsz, "spool");
	else
		snprintf(out, outsz, "%.*s/spool", (int)(slash - c->secret_file), c->secret_file);
}

/* One folder of the spool, the service user's alone: spooled submissions hold personal data. */
static bool
make_dir(const char *path, uid_t uid, gid_t gid, char *err, size_t errsz)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "spool_dir: cannot create %s: %s", path, strerror(errno));
		return false;
	}
	if (geteuid() == 0 && chown(path, uid, gid) != 0) {
		snprintf(err, errsz, "spool_dir: cannot hand %s over: %s", path, strerror(errno));
		return false;
	}
	return true;
}

bool
spool_prepare_dir(const char *dir, uid_t uid, gid_t gid, char *err, size_t errsz)
{
	char sub[PATH_MAX];

	if (!make_dir(dir, uid, gid, err, errsz))
		return false;
	snprintf(sub, sizeof(sub), "%s/bad", dir);
	if (!make_dir(sub, uid, gid, err, errsz))
		return false;
	snprintf(sub, sizeof(sub), "%s/dead", dir);
	return make_dir(sub, uid, gid, err, errsz);
}

struct spool {
	char *dir;
	long long max_bytes;
	int fd;                   /* -1: no file */
	char path[PATH_MAX];
	off_t size;
	unsigned seq;
	long long last_append_ms; /* monotonic */
};

struct spool *
spool_new(const char *dir, long long max_bytes)
{
	struct spool *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->dir = strdup(dir)) == NULL)
		abort();
	s->max_bytes = max_bytes;
	s->fd = -1;
	return s;
}

void
spool_release(struct spool *s)
{
	if (s->fd < 0)
		return;
	close(s->fd); /* drops the flock */
	s->fd = -1;
	log_debug("spool file %s released (%lld bytes)", s->path, (long long)s->size);
}

void
spool_free(struct spool *s)
{
	if (s == NULL)
		return;
	spool_release(s);
	free(s->dir);
	free(s);
}

long
spool_tick(struct spool *s)
{
	long long idle;

	if (s->fd < 0)
		return -1;
	idle = clock_ms() - s->last_append_ms;
	if (idle >= SPOOL_IDLE_MS) {
		spool_release(s);
		return -1;
	}
	return (long)(SPOOL_IDLE_MS - idle);
}

/* The directory entry must be as durable as the data: fsync the folder after a rename. */
static bool
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/* A new file, locked before its name can be seen: created under a hidden name, flocked, then
 * renamed, so a replayer never takes a file its writer has not yet locked. */
static bool
open_file(struct spool *s, char *err, size_t errsz)
{
	char tmp[PATH_MAX];
	int fd;

	snprintf(s->path, sizeof(s->path), "%s/%015lld-%d-%u.spool", s->dir, clock_wall_ms(),
		 (int)getpid(), s->seq);
	snprintf(tmp, sizeof(tmp), "%s/.%015lld-%d-%u.tmp", s->dir, clock_wall_ms(), (int)getpid(),
		 s->seq);
	s->seq++;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "cannot create %s: %s", tmp, strerror(errno));
		return false;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || rename(tmp, s->path) != 0 || !sync_dir(s->dir)) {
		snprintf(err, errsz, "cannot set up %s: %s", s->path, strerror(errno));
		unlink(tmp);
		close(fd);
		return false;
	}
	s->fd = fd;
	s->size = 0;
	return true;
}

bool
spool_append(struct spool *s, const char *const *payloads, const size_t *lens, size_t n,
	     const char *reason, char *err, size_t errsz)
{
	struct spool_stats *st = shared;
	unsigned char *block = NULL;
	size_t total = 0, off = 0;
	bool ok = false;

	for (size_t i = 0; i < n; i++) {
		if (lens[i] > SPOOLREC_MAX_PAYLOAD) {
			snprintf(err, errsz, "a submission of %zu bytes is too large to spool", lens[i]);
			goto failed;
		}
		total += SPOOLREC_HEADER + lens[i];
	}
	if (st != NULL && spool_stats_read(&st->bytes) + (long long)total > s->max_bytes) {
		snprintf(err, errsz, "spool is full (spool_max_bytes %lld)", s->max_bytes);
		goto failed;
	}
	if (s->fd >= 0 && s->size + (off_t)total > SPOOL_FILE_MAX)
		spool_release(s);
	if (s->fd < 0 && !open_file(s, err, errsz))
		goto failed;
	block = malloc(total ? total : 1);
	if (block == NULL) {
		snprintf(err, errsz, "out of memory");
		goto failed;
	}
	for (size_t i = 0; i < n; i++) {
		spoolrec_header(block + off, payloads[i], (uint32_t)lens[i]);
		memcpy(block + off + SPOOLREC_HEADER, payloads[i], lens[i]);
		off += SPOOLREC_HEADER + lens[i];
	}
	for (off = 0; off < total;) {
		ssize_t w = write(s->fd, block + off, total - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errsz, "writing %s: %s", s->path, w < 0 ? strerror(errno) : "no progress");
			goto cut;
		}
		off += (size_t)w;
	}
	if (fdatasync(s->fd) != 0) {
		snprintf(err, errsz, "fdatasync %s: %s", s->path, strerror(errno));
		goto cut;
	}
	s->size += (off_t)total;
	s->last_append_ms = clock_ms();
	if (st != NULL) {
		long long zero = 0;

		spool_stats_add(&st->records, (long long)n);
		spool_stats_add(&st->bytes, (long long)total);
		(void)__atomic_compare_exchange_n(&st->oldest_ms, &zero, clock_wall_ms(), false,
						  __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		__atomic_store_n(&st->failing, 0, __ATOMIC_RELAXED);
		if (__atomic_exchange_n(&st->spooling, 1, __ATOMIC_RELAXED) == 0)
			log_warn("the database cannot store submissions (%s): acknowledging them from the spool in %s until it can",
				 reason ? reason : "unavailable", s->dir);
	}
	ok = true;
	goto done;
cut:
	/* Nothing of this round may stay half-written, or the next append would follow damage;
	 * when even that fails, this file is done with: the reader cuts a torn tail. */
	if (ftruncate(s->fd, s->size) != 0 || fdatasync(s->fd) != 0)
		spool_release(s);
failed:
	if (st != NULL)
		__atomic_store_n(&st->failing, 1, __ATOMIC_RELAXED);
done:
	free(block);
	return ok;
}
