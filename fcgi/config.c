/* The option table is the single source for defaults, ranges, help and parsing. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

#ifndef LANDFORM_PKGDATADIR
#define LANDFORM_PKGDATADIR "/usr/local/share/landform"
#endif

#define OPT(n, t, d, lo, hi, h) { #n, t, offsetof(struct config, n), d, lo, hi, h }

const struct config_option config_options[] = {
	OPT(listen, CONFIG_STRING, "unix:/run/landform/landformd.sock", 0, 0,
	    "FastCGI socket: unix:PATH, or tcp:HOST:PORT only when asked"),
	OPT(socket_mode, CONFIG_OCTAL, "0660", 0, 0777, "permissions of the unix socket"),
	OPT(workers, CONFIG_INT, "0", 0, 256, "worker processes; 0 = one per core"),
	OPT(user, CONFIG_STRING, "landform", 0, 0,
	    "unprivileged user to run as when started as root"),
	OPT(pid_file, CONFIG_STRING, "", 0, 0, "write the master's pid here (empty: none)"),
	OPT(log_level, CONFIG_STRING, "info", 0, 0, "error, warn, info or debug (personal data only at debug)"),
	OPT(log_file, CONFIG_STRING, "", 0, 0, "append logs here (empty: standard error)"),
	OPT(database_url, CONFIG_STRING, "dbname=landform", 0, 0,
	    "libpq connection string or URI for serving (a role that is not the schema owner)"),
	OPT(admin_database_url, CONFIG_STRING, "", 0, 0,
	    "connection for migrate and passwd, as the schema owner (empty: database_url)"),
	OPT(report_database_url, CONFIG_STRING, "", 0, 0,
	    "connection the admin reports may read from, such as a hot standby (empty: database_url)"),
	OPT(db_connect_timeout, CONFIG_INT, "2", 1, 60, "seconds to wait for a database connection"),
	OPT(db_statement_timeout, CONFIG_INT, "5000", 100, 600000,
	    "milliseconds a request's SQL may run before it is cancelled"),
	OPT(db_prepare, CONFIG_BOOL, "on", 0, 1,
	    "prepare statements once per connection; off for poolers that cannot keep them"),
	OPT(submit_batch, CONFIG_INT, "32", 1, 256,
	    "most form submissions a worker stores in one transaction when they arrive together; 1 = each alone"),
	OPT(landing_dir, CONFIG_STRING, LANDFORM_PKGDATADIR "/landing", 0, 0, "folder of landing pages"),
	OPT(sql_dir, CONFIG_STRING, LANDFORM_PKGDATADIR "/sql", 0, 0, "folder of SQL migrations and code"),
	OPT(secret_file, CONFIG_STRING, "/etc/landform/secret", 0, 0,
	    "file with at least 32 random bytes signing form stamps (created if missing)"),
	OPT(public_url, CONFIG_STRING, "http://127.0.0.1:8080", 0, 0,
	    "base URL visitors and staff use, for links in messages"),
	OPT(max_body, CONFIG_INT, "65536", 1024, 16777216, "largest request body accepted, bytes"),
	OPT(body_timeout, CONFIG_INT, "10000", 100, 600000,
	    "milliseconds a request body may take to arrive in full; a slow client holds a worker no longer"),
	OPT(max_fields, CONFIG_INT, "64", 1, 1024, "most fields in one submission"),
	OPT(max_field_len, CONFIG_INT, "8192", 16, 1048576, "longest field value, bytes"),
	OPT(max_json_depth, CONFIG_INT, "4", 1, 64, "deepest JSON nesting accepted"),
	OPT(stamp_min_age, CONFIG_INT, "2", 0, 3600, "seconds before a rendered form may be submitted"),
	OPT(stamp_max_age, CONFIG_INT, "86400", 60, 2592000, "seconds a rendered form stays valid"),
	OPT(shutdown_timeout, CONFIG_INT, "10", 1, 600,
	    "seconds in-flight requests get to finish on SIGTERM"),
	OPT(dispatcher, CONFIG_BOOL, "on", 0, 1, "run the lead dispatcher in this instance"),
	OPT(dispatch_interval, CONFIG_INT, "1000", 50, 60000, "milliseconds between dispatcher ticks"),
	OPT(notifier, CONFIG_BOOL, "on", 0, 1,
	    "run the notifier (outbox to WeCom robots and webhooks) in this instance"),
	OPT(notify_interval, CONFIG_INT, "1000", 50, 60000,
	    "milliseconds between notifier ticks (retries and scheduled notices are due on a tick)"),
	OPT(notify_concurrency, CONFIG_INT, "16", 1, 256, "notifications sent at once"),
	OPT(notify_per_target, CONFIG_INT, "4", 1, 256,
	    "notifications sent at once to one target, so a slow one cannot take every slot"),
	OPT(notify_connect_timeout, CONFIG_INT, "3000", 100, 60000,
	    "milliseconds to connect to a notification target"),
	OPT(notify_timeout, CONFIG_INT, "10000", 200, 300000,
	    "milliseconds one notification attempt may take in all"),
	OPT(notify_max_attempts, CONFIG_INT, "12", 1, 100,
	    "attempts before a notification is marked dead"),
	OPT(notify_backoff, CONFIG_INT, "1000", 10, 3600000,
	    "milliseconds before the first retry; doubled for each further one, with jitter"),
	OPT(notify_backoff_max, CONFIG_INT, "600000", 100, 86400000,
	    "longest wait between two attempts, milliseconds"),
	OPT(counter_flush, CONFIG_INT, "1000", 100, 60000,
	    "milliseconds between flushes of page view counters"),
	OPT(spool_dir, CONFIG_STRING, "", 0, 0,
	    "folder where submissions wait while the database cannot store them; a durable local disk (empty: spool beside secret_file)"),
	OPT(spool_max_bytes, CONFIG_INT, "1073741824", 0, 1099511627776,
	    "bytes the spool may hold; past it (or when the disk is full) submissions are refused with 503 and typed values kept"),
	OPT(metrics_allow, CONFIG_STRING, "127.0.0.1/8, ::1", 0, 0,
	    "client addresses (ADDRESS[/BITS], comma separated; unix for a local socket peer) that may read /metrics; empty: nobody"),
};

const size_t config_option_count = sizeof(config_options) / sizeof(config_options[0]);

static const struct config_option *
find_option(const char *name, size_t len)
{
	for (size_t i = 0; i < config_option_count; i++) {
		if (strlen(config_options[i].name) == len &&
		    strncmp(config_options[i].name, name, len) == 0)
			return &config_options[i];
	}
	return NULL;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Apply one value to one option; the message names the option and the bad value. */
static bool
set_option(struct config *c, const struct config_option *o, const char *value, char *err,
	   size_t errsz)
{
	char *p = (char *)c + o->offset;
	char *end;
	long n;

	switch (o->type) {
	case CONFIG_STRING: {
		char *copy = strdup(value);

		if (copy == NULL) {
			snprintf(err, errsz, "%s: out of memory", o->name);
			return false;
		}
		free(*(char **)p);
		*(char **)p = copy;
		return true;
	}
	case CONFIG_BOOL:
		if (!parse_bool(value, (bool *)p)) {
			snprintf(err, errsz, "%s: '%s' is not on/off", o->name, value);
			return false;
		}
		return true;
	case CONFIG_INT:
	case CONFIG_OCTAL:
		errno = 0;
		n = strtol(value, &end, o->type == CONFIG_OCTAL ? 8 : 10);
		if (*value == '\0' || *end != '\0' || errno != 0 || isspace((unsigned char)*value)) {
			snprintf(err, errsz, "%s: '%s' is not a%s number", o->name, value,
				 o->type == CONFIG_OCTAL ? "n octal" : "");
			return false;
		}
		if (n < o->min || n > o->max) {
			if (o->type == CONFIG_OCTAL)
				snprintf(err, errsz, "%s: %s is out of range %lo..%lo", o->name, value,
					 o->min, o->max);
			else
				snprintf(err, errsz, "%s: %ld is out of range %ld..%ld", o->name, n,
					 o->min, o->max);
			return false;
		}
		*(long *)p = n;
		return true;
	}
	abort();
}

bool
config_set(struct config *c, const char *name, const char *value, char *err, size_t errsz)
{
	const struct config_option *o = find_option(name, strlen(name));

	if (o == NULL) {
		snprintf(err, errsz, "unknown option '%s'", name);
		return false;
	}
	return set_option(c, o, value, err, errsz);
}

void
config_defaults(struct config *c)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < config_option_count; i++) {
		/* A default that does not parse is a bug in the table. */
		if (!set_option(c, &config_options[i], config_options[i].def, err, sizeof(err)))
			abort();
	}
}

static size_t
trim(const char **s, size_t len)
{
	while (len > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)(*s)[len - 1]))
		len--;
	return len;
}

bool
config_parse_text(struct config *c, const char *text, const char *filename, char *err,
		  size_t errsz)
{
	const char *line = text;
	unsigned lineno = 0;

	while (*line != '\0') {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *key = line, *eq, *val;
		size_t klen, vlen;
		char vbuf[4096], msg[512];
		const struct config_option *o;

		lineno++;
		line = nl ? nl + 1 : line + len;
		len = trim(&key, len);
		if (len == 0 || *key == '#')
			continue;
		eq = memchr(key, '=', len);
		if (eq == NULL) {
			snprintf(err, errsz, "%s:%u: expected 'name = value'", filename, lineno);
			return false;
		}
		klen = (size_t)(eq - key);
		klen = trim(&key, klen);
		val = eq + 1;
		vlen = trim(&val, len - (size_t)(eq + 1 - key));
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		o = find_option(key, klen);
		if (o == NULL) {
			snprintf(err, errsz, "%s:%u: unknown option '%.*s'", filename, lineno,
				 (int)klen, key);
			return false;
		}
		if (vlen >= sizeof(vbuf)) {
			snprintf(err, errsz, "%s:%u: %s: value too long", filename, lineno, o->name);
			return false;
		}
		memcpy(vbuf, val, vlen);
		vbuf[vlen] = '\0';
		if (!set_option(c, o, vbuf, msg, sizeof(msg))) {
			snprintf(err, errsz, "%s:%u: %s", filename, lineno, msg);
			return false;
		}
	}
	return true;
}

bool
config_parse_env(struct config *c, char *const *envp, char *err, size_t errsz)
{
	static const char prefix[] = "LANDFORM_";

	for (; envp != NULL && *envp != NULL; envp++) {
		const char *e = *envp, *eq = strchr(e, '=');
		char name[64], msg[512];
		size_t n;
		const struct config_option *o;

		if (eq == NULL || strncmp(e, prefix, sizeof(prefix) - 1) != 0)
			continue;
		e += sizeof(prefix) - 1;
		n = (size_t)(eq - e);
		if (n == 0 || n >= sizeof(name))
			continue;
		for (size_t i = 0; i < n; i++)
			name[i] = (char)tolower((unsigned char)e[i]);
		name[n] = '\0';
		/* Unknown names belong to scripts around us (LANDFORM_HTTP_PORT); main warns. */
		o = find_option(name, n);
		if (o == NULL)
			continue;
		if (!set_option(c, o, eq + 1, msg, sizeof(msg))) {
			snprintf(err, errsz, "LANDFORM_%.*s: %s", (int)n, e, msg);
			return false;
		}
	}
	return true;
}

const char *
config_unknown_env(char *const *envp)
{
	static const char prefix[] = "LANDFORM_";

	for (; envp != NULL && *envp != NULL; envp++) {
		const char *e = *envp, *eq = strchr(e, '=');
		char name[64];
		size_t n;

		if (eq == NULL || strncmp(e, prefix, sizeof(prefix) - 1) != 0)
			continue;
		e += sizeof(prefix) - 1;
		n = (size_t)(eq - e);
		if (n == 0 || n >= sizeof(name))
			return *envp;
		for (size_t i = 0; i < n; i++)
			name[i] = (char)tolower((unsigned char)e[i]);
		if (find_option(name, n) == NULL && !(n == 6 && strncmp(name, "config", 6) == 0))
			return *envp;
	}
	return NULL;
}

bool
config_load(struct config *c, const char *path, char *const *envp, char *err, size_t errsz)
{
	char *text;
	bool ok;

	config_defaults(c);
	if (path != NULL && *path != '\0') {
		size_t len;

		text = file_read(path, 1 << 20, &len);
		if (text == NULL) {
			snprintf(err, errsz, "cannot read config file %s: %s", path,
				 errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
			return false;
		}
		if (strlen(text) != len) {
			snprintf(err, errsz, "%s: config file contains a NUL byte", path);
			free(text);
			return false;
		}
		ok = config_parse_text(c, text, path, err, errsz);
		free(text);
		if (!ok)
			return false;
	}
	return config_parse_env(c, envp, err, errsz);
}

const char *
config_admin_url(const struct config *c)
{
	return c->admin_database_url[0] != '\0' ? c->admin_database_url : c->database_url;
}

long
config_worker_count(const struct config *c)
{
	long n;

	if (c->workers > 0)
		return c->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

void
config_usage(FILE *out)
{
	for (size_t i = 0; i < config_option_count; i++) {
		const struct config_option *o = &config_options[i];
		char env[64];
		size_t j;

		for (j = 0; o->name[j] != '\0' && j < sizeof(env) - 1; j++)
			env[j] = (char)toupper((unsigned char)o->name[j]);
		env[j] = '\0';
		fprintf(out, "  %-22s LANDFORM_%-22s default: %s", o->name, env,
			*o->def ? o->def : "(empty)");
		if (o->type == CONFIG_INT)
			fprintf(out, " (%ld..%ld)", o->min, o->max);
		else if (o->type == CONFIG_BOOL)
			fprintf(out, " (on/off)");
		fprintf(out, "\n  %24s%s\n", "", o->help);
	}
}

void
config_free(struct config *c)
{
	for (size_t i = 0; i < config_option_count; i++)
		if (config_options[i].type == CONFIG_STRING) {
			char **p = (char **)((char *)c + config_options[i].offset);

			free(*p);
			*p = NULL;
		}
}
