/* What every child of the master does first: a name, signals, and dying with its parent; and
 * the one stop flag its loop reads. */
#ifndef LANDFORM_PROC_H
#define LANDFORM_PROC_H

#include <stdbool.h>

#include "config.h"
#include "db.h"

/* Log as role, show as name in ps (15 characters at most), make SIGTERM and SIGINT set the
 * stop flag proc_stopping() reads and then call also (NULL: nothing more; it runs inside the
 * handler, so it must be async-signal-safe), without SA_RESTART, so the signal interrupts a
 * blocking call; ignore SIGHUP and SIGPIPE, unblock every signal the master blocked, and get
 * SIGTERM when the master dies. */
void proc_child_init(const char *role, const char *name, void (*also)(void));

/* True once SIGTERM or SIGINT came: the child finishes what it holds and returns. */
bool proc_stopping(void);

/* SIGTERM to this process when its parent dies, so no orphan keeps running old code. */
void proc_die_with_parent(void);

/* The connection a background child (dispatcher, notifier, replayer) opens: its set-based
 * statements may run six times the request path's statement timeout; named in pg_stat_activity. */
struct db_options proc_db_options(const struct config *c, const char *application_name);

#endif
