/* One line per event, written with a single write(2) so lines from many workers never interleave. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_INFO;

static int log_fd = 2;
static const char *log_role = "landformd";
static int log_pid; /* cached: getpid() is a system call */

void log_flush(void);
static const char *const level_names[] = { "error", "warn", "info", "debug" };

bool
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

bool
log_open(const char *path, char *err, unsigned long errsz)
{
	int fd;

	if (path == NULL || *path == '\0') {
		log_close();
		return true;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open log file %s: %s", path, strerror(errno));
		return false;
	}
	log_close();
	log_fd = fd;
	return true;
}

void
log_close(void)
{
	log_flush();
	if (log_fd > 2)
		close(log_fd);
	log_fd = 2;
}

void
log_set_role(const char *role)
{
	log_role = role;
	log_pid = (int)getpid();
}

/* Access lines held back so a busy worker writes them in a few large writes, not one per
 * request; any other line, log_flush_due() and log_flush() write them out first. */
#define HOLD_MAX 8192
#define HOLD_MS 100
static char held[HOLD_MAX];
static size_t held_len;
static long long held_since;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
log_flush(void)
{
	if (held_len > 0)
		(void)!write(log_fd, held, held_len);
	held_len = 0;
}

long
log_flush_due(void)
{
	long long age;

	if (held_len == 0)
		return -1;
	age = now_ms() - held_since;
	if (age >= HOLD_MS) {
		log_flush();
		return -1;
	}
	return (long)(HOLD_MS - age);
}

/* "2026-01-02T03:04:05.678Z info  worker[123] " + the message, one line, no control characters. */
static size_t
format_line(char *line, size_t size, enum log_level level, const char *fmt, va_list ap)
{
	static time_t stamped_sec = -1;
	static char stamp[24];
	struct timeval tv;
	size_t n;
	int k;

	if (log_pid == 0)
		log_pid = (int)getpid();
	gettimeofday(&tv, NULL);
	/* The date changes once a second; formatting it is the costly part. */
	if (tv.tv_sec != stamped_sec) {
		struct tm tm;

		gmtime_r(&tv.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		stamped_sec = tv.tv_sec;
	}
	k = snprintf(line, size, "%s.%03dZ %-5s %s[%d] ", stamp, (int)(tv.tv_usec / 1000),
		     level_names[level], log_role, log_pid);
	n = k > 0 ? (size_t)k : 0;
	k = vsnprintf(line + n, size - n, fmt, ap);
	if (k > 0)
		n += (size_t)k;
	if (n > size - 2)
		n = size - 2;
	/* Control characters never reach the log: a path cannot forge a second line. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = ' ';
	line[n++] = '\n';
	return n;
}

/* One line now, or held with the access lines (which any other line writes out first). */
static void
emit(enum log_level level, bool hold, const char *fmt, va_list ap)
{
	char line[2048];
	size_t n;
	int saved = errno;

	n = format_line(line, sizeof(line), level, fmt, ap);
	if (!hold || held_len + n > HOLD_MAX)
		log_flush();
	if (!hold) {
		(void)!write(log_fd, line, n);
	} else {
		if (held_len == 0)
			held_since = now_ms();
		memcpy(held + held_len, line, n);
		held_len += n;
		if (now_ms() - held_since >= HOLD_MS)
			log_flush();
	}
	errno = saved;
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(level, false, fmt, ap);
	va_end(ap);
}

void
log_access(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_INFO, true, fmt, ap);
	va_end(ap);
}

/* Longest run of hex digits in the len bytes at s: a token hides in a segment by its shape. */
static size_t
hex_run(const char *s, size_t len)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; i < len; i++) {
		bool hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		           (s[i] >= 'A' && s[i] <= 'F');

		run = hex ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* Why: log readers (operators, a shipped log, anyone who can read the file) must not be able
 * to use an invitation link; cutting by shape also covers a route added later. */
const char *
log_path(const char *path, char *out, size_t outsz)
{
	static const char cut[] = "\xe2\x80\xa6"; /* … */
	const char *p = path ? path : "";
	bool after_invite = false;
	size_t n = 0;

	if (outsz < sizeof(cut)) { /* no room even for "…" */
		if (outsz > 0)
			out[0] = '\0';
		return out;
	}
	if (*p != '\0' && *p != '/') { /* not a path as front-ends send it: show none of it */
		memcpy(out, cut, sizeof(cut));
		return out;
	}
	while (*p == '/') {
		size_t len = strcspn(p + 1, "/");
		bool token = len > 0 && (after_invite || hex_run(p + 1, len) >= 32);
		const char *piece = token ? cut : p + 1;
		size_t plen = token ? sizeof(cut) - 1 : len;

		if (n + 1 + plen >= outsz) { /* no room for the rest: end with "…" */
			if (n > outsz - sizeof(cut)) { /* back to a segment's start, never mid-character */
				n = outsz - sizeof(cut);
				while (n > 0 && out[n - 1] != '/')
					n--;
			}
			memcpy(out + n, cut, sizeof(cut) - 1);
			n += sizeof(cut) - 1;
			break;
		}
		out[n++] = '/';
		memcpy(out + n, piece, plen);
		n += plen;
		after_invite = len == 6 && strncmp(p + 1, "invite", 6) == 0;
		p += 1 + len;
	}
	out[n] = '\0';
	return out;
}
