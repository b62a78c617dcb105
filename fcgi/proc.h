/* What every child of the master does first: a name, signals, and dying with its parent. */
#ifndef LANDFORM_PROC_H
#define LANDFORM_PROC_H

/* Log as role, show as name in ps (15 characters at most), call on_term for SIGTERM and
 * SIGINT (without SA_RESTART, so the signal interrupts a blocking call), ignore SIGHUP and
 * SIGPIPE, unblock every signal the master blocked, and get SIGTERM when the master dies. */
void proc_child_init(const char *role, const char *name, void (*on_term)(int));

#endif
