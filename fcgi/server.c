/* The master: binds the socket, drops privileges, pre-forks workers, restarts the ones that
 * die, rolls them over on SIGHUP and drains them on SIGTERM. Signals are taken synchronously
 * with sigtimedwait, so no state is touched from a signal handler. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "dispatch.h"
#include "log.h"
#include "notify.h"
#include "replay.h"
#include "secret.h"
#include "spool.h"
#include "tally.h"
#include "worker.h"

#define MAX_CHILDREN 260

/* In metrics.h's order: a child's kind is its role in the counters. */
enum child_kind { CHILD_WORKER, CHILD_DISPATCHER, CHILD_NOTIFIER, CHILD_REPLAYER };
_Static_assert((int)CHILD_NOTIFIER == (int)METRICS_NOTIFIER && (int)CHILD_REPLAYER == (int)METRICS_REPLAYER &&
		       MAX_CHILDREN <= METRICS_MAX_SLOTS,
	       "children map onto the metrics roles and slots");

struct child {
	pid_t pid;            /* 0 = free slot */
	enum child_kind kind;
	unsigned generation;  /* bumped on reload; older ones are being retired */
	long long started_ms;
};

struct master {
	struct config *config;
	const char *config_path;
	char **envp;
	int listen_fd;
	unsigned generation;
	unsigned long exit_after;
	struct child children[MAX_CHILDREN];
	long long next_spawn_ms;  /* crash-loop brake */
	long long backoff_ms;
};

/* unix:PATH: refuse to steal a socket a live landformd still answers on. */
static int
listen_unix(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "listen: socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errsz, "listen: socket: %s", strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errsz, "listen: %s exists and is not a socket", path);
			goto failed;
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			snprintf(err, errsz, "listen: another process is serving on %s", path);
			goto failed;
		}
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errsz, "listen: bind %s: %s", path, strerror(errno));
		goto failed;
	}
	if (chmod(path, mode) != 0 || (geteuid() == 0 && chown(path, uid, gid) != 0)) {
		snprintf(err, errsz, "listen: setting owner/mode of %s: %s", path, strerror(errno));
		goto failed;
	}
	if (listen(fd, 1024) != 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		snprintf(err, errsz, "listen: %s: %s", path, strerror(errno));
		goto failed;
	}
	return fd;
failed:
	close(fd);
	return -1;
}

/* tcp:HOST:PORT, only when an operator asks for it. */
static int
listen_tcp(const char *spec, char *err, size_t errsz)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *ai = NULL;
	int fd = -1, one = 1, rc;
	size_t hl;

	if (colon == NULL || colon == spec || (hl = (size_t)(colon - spec)) >= sizeof(host)) {
		snprintf(err, errsz, "listen: expected tcp:HOST:PORT, got tcp:%s", spec);
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errsz, "listen: %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		snprintf(err, errsz, "listen: tcp:%s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
open_listener(const struct config *c, uid_t uid, gid_t gid, char *err, size_t errsz)
{
	if (strncmp(c->listen, "unix:", 5) == 0)
		return listen_unix(c->listen + 5, (mode_t)c->socket_mode, uid, gid, err, errsz);
	if (strncmp(c->listen, "tcp:", 4) == 0)
		return listen_tcp(c->listen + 4, err, errsz);
	snprintf(err, errsz, "listen: '%s' must start with unix: or tcp:", c->listen);
	return -1;
}

/* Root only binds and reads secrets; requests are served by an ordinary user. */
static bool
lookup_user(const struct config *c, uid_t *uid, gid_t *gid, char *err, size_t errsz)
{
	struct passwd *pw;

	*uid = geteuid();
	*gid = getegid();
	if (geteuid() != 0)
		return true;
	if (c->user[0] == '\0') {
		snprintf(err, errsz, "user: refusing to serve as root; set user to an unprivileged account");
		return false;
	}
	pw = getpwnam(c->user);
	if (pw == NULL) {
		snprintf(err, errsz, "user: no such user '%s'", c->user);
		return false;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "user: '%s' is root; choose an unprivileged account", c->user);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

static bool
drop_privileges(const struct config *c, uid_t uid, gid_t gid, char *err, size_t errsz)
{
	if (geteuid() != 0)
		return true;
	if (initgroups(c->user, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errsz, "user: cannot switch to '%s': %s", c->user, strerror(errno));
		return false;
	}
	if (setuid(0) == 0) {
		snprintf(err, errsz, "user: privileges could not be dropped");
		return false;
	}
	log_info("running as user %s", c->user);
	return true;
}

static void
spawn(struct master *m, enum child_kind kind)
{
	struct child *slot = NULL;
	pid_t pid;

	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid == 0) {
			slot = &m->children[i];
			break;
		}
	if (slot == NULL)
		return;
	pid = fork();
	if (pid < 0) {
		log_error("fork failed: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		int status;

		tally_child((enum metrics_role)kind, (size_t)(slot - m->children));
		status = kind == CHILD_WORKER
				     ? worker_run(m->config, m->listen_fd, m->exit_after)
				     : kind == CHILD_DISPATCHER ? dispatch_run(m->config)
				     : kind == CHILD_REPLAYER	? replay_run(m->config)
								: notify_run(m->config);

		close(m->listen_fd);
		config_free(m->config);
		free(m->config);
		log_close();
		_exit(status);
	}
	slot->pid = pid;
	slot->kind = kind;
	slot->generation = m->generation;
	slot->started_ms = clock_ms();
}

static const char *
kind_name(enum child_kind kind)
{
	return kind == CHILD_WORKER	? "worker"
	       : kind == CHILD_DISPATCHER ? "dispatcher"
	       : kind == CHILD_REPLAYER	  ? "replayer"
					  : "notifier";
}

static size_t
count_current(const struct master *m, enum child_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid != 0 && m->children[i].kind == kind &&
		    m->children[i].generation == m->generation)
			n++;
	return n;
}

/* The processes-alive gauges, every kind, old generations included (they still serve). */
static void
count_alive(const struct master *m)
{
	size_t n[METRICS_ROLE_COUNT] = { 0 };

	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid != 0)
			n[m->children[i].kind]++;
	for (size_t k = 0; k < METRICS_ROLE_COUNT; k++)
		tally_alive((enum metrics_role)k, n[k]);
}

/* Bring the current generation up to strength, braking when children keep dying young. */
static void
fill(struct master *m)
{
	size_t want = (size_t)config_worker_count(m->config);

	if (clock_ms() < m->next_spawn_ms)
		return;
	while (count_current(m, CHILD_WORKER) < want)
		spawn(m, CHILD_WORKER);
	if (m->config->dispatcher && count_current(m, CHILD_DISPATCHER) == 0)
		spawn(m, CHILD_DISPATCHER);
	if (m->config->notifier && count_current(m, CHILD_NOTIFIER) == 0)
		spawn(m, CHILD_NOTIFIER);
	/* Always one: a host's spool is drained by that host. */
	if (count_current(m, CHILD_REPLAYER) == 0)
		spawn(m, CHILD_REPLAYER);
	count_alive(m);
}

static void
reap(struct master *m, bool stopping)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < MAX_CHILDREN; i++) {
			struct child *ch = &m->children[i];
			bool young, clean;

			if (ch->pid != pid)
				continue;
			clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			young = clock_ms() - ch->started_ms < 1000;
			if (!stopping && ch->generation == m->generation) {
				if (!clean)
					tally_restart((enum metrics_role)ch->kind);
				if (WIFSIGNALED(status))
					log_error("%s %d killed by signal %d; starting another",
						  kind_name(ch->kind), (int)pid, WTERMSIG(status));
				else if (!clean)
					log_error("%s %d exited with status %d; starting another",
						  kind_name(ch->kind), (int)pid, WEXITSTATUS(status));
				if (young && !clean) {
					m->backoff_ms = m->backoff_ms ? m->backoff_ms * 2 : 100;
					if (m->backoff_ms > 5000)
						m->backoff_ms = 5000;
					m->next_spawn_ms = clock_ms() + m->backoff_ms;
				} else {
					m->backoff_ms = 0;
				}
			}
			ch->pid = 0;
			tally_slot_gone(i);
		}
	}
	count_alive(m);
}

static size_t
alive(const struct master *m)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid != 0)
			n++;
	return n;
}

static void
signal_generation(struct master *m, unsigned below, int sig)
{
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (m->children[i].pid != 0 && m->children[i].generation < below)
			kill(m->children[i].pid, sig);
}

/* SIGHUP: a new configuration (if it is valid) and fresh workers, which reload the pages.
 * The new generation starts before the old one is told to finish, so no request waits. */
static void
reload(struct master *m)
{
	struct config *next = calloc(1, sizeof(*next));
	char err[512];
	enum log_level lvl;

	if (next == NULL)
		return;
	if (!config_load(next, m->config_path, m->envp, err, sizeof(err)) ||
	    !log_level_parse(next->log_level, &lvl)) {
		log_error("reload refused, keeping the running configuration: %s",
			  err[0] ? err : "log_level: unknown level");
		config_free(next);
		free(next);
		return;
	}
	if (strcmp(next->listen, m->config->listen) != 0)
		log_warn("listen changed to %s: takes effect on restart, not reload", next->listen);
	{
		char dir[4096];

		spool_dir_of(next, dir, sizeof(dir));
		if (!spool_prepare_dir(dir, geteuid(), getegid(), err, sizeof(err)))
			log_error("%s", err);
	}
	config_free(m->config);
	free(m->config);
	m->config = next;
	log_threshold = lvl;
	m->generation++;
	m->next_spawn_ms = 0;
	fill(m);
	signal_generation(m, m->generation, SIGTERM);
	log_info("reloaded: generation %u", m->generation);
}

/* SIGTERM: workers finish what they are serving; stragglers are killed at the deadline. */
static void
drain(struct master *m, sigset_t *set)
{
	long long deadline = clock_ms() + m->config->shutdown_timeout * 1000;
	struct timespec tick = { 0, 200 * 1000000 };
	siginfo_t info;

	log_info("shutting down: %zu children", alive(m));
	signal_generation(m, ~0u, SIGTERM);
	while (alive(m) > 0 && clock_ms() < deadline) {
		(void)sigtimedwait(set, &info, &tick);
		reap(m, true);
		/* Again: a worker between its stop check and accept() missed the first one. */
		signal_generation(m, ~0u, SIGTERM);
	}
	if (alive(m) > 0) {
		log_warn("shutdown timeout: killing %zu children", alive(m));
		signal_generation(m, ~0u, SIGKILL);
		while (alive(m) > 0) {
			(void)sigtimedwait(set, &info, &tick);
			reap(m, true);
		}
	}
}

int
server_run(struct config *c, const char *config_path, char **envp, unsigned long exit_after)
{
	struct master *m = calloc(1, sizeof(*m));
	struct timespec tick = { 0, 250 * 1000000 };
	sigset_t set;
	siginfo_t info;
	char err[512], spool_dir[4096];
	uid_t uid;
	gid_t gid;
	int sig, status = 1;

	if (m == NULL)
		return 1;
	m->config = c;
	m->config_path = config_path;
	m->envp = envp;
	m->exit_after = exit_after;
	m->listen_fd = -1;
	log_set_role("master");

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	spool_dir_of(c, spool_dir, sizeof(spool_dir));
	if (!lookup_user(c, &uid, &gid, err, sizeof(err)) ||
	    !secret_ensure(c->secret_file, uid, gid, err, sizeof(err)) ||
	    !spool_prepare_dir(spool_dir, uid, gid, err, sizeof(err)) ||
	    (m->listen_fd = open_listener(c, uid, gid, err, sizeof(err))) < 0)
		goto failed;
	if (c->pid_file[0] != '\0') {
		FILE *f = fopen(c->pid_file, "w");

		if (f == NULL) {
			snprintf(err, sizeof(err), "pid_file: %s: %s", c->pid_file, strerror(errno));
			goto failed;
		}
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
		if (geteuid() == 0 && chown(c->pid_file, uid, gid) != 0)
			log_warn("pid_file: cannot hand %s to %s", c->pid_file, c->user);
	}
	if (!drop_privileges(c, uid, gid, err, sizeof(err)))
		goto failed;
	if (spool_stats_create() == NULL) {
		snprintf(err, sizeof(err), "spool: cannot map shared memory: %s", strerror(errno));
		goto failed;
	}
	log_info("landformd serving on %s with %ld workers", c->listen, config_worker_count(c));
	if (!tally_init())
		log_warn("metrics: no shared memory for the counters; /metrics shows none");

	fill(m);
	for (;;) {
		sig = sigtimedwait(&set, &info, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			reload(m);
		reap(m, false);
		fill(m);
	}
	drain(m, &set);
	if (strncmp(m->config->listen, "unix:", 5) == 0)
		unlink(m->config->listen + 5);
	if (m->config->pid_file[0] != '\0')
		unlink(m->config->pid_file);
	log_info("stopped");
	status = 0;
	goto done;
failed:
	log_error("%s", err);
done:
	if (m->listen_fd >= 0)
		close(m->listen_fd);
	config_free(m->config);
	free(m->config);
	free(m);
	return status;
}
