/* The one reader of timestamps and calendar dates: what PostgreSQL writes for timestamptz
 * (jsonb or text output) and what a query string may carry as a day. Pure; no time zone
 * machinery of the process is consulted. Cases: tests/data/isotime/cases.tsv.
 *
 * A timestamp is "YYYY-MM-DD(T| )HH:MM:SS[.f...](Z|±HH[[:]MM[:SS]])": seconds and a zone are
 * required (a time without its zone is ambiguous), the day must exist in its month (no
 * 2024-02-31), years run 0001-9999, hours 00-23, seconds 00-59, offsets at most ±15:59:59
 * (PostgreSQL's own bound). A date is "YYYY-MM-DD" under the same calendar rule. */
#ifndef LANDFORM_ISOTIME_H
#define LANDFORM_ISOTIME_H

#include <stdbool.h>

struct isotime {
	int year, month, day;      /* as written: the wall clock of the writer's zone */
	int hour, minute, second;
	int offset;                /* seconds east of UTC */
	long long epoch;           /* seconds since 1970-01-01T00:00:00Z */
};

/* Read a timestamp; false (out untouched) when s is NULL or not one. */
bool isotime_parse(const char *s, struct isotime *out) __attribute__((warn_unused_result));

/* Read a calendar date; false when s is NULL or not one. *epoch (may be NULL): its midnight UTC. */
bool isotime_date(const char *s, long long *epoch) __attribute__((warn_unused_result));

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
long long isotime_days_from_civil(long long y, int m, int d);
void isotime_civil_from_days(long long days, long long *y, int *m, int *d);

#endif
