/* The replayer: one child of the master (lf-replay) that drains this host's spool into the
 * database, oldest file first, as soon as the database takes writes again. */
#ifndef LANDFORM_REPLAY_H
#define LANDFORM_REPLAY_H

struct config;

/* Run until SIGTERM; returns the process exit status. */
int replay_run(const struct config *c);

#endif
