/* Levelled one-line logging to stderr or a file; personal data only at debug. */
#ifndef LANDFORM_LOG_H
#define LANDFORM_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_threshold;

/* Parse "error|warn|info|debug"; false when unknown. */
bool log_level_parse(const char *s, enum log_level *out) __attribute__((warn_unused_result));

/* Send log lines to path (append) instead of stderr; NULL or "" means stderr. */
bool log_open(const char *path, char *err, unsigned long errsz) __attribute__((warn_unused_result));
void log_close(void);

/* Name this process in every line ("master", "worker", "dispatch"). */
void log_set_role(const char *role);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The path as logs may show it: the token of an invitation link (/staff/invite/<token>), and
 * any segment holding 32 or more hex digits in a row (a token wherever a route may put one),
 * cut to "…",
 * so a reader of the log cannot use the link. Written to out (always NUL-terminated when
 * outsz > 0; a path cut for size ends in "…" too); returns out. Pure. */
const char *log_path(const char *path, char *out, size_t outsz);

/* An info line for one served request: held back (at most 100 ms or 8 KB) and written with
 * the next ones. Call log_flush_due() when about to wait: it writes what is due and returns
 * milliseconds until the rest is (-1: nothing held); log_flush() writes all now. */
void log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long log_flush_due(void);
void log_flush(void);

/* The macro skips formatting entirely below the threshold. */
#define log_at(lvl, ...) do { if ((lvl) <= log_threshold) log_write((lvl), __VA_ARGS__); } while (0)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

#endif
