/* Child process set-up shared by the workers, the dispatcher and the notifier. */
#include "proc.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "log.h"

void
proc_child_init(const char *role, const char *name, void (*on_term)(int))
{
	struct sigaction sa;
	sigset_t none;

	log_set_role(role);
	/* A master killed with SIGKILL must not leave orphans serving old code. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_NAME, name);
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
