/* CSV files for spreadsheets: RFC 4180 quoting, CRLF line ends, a UTF-8 byte order mark so
 * Excel reads Chinese text right, and cells that a spreadsheet would run as a formula made
 * inert. Pure: text in, bytes appended to a buf (whose memory is the caller's arena). */
#ifndef LANDFORM_CSV_H
#define LANDFORM_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* The three bytes EF BB BF; written once, first. */
void csv_bom(struct buf *out);

/* True when a spreadsheet could take the cell for a formula: it starts with = + - @, a tab
 * or a carriage return, and is not simply a number ("-12.5" stays a number). SQL has the same
 * rule as landform._csv_inert for what \copy writes (segment_export); both are tested against
 * tests/data/csv/formula.tsv. Two copies because the report CSVs are written here from the very
 * JSON the report pages show, where a guard's ' must not appear. */
bool csv_is_formula(const char *s);

/* One cell: NULL and "" as nothing; a formula-like cell gets a leading ' and quotes; a cell
 * holding , " CR or LF is quoted with inner quotes doubled. */
void csv_cell(struct buf *out, const char *s);

/* n cells separated by commas, then CRLF. */
void csv_row(struct buf *out, const char *const *cells, size_t n);

#endif
