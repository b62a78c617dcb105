/* landformd configuration: one table of options, read from a file and LANDFORM_* variables. */
#ifndef LANDFORM_CONFIG_H
#define LANDFORM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Every option; strings are malloc'd and owned by the struct (config_free). */
struct config {
	char *listen;            /* unix:/path or tcp:HOST:PORT */
	long socket_mode;        /* unix socket permissions */
	long workers;            /* 0 = one per core */
	char *user;              /* drop to this user when started as root */
	char *pid_file;
	char *log_level;
	char *log_file;
	char *database_url;      /* libpq conninfo or URI */
	char *admin_database_url; /* schema owner, for migrate and passwd; empty = database_url */
	char *report_database_url; /* admin reports may read here (a standby); empty = database_url */
	long db_connect_timeout; /* seconds */
	long db_statement_timeout; /* milliseconds */
	bool db_prepare;         /* named prepared statements (off for old poolers) */
	long submit_batch;       /* most submissions stored in one transaction */
	char *landing_dir;
	char *sql_dir;
	char *secret_file;       /* key for form stamps and tokens */
	char *public_url;        /* how visitors reach us, for links in messages */
	long max_body;           /* bytes */
	long body_timeout;       /* milliseconds a request body may take to arrive */
	long max_fields;
	long max_field_len;      /* bytes per decoded value */
	long max_json_depth;
	long stamp_min_age;      /* seconds a human needs at least to fill a form */
	long stamp_max_age;      /* seconds a rendered form stays valid */
	long shutdown_timeout;   /* seconds in-flight requests get on SIGTERM */
	bool dispatcher;         /* run the lead dispatcher in this instance */
	long dispatch_interval;  /* milliseconds between dispatcher ticks */
	bool notifier;           /* run the notifier in this instance */
	long notify_interval;    /* milliseconds between notifier ticks */
	long notify_concurrency; /* sends in flight at once */
	long notify_per_target;  /* ... to one target */
	long notify_connect_timeout; /* milliseconds */
	long notify_timeout;     /* milliseconds per attempt, all included */
	long notify_max_attempts;
	long notify_backoff;     /* milliseconds before the first retry */
	long notify_backoff_max; /* milliseconds, longest wait between attempts */
	long counter_flush;      /* milliseconds between traffic counter flushes */
	char *spool_dir;         /* empty: "spool" beside the secret file */
	long spool_max_bytes;    /* bytes the spool may hold before submissions are refused */
	char *metrics_allow;     /* who may read /metrics: addresses and CIDR prefixes */
};

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_OCTAL, CONFIG_BOOL };

struct config_option {
	const char *name;      /* file key; the variable is LANDFORM_ + upper case */
	enum config_type type;
	size_t offset;
	const char *def;       /* default, as text */
	long min, max;         /* range for numbers */
	const char *help;
};

extern const struct config_option config_options[];
extern const size_t config_option_count;

/* Fill every option with its default. */
void config_defaults(struct config *c);

/* Apply "key = value" lines; errors name FILE:LINE and the option. */
bool config_parse_text(struct config *c, const char *text, const char *filename,
		       char *err, size_t errsz) __attribute__((warn_unused_result));

/* Apply LANDFORM_* variables from envp (environment wins over the file). */
bool config_parse_env(struct config *c, char *const *envp, char *err, size_t errsz)
	__attribute__((warn_unused_result));

/* The first LANDFORM_* variable that is not an option (a typo, or a script's own), or NULL. */
const char *config_unknown_env(char *const *envp);

/* Set one option by name from text, with range checks. */
bool config_set(struct config *c, const char *name, const char *value, char *err, size_t errsz)
	__attribute__((warn_unused_result));

/* Defaults, then the file (if any), then the environment. */
bool config_load(struct config *c, const char *path, char *const *envp, char *err, size_t errsz)
	__attribute__((warn_unused_result));

/* The connection for migrate and passwd: admin_database_url, or database_url when empty. */
const char *config_admin_url(const struct config *c);

/* Workers to start: the option, or the number of cores when it is 0. */
long config_worker_count(const struct config *c);

void config_usage(FILE *out);
void config_free(struct config *c);

#endif
