/* This host's spool: where a worker makes a submission durable when the database cannot take
 * it, so the visitor is thanked only for what is committed or fdatasync'd here. Records are
 * framed by spoolrec.h; each worker appends to a file of its own, which it holds an exclusive
 * flock on while it may still append: the replayer (replay.h) takes only files nobody holds, so
 * a file is never appended to after a replayer took it, and a writer killed with SIGKILL frees
 * its file by dying.
 *
 * Layout under spool_dir: <ms>-<pid>-<seq>.spool (written or waiting), <...>.claimed (being
 * replayed), bad/ (damaged records moved aside), dead/ (records the database refused). */
#ifndef LANDFORM_SPOOL_H
#define LANDFORM_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct config;

/* A worker closes its file after this long without an append, so the replayer can take it. */
#define SPOOL_IDLE_MS 1000
/* ... and starts another past this size, so replay never waits on one huge file. */
#define SPOOL_FILE_MAX (16L << 20)

/* What every process of this instance knows about the spool (memory shared by the master with
 * its children): /healthz reads it, workers and the replayer keep it. */
struct spool_stats {
	long long records;    /* submissions acknowledged from the spool, not yet replayed */
	long long bytes;      /* bytes of spool files */
	long long oldest_ms;  /* wall clock ms of the oldest file waiting; 0: none */
	long long dead;       /* records in dead/ (refused by the database) since start */
	long long started_ms; /* when the master started: older files were left by another run */
	int spooling;         /* set when the first submission is spooled, cleared when replayed */
	int failing;          /* the last append failed (full, disk error): /healthz says 503 */
	int counted_old;      /* the replayer has counted the files left by another run */
};

/* Create the shared block (in the master, before any child); NULL when mmap fails. */
struct spool_stats *spool_stats_create(void);
/* The block this process shares (NULL outside a master and its children). */
struct spool_stats *spool_stats_get(void);
void spool_stats_add(long long *field, long long delta);
long long spool_stats_read(const long long *field);

/* spool_dir, or "spool" beside the secret file when it is empty. Written to out. */
void spool_dir_of(const struct config *c, char *out, size_t outsz);

/* Create spool_dir, bad/ and dead/ (mode 0700, owned by uid:gid) if missing. */
bool spool_prepare_dir(const char *dir, uid_t uid, gid_t gid, char *err, size_t errsz)
	__attribute__((warn_unused_result));

struct spool;

/* A worker's writer; opens no file until the first append. The caller frees with spool_free,
 * which closes the file. */
struct spool *spool_new(const char *dir, long long max_bytes);
void spool_free(struct spool *s);

/* Append n payloads as records and fdatasync once. False (err filled) when the spool is full,
 * the disk is full or fails: then nothing of them counts as spooled (a partial append is cut
 * off). reason says why the database did not take them, for the one "spooling started" line. */
bool spool_append(struct spool *s, const char *const *payloads, const size_t *lens, size_t n,
		  const char *reason, char *err, size_t errsz) __attribute__((warn_unused_result));

/* Let go of the current file (the replayer may take it now); the next append starts another. */
void spool_release(struct spool *s);

/* Release the file once idle for SPOOL_IDLE_MS; milliseconds until that is due, -1: no file. */
long spool_tick(struct spool *s);

#endif
