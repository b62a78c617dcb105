/* libFuzzer target: read any bytes as a timestamp and as a date; what is accepted must be a
 * real calendar day whose epoch maps back to the fields written. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct isotime t;
	long long e, y;
	int m, d;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (isotime_parse(s, &t)) {
		long long local = t.epoch + t.offset, days = (local - (((local % 86400) + 86400) % 86400)) / 86400;

		isotime_civil_from_days(days, &y, &m, &d);
		if (y != t.year || m != t.month || d != t.day || t.hour > 23 || t.minute > 59 ||
		    t.second > 59 || ((local % 86400) + 86400) % 86400 != t.hour * 3600 + t.minute * 60 + t.second)
			abort();
		/* Its first ten bytes are a date by the same rule. */
		s[10] = '\0';
		if (!isotime_date(s, &e) || e != days * 86400)
			abort();
	} else if (isotime_date(s, &e)) {
		if (strlen(s) != 10 || e % 86400 != 0)
			abort();
		isotime_civil_from_days(e / 86400, &y, &m, &d);
		if (y != atoi(s) || m != atoi(s + 5) || d != atoi(s + 8))
			abort();
	}
	free(s);
	return 0;
}
