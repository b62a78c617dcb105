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
	if (log_fd > 2)
		close(log_fd);
	log_fd = 2;
}

void
log_set_role(const char *role)
{
	log_role = role;
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	struct timeval tv;
	struct tm tm;
	size_t n;
	int k;
	va_list ap;
	int saved = errno;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	k = snprintf(line + n, sizeof(line) - n, ".%03dZ %-5s %s[%d] ", (int)(tv.tv_usec / 1000),
		     level_names[level], log_role, (int)getpid());
	if (k > 0)
		n += (size_t)k;
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (k > 0)
		n += (size_t)k;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	/* Control characters never reach the log: a path cannot forge a second line. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = ' ';
	line[n++] = '\n';
	(void)!write(log_fd, line, n);
	errno = saved;
}
