/* CSV writing (see csv.h): RFC 4180 and spreadsheet formula injection (CWE-1236). */
#include "csv.h"

#include <string.h>

void
csv_bom(struct buf *out)
{
	buf_add(out, "\xEF\xBB\xBF", 3);
}

/* [-+]?digits[.digits]: what a spreadsheet reads as a plain number, never as a formula. The
 * same pattern as landform._csv_inert in SQL; tests/data/csv/formula.tsv holds both to it. */
static bool
is_number(const char *s)
{
	size_t i = 0, d;

	if (s[i] == '-' || s[i] == '+')
		i++;
	for (d = 0; s[i] >= '0' && s[i] <= '9'; d++)
		i++;
	if (d == 0)
		return false;
	if (s[i] == '.') {
		i++;
		for (d = 0; s[i] >= '0' && s[i] <= '9'; d++)
			i++;
		if (d == 0)
			return false;
	}
	return s[i] == '\0';
}

bool
csv_is_formula(const char *s)
{
	if (s == NULL || strchr("=+-@\t\r", s[0]) == NULL || s[0] == '\0')
		return false;
	return !is_number(s);
}

void
csv_cell(struct buf *out, const char *s)
{
	bool formula, quote;

	if (s == NULL || *s == '\0')
		return;
	formula = csv_is_formula(s);
	quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (!quote) {
		buf_adds(out, s);
		return;
	}
	buf_addc(out, '"');
	if (formula)
		buf_addc(out, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(out, '"');
		buf_addc(out, *s);
	}
	buf_addc(out, '"');
}

void
csv_row(struct buf *out, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ',');
		csv_cell(out, cells[i]);
	}
	buf_adds(out, "\r\n");
}
