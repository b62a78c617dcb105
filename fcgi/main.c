/* landformd: command-line entry; everything else lives in liblandform.a. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"
#include "server.h"

extern char **environ;

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: landformd [-c FILE] COMMAND\n"
		"\n"
		"commands:\n"
		"  serve            run the FastCGI master, its workers and the dispatcher\n"
		"  migrate          apply sql/ migrations to the database, then exit\n"
		"  check-config     load the configuration, report the first problem, then exit\n"
		"\n"
		"options:\n"
		"  -c FILE          configuration file (also LANDFORM_CONFIG); environment wins\n"
		"  -h, --help       this text\n"
		"  -V, --version    print the version\n"
		"\n"
		"configuration (file key, environment variable, default, range):\n");
	config_usage(out);
}

/* Load configuration and logging; exits with a message naming the option on bad values. */
static struct config *
load_config(const char *path, bool serving)
{
	struct config *c = calloc(1, sizeof(*c));
	char err[512] = "";
	enum log_level lvl;

	if (c == NULL)
		exit(1);
	if (!config_load(c, path, environ, err, sizeof(err))) {
		fprintf(stderr, "landformd: %s\n", err);
		exit(2);
	}
	if (!log_level_parse(c->log_level, &lvl)) {
		fprintf(stderr, "landformd: log_level: '%s' is not error, warn, info or debug\n",
			c->log_level);
		exit(2);
	}
	log_threshold = lvl;
	/* One-shot commands talk to the operator's terminal; only serve writes to log_file. */
	if (serving && !log_open(c->log_file, err, sizeof(err))) {
		fprintf(stderr, "landformd: log_file: %s\n", err);
		exit(2);
	}
	if (config_unknown_env(environ) != NULL) {
		const char *u = config_unknown_env(environ);

		log_warn("ignoring %.*s: not a landformd option (see --help)",
			 (int)strcspn(u, "="), u);
	}
	return c;
}

static int
cmd_migrate(struct config *c)
{
	struct db_options o = {
		.conninfo = config_admin_url(c),
		.connect_timeout = (int)c->db_connect_timeout,
		.statement_timeout = 0, /* a migration may rightly take long */
		.prepare = false,
		.application_name = "landformd migrate",
	};
	struct db *db = db_new(&o);
	struct db_error de;
	char err[1024];
	int status = 0;

	log_set_role("migrate");
	if (!db_ready(db, &de)) {
		log_error("migrate: cannot connect: %s", de.message);
		status = 1;
	} else if (!migrate_run(db, c->sql_dir, c->public_url, err, sizeof(err))) {
		log_error("migrate failed, nothing was changed: %s", err);
		status = 1;
	}
	db_free(db);
	return status;
}

int
main(int argc, char **argv)
{
	const char *path = getenv("LANDFORM_CONFIG");
	const char *cmd = NULL;
	unsigned long exit_after = 0;
	struct config *c;
	int i, status;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("landformd %s\n", PACKAGE_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			path = argv[++i];
		} else if (strcmp(argv[i], "--exit-after") == 0 && i + 1 < argc) {
			/* For leak checks: each worker exits after N requests. */
			exit_after = strtoul(argv[++i], NULL, 10);
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "landformd: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (cmd == NULL) {
			cmd = argv[i];
		} else {
			fprintf(stderr, "landformd: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (cmd == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 &&
	    strcmp(cmd, "check-config") != 0) {
		fprintf(stderr, "landformd: unknown command '%s' (try --help)\n", cmd);
		return 2;
	}
	c = load_config(path, strcmp(cmd, "serve") == 0);
	if (strcmp(cmd, "check-config") == 0) {
		printf("configuration ok\n");
		status = 0;
	} else if (strcmp(cmd, "migrate") == 0) {
		status = cmd_migrate(c);
	} else {
		return server_run(c, path, environ, exit_after);
	}
	config_free(c);
	free(c);
	log_close();
	return status;
}
