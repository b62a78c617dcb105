/* landformd: command-line entry; everything else lives in liblandform.a. */
#include <cjson/cJSON.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
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
		"  serve            run the FastCGI master, its workers, the dispatcher and the notifier\n"
		"  migrate          apply sql/ migrations to the database, then exit\n"
		"  check-config     load the configuration, report the first problem, then exit\n"
		"  passwd LOGIN     set a staff member's password (read from the terminal twice,\n"
		"                   or one line from standard input) and end their sessions\n"
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
	if (!metrics_allow_check(c->metrics_allow, err, sizeof(err))) {
		fprintf(stderr, "landformd: %s\n", err);
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

static struct termios saved_tty;
static volatile sig_atomic_t tty_changed;

/* Ctrl-C at the password prompt must not leave the terminal without echo. */
static void
restore_tty(int sig)
{
	if (tty_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	_exit(128 + sig);
}

/* One line from standard input, without echo when it is a terminal; false at end of input. */
static bool
read_password(const char *prompt, char *buf, size_t size)
{
	bool tty = isatty(STDIN_FILENO) != 0;
	struct termios t;
	bool ok;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
			t = saved_tty;
			t.c_lflag &= ~(tcflag_t)ECHO;
			signal(SIGINT, restore_tty);
			signal(SIGTERM, restore_tty);
			tty_changed = tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
		}
	}
	ok = fgets(buf, (int)size, stdin) != NULL;
	if (tty) {
		if (tty_changed)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
		tty_changed = 0;
		fputc('\n', stderr);
	}
	if (ok)
		buf[strcspn(buf, "\r\n")] = '\0';
	return ok;
}

static const struct db_stmt set_password_stmt = {
	"set_password", "SELECT landform.set_password($1, $2)", 2, DB_RETRY_NEVER
};

/* For admins at a shell: the same rules and hash as the invitation page, stored through the
 * admin connection; landform.set_password ends the member's sessions. */
static int
cmd_passwd(struct config *c, const char *login)
{
	struct db_options o = {
		.conninfo = config_admin_url(c),
		.connect_timeout = (int)c->db_connect_timeout,
		.statement_timeout = 0,
		.prepare = false,
		.application_name = "landformd passwd",
	};
	char pw[AUTH_PASSWORD_MAX_BYTES + 2], again[AUTH_PASSWORD_MAX_BYTES + 2];
	char hash[AUTH_HASH_MAX];
	const char *params[2];
	bool tty = isatty(STDIN_FILENO) != 0;
	struct db *db = NULL;
	struct db_error de;
	struct arena a;
	enum auth_pw e;
	int status = 1;

	log_set_role("passwd");
	arena_init(&a, 1024);
	if (sodium_init() < 0) {
		log_error("passwd: libsodium did not start");
		goto done;
	}
	if (!read_password("New password: ", pw, sizeof(pw)) ||
	    (tty && !read_password("Again: ", again, sizeof(again)))) {
		log_error("passwd: no password given");
		goto done;
	}
	if ((e = auth_password_check(pw, tty ? again : NULL, login)) != AUTH_PW_OK) {
		static const char *const why[] = {
			[AUTH_PW_MISSING] = "it is empty",
			[AUTH_PW_TOO_SHORT] = "it needs at least 8 characters",
			[AUTH_PW_TOO_LONG] = "it is longer than 256 bytes",
			[AUTH_PW_BAD_TEXT] = "it is not UTF-8 text, or holds control characters",
			[AUTH_PW_IS_LOGIN] = "it is the login",
			[AUTH_PW_MISMATCH] = "the two copies differ",
		};
		log_error("passwd: password refused: %s", why[e]);
		goto done;
	}
	if (!auth_hash_password(pw, hash)) {
		log_error("passwd: hashing failed (out of memory?)");
		goto done;
	}
	db = db_new(&o);
	params[0] = login;
	params[1] = hash;
	if (!db_ready(db, &de)) {
		log_error("passwd: cannot connect: %s", de.message);
	} else if (!db_call(db, &set_password_stmt, params, &a, NULL, &de)) {
		log_error("passwd: %s", de.message);
	} else {
		printf("password set for %s; their sessions have ended\n", login);
		status = 0;
	}
done:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	db_free(db);
	arena_free(&a);
	return status;
}

/* cJSON allocates outside the arena: out of memory there aborts as the arena does, rather than
 * coming back as a NULL that the caller would read as "not JSON". */
static void *
json_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		abort();
	return p;
}

int
main(int argc, char **argv)
{
	cJSON_Hooks hooks = { .malloc_fn = json_malloc, .free_fn = free };
	const char *path = getenv("LANDFORM_CONFIG");
	const char *cmd = NULL, *login = NULL;
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
		} else if (strcmp(cmd, "passwd") == 0 && login == NULL) {
			login = argv[i];
		} else {
			fprintf(stderr, "landformd: unexpected argument %s\n", argv[i]);
			return 2;
		}
	}
	if (cmd == NULL) {
		usage(stderr);
		return 2;
	}
	cJSON_InitHooks(&hooks);
	if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 &&
	    strcmp(cmd, "check-config") != 0 && strcmp(cmd, "passwd") != 0) {
		fprintf(stderr, "landformd: unknown command '%s' (try --help)\n", cmd);
		return 2;
	}
	if (strcmp(cmd, "passwd") == 0 && login == NULL) {
		fprintf(stderr, "landformd: usage: landformd [-c FILE] passwd LOGIN\n");
		return 2;
	}
	c = load_config(path, strcmp(cmd, "serve") == 0);
	if (strcmp(cmd, "check-config") == 0) {
		printf("configuration ok\n");
		status = 0;
	} else if (strcmp(cmd, "migrate") == 0) {
		status = cmd_migrate(c);
	} else if (strcmp(cmd, "passwd") == 0) {
		status = cmd_passwd(c, login);
	} else {
		return server_run(c, path, environ, exit_after);
	}
	config_free(c);
	free(c);
	log_close();
	return status;
}
