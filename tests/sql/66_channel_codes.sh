#!/usr/bin/env bash
# SQL's channel code rule (channel_target_problem's code_invalid) against the one table of
# cases landformd's livecode_code_ok is tested with (tests/data/livecode/codes.tsv), so the two
# sides cannot drift apart.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
cases=$LANDFORM_TEST_ROOT/tests/data/livecode/codes.tsv

psql -X -q -A -t -v ON_ERROR_STOP=1 <<SQL
$(tsv_raw "$cases")
CREATE TABLE cases AS
SELECT n, split_part(line, E'\t', 1) AS name,
       CASE split_part(line, E'\t', 2) WHEN '<empty>' THEN '' ELSE split_part(line, E'\t', 2) END AS code,
       split_part(line, E'\t', 3) = '1' AS ok
FROM raw WHERE line IS NOT NULL AND line !~ '^#' AND line ~ E'\t';
SELECT t.ok(count(*) >= 10, 'the case table was read (' || count(*) || ' cases)') FROM cases;
SELECT t.is(landform.channel_target_problem(c.code, NULL, NULL) IS DISTINCT FROM 'code_invalid', c.ok,
            'channel_target_problem: ' || c.name)
FROM cases c ORDER BY c.n;
SQL
