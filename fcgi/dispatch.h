/* The dispatcher process: assigns new leads and reclaims overdue ones by calling landform.dispatch(). */
#ifndef LANDFORM_DISPATCH_H
#define LANDFORM_DISPATCH_H

struct config;

/* LISTEN for new leads and tick every dispatch_interval ms until SIGTERM. Exit status returned. */
int dispatch_run(const struct config *c);

#endif
