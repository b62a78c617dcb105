/* landformd serve: the master that owns the socket and supervises the worker processes. */
#ifndef LANDFORM_SERVER_H
#define LANDFORM_SERVER_H

struct config;

/* Run until SIGTERM/SIGINT. Takes ownership of c (malloc'd), which SIGHUP may replace.
 * exit_after > 0 makes each worker exit after that many requests (leak checks).
 * Returns the process exit status. */
int server_run(struct config *c, const char *config_path, char **envp, unsigned long exit_after);

#endif
