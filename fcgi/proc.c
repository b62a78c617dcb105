/* Child process set-up shared by the workers, the dispatcher, the notifier and the replayer:
 * one signal handler and one stop flag instead of a copy in each. */
#include "proc.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"

/* One place for the settings every background child connects with. */
struct db_options
proc_db_options(const struct config *c, const char *application_name)
{
	return (struct db_options){
		.conninfo = c->database_url,
		.connect_timeout = (int)c->db_connect_timeout,
		.statement_timeout = (int)c->db_statement_timeout * 6,
		.prepare = c->db_prepare,
		.application_name = application_name,
	};
}

static volatile sig_atomic_t stopping;
static void (*on_stop)(void);

/* Only a flag (and the child's own async-signal-safe hook): the loop does the rest. */
static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	if (on_stop != NULL)
		on_stop();
}

/* Every child sets up the same way, so each behaves the same on stop, reload and crash. */
void
proc_child_init(const char *role, const char *name, void (*also)(void))
{
	struct sigaction sa;
	sigset_t none;

	log_set_role(role);
	proc_die_with_parent();
	prctl(PR_SET_NAME, name);
	on_stop = also;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* A function, not the variable: nobody outside can set the flag by mistake. */
bool
proc_stopping(void)
{
	return stopping != 0;
}

/* A master killed with SIGKILL must not leave orphans serving old code. */
void
proc_die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}
