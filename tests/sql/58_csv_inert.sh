#!/usr/bin/env bash
# landform._csv_inert (sql/code/47_segments.sql), the formula guard of what segment_export gives
# \copy and the admin portal's download, against the one table of cases that fcgi/csv.c's
# csv_is_formula is held to as well (tests/data/csv/formula.tsv, tests/unit/test_csv.c).
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
cases=$LANDFORM_TEST_ROOT/tests/data/csv/formula.tsv

{ tsv_raw "$cases"; cat <<SQL; } | psql -X -q -A -t -v ON_ERROR_STOP=1
CREATE TABLE cases AS
SELECT n, split_part(line, E'\t', 1) AS name,
       replace(replace(replace(split_part(line, E'\t', 2), '\t', E'\t'), '\r', E'\r'), '\n', E'\n') AS cell,
       split_part(line, E'\t', 3) AS formula
FROM raw WHERE line IS NOT NULL AND line !~ '^#' AND line ~ E'\t';
SELECT t.ok(count(*) > 30 AND bool_and(formula IN ('yes', 'no')), 'the case table was read (' || count(*) || ' cases)') FROM cases;
SELECT t.is(landform._csv_inert(c.cell), CASE c.formula WHEN 'yes' THEN '''' || c.cell ELSE c.cell END,
            c.name || ' (' || c.formula || ')')
FROM cases c ORDER BY c.n;
SELECT t.is(landform._csv_inert(NULL), NULL::text, '_csv_inert(NULL) is NULL');
SQL
