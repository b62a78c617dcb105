/* The ceiling landformd is measured against: a bare FastCGI responder that answers GET with a
 * canned response from memory and POST with one prepared INSERT. Not part of landformd.
 * usage: bare SOCKET PROCS RESPONSE_FILE CONNINFO */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hex.h" /* fcgi/hex.c, the one reader of hex digits */

#define MAX_BODY 65536

static const char insert_sql[] =
    "INSERT INTO bench.submissions (name, phone, company, agree, stamp) "
    "VALUES ($1, $2, $3, $4, $5)";

static const char redirect[] = "Status: 303 See Other\r\n"
			       "Location: /p/demo/thanks\r\n"
			       "Content-Type: text/html; charset=utf-8\r\n\r\n";

/* Decode one urlencoded value in place; a ceiling does the least a real parser must do. */
static void
decode(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '+')
			*o++ = ' ';
		else if (*s == '%' && hex_byte(s + 1) >= 0) {
			*o++ = (char)hex_byte(s + 1);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

/* Split name=value&... into the five columns; unknown fields are ignored. */
static void
fields(char *body, const char *v[5])
{
	static const char *const names[5] = { "name", "mobile", "company", "agree", "_stamp" };
	char *save = NULL, *kv, *eq;

	for (kv = strtok_r(body, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(kv, '=')) == NULL)
			continue;
		*eq++ = '\0';
		decode(eq);
		for (int i = 0; i < 5; i++)
			if (strcmp(kv, names[i]) == 0)
				v[i] = eq;
	}
}

static void
post(FCGX_Request *r, PGconn *pg, char *body)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	const char *v[5] = { NULL, NULL, NULL, NULL, NULL };
	long len = cl ? strtol(cl, NULL, 10) : 0;
	int got = 0, n;
	PGresult *res;

	if (len < 0 || len >= MAX_BODY) {
		FCGX_PutS("Status: 413 Too Large\r\nContent-Type: text/plain\r\n\r\n", r->out);
		return;
	}
	while (got < len && (n = FCGX_GetStr(body + got, (int)len - got, r->in)) > 0)
		got += n;
	body[got] = '\0';
	fields(body, v);
	res = PQexecPrepared(pg, "ins", 5, v, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		FCGX_PutS(redirect, r->out);
	else
		FCGX_FPrintF(r->out, "Status: 500 Error\r\nContent-Type: text/plain\r\n\r\n%s",
			     PQerrorMessage(pg));
	PQclear(res);
}

/* One process: its own connection, one prepared statement, the accept loop. */
static int
serve(int fd, const char *resp, size_t resp_len, const char *conninfo)
{
	PGconn *pg = PQconnectdb(conninfo);
	PGresult *res;
	FCGX_Request r;
	static char body[MAX_BODY];

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "bare: %s", PQerrorMessage(pg));
		return 1;
	}
	res = PQprepare(pg, "ins", insert_sql, 5, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bare: prepare: %s", PQerrorMessage(pg));
		return 1;
	}
	PQclear(res);
	FCGX_Init();
	FCGX_InitRequest(&r, fd, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		const char *m = FCGX_GetParam("REQUEST_METHOD", r.envp);

		if (m != NULL && strcmp(m, "POST") == 0)
			post(&r, pg, body);
		else
			FCGX_PutStr(resp, (int)resp_len, r.out);
		FCGX_Finish_r(&r);
	}
	PQfinish(pg);
	return 0;
}

int
main(int argc, char **argv)
{
	static char resp[1 << 20];
	size_t resp_len;
	FILE *f;
	int fd, procs;

	if (argc != 5) {
		fprintf(stderr, "usage: bare SOCKET PROCS RESPONSE_FILE CONNINFO\n");
		return 2;
	}
	procs = atoi(argv[2]);
	if ((f = fopen(argv[3], "rb")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	resp_len = fread(resp, 1, sizeof(resp), f);
	fclose(f);
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		fprintf(stderr, "bare: cannot listen on %s\n", argv[1]);
		return 1;
	}
	chmod(argv[1], 0660);
	for (int i = 0; i < procs; i++)
		if (fork() == 0)
			return serve(fd, resp, resp_len, argv[4]);
	/* The parent only waits; killing it takes the children along (PDEATHSIG). */
	while (wait(NULL) > 0)
		;
	return 0;
}
