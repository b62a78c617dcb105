#!/usr/bin/env bash
# The masking functions (sql/code/15_mask.sql) against the one table of cases
# (tests/data/mask/cases.tsv), run as landform_app, which the portal's views and policy call
# them as; and a masked value never contains the digits it hides.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
cases=$LANDFORM_TEST_ROOT/tests/data/mask/cases.tsv

{ tsv_raw "$cases"; cat <<SQL; } | psql -X -q -A -t -v ON_ERROR_STOP=1
CREATE TABLE cases AS
SELECT n, split_part(line, E'\t', 1) AS fn, nullif(split_part(line, E'\t', 2), '-') AS input,
       nullif(split_part(line, E'\t', 3), '-') AS want, split_part(line, E'\t', 4) AS note
FROM raw WHERE line IS NOT NULL AND line !~ '^#' AND line ~ E'\t';
GRANT SELECT ON cases TO landform_app;
GRANT USAGE ON SCHEMA t TO landform_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;
SET ROLE landform_app;
SELECT t.ok(count(*) > 30 AND count(DISTINCT fn) = 3, 'the case table was read (' || count(*) || ' cases)') FROM cases;
SELECT t.is(CASE c.fn WHEN 'phone' THEN landform.mask_phone(coalesce(c.input, ''))
                      WHEN 'contact' THEN coalesce(landform.mask_contact(coalesce(c.input, '')), '')
                      WHEN 'fields' THEN landform.mask_fields(c.input::jsonb)::text END,
            CASE c.fn WHEN 'fields' THEN (c.want::jsonb)::text ELSE coalesce(c.want, '') END,
            c.fn || ': ' || c.note || ' (' || coalesce(c.input, '-') || ')')
FROM cases c ORDER BY c.n;
SELECT t.ok(bool_and(position(right(regexp_replace(c.input, '[^0-9]', '', 'g'), 8)
                              IN regexp_replace(landform.mask_contact(c.input), '[^0-9]', '', 'g')) = 0),
            'no masked text keeps 8 digits in a row of a number it hid')
FROM cases c WHERE c.fn = 'contact' AND c.input ~ '[0-9]{4}.?[0-9]{4}';
SELECT t.is(landform.mask_contact(NULL), NULL::text, 'mask_contact(NULL) is NULL');
SELECT t.is(landform.mask_phone(NULL), NULL::text, 'mask_phone(NULL) is NULL');
RESET ROLE;
SQL
