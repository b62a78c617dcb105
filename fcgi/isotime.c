/* One ISO-8601 reader for the whole daemon, so the portal, the notices and the date filters
 * accept exactly the same texts (they used to disagree, each with its own calendar code). */
#include "isotime.h"

#include <stddef.h>

/* n ASCII digits at s as a number; -1 when any is not a digit (a NUL stops it too). */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days in month m of year y: the calendar check both forms share. */
static int
month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Eras of 400 years counted from March (H. Hinnant's method); by hand because timegm would
 * read the process's zone machinery and this must stay pure. */
long long
isotime_days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse, for texts written in another zone than the one read (notices). */
void
isotime_civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DD" at s (not necessarily ending there); false unless the day exists. */
static bool
read_date(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4) < 0 || s[4] != '-' || digits(s + 5, 2) < 0 || s[7] != '-' || digits(s + 8, 2) < 0)
		return false;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	return *y >= 1 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m);
}

bool
isotime_date(const char *s, long long *epoch)
{
	int y, m, d;

	if (s == NULL || !read_date(s, &y, &m, &d) || s[10] != '\0')
		return false;
	if (epoch != NULL)
		*epoch = isotime_days_from_civil(y, m, d) * 86400;
	return true;
}

/* "Z" or "±HH[[:]MM[:SS]]" to the end of the text; false on anything else. */
static bool
read_zone(const char *p, int *offset)
{
	int sign, h, mi = 0, sec = 0;

	if (p[0] == 'Z') {
		*offset = 0;
		return p[1] == '\0';
	}
	if (p[0] != '+' && p[0] != '-')
		return false;
	sign = p[0] == '-' ? -1 : 1;
	if ((h = digits(p + 1, 2)) < 0 || h > 15)
		return false;
	p += 3;
	if (*p != '\0') {
		bool colon = *p == ':';

		p += colon;
		if ((mi = digits(p, 2)) < 0 || mi > 59)
			return false;
		p += 2;
		if (colon && *p == ':') {
			if ((sec = digits(p + 1, 2)) < 0 || sec > 59)
				return false;
			p += 3;
		}
		if (*p != '\0')
			return false;
	}
	*offset = sign * (h * 3600 + mi * 60 + sec);
	return true;
}

bool
isotime_parse(const char *s, struct isotime *out)
{
	struct isotime t;
	const char *p;

	if (s == NULL || !read_date(s, &t.year, &t.month, &t.day) || (s[10] != 'T' && s[10] != ' '))
		return false;
	/* Each field is read only once the ones before it were there: the NUL may be inside it. */
	if ((t.hour = digits(s + 11, 2)) < 0 || s[13] != ':' || (t.minute = digits(s + 14, 2)) < 0 ||
	    s[16] != ':' || (t.second = digits(s + 17, 2)) < 0)
		return false;
	if (t.hour > 23 || t.minute > 59 || t.second > 59)
		return false;
	p = s + 19;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return false;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (!read_zone(p, &t.offset))
		return false;
	t.epoch = isotime_days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600LL +
		  t.minute * 60LL + t.second - t.offset;
	*out = t;
	return true;
}
