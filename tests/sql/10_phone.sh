#!/usr/bin/env bash
# landform.phone_normalize() against the C normalizer's own table (tests/data/phone/cases.tsv),
# so imports and the web form agree on every spelling.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
cases=$LANDFORM_TEST_ROOT/tests/data/phone/cases.tsv

psql -X -q -A -t -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE raw (n serial, line text);
\copy raw (line) FROM '$cases' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')

-- The file's escapes (\t \\\\ \xNN) to text; NULL when the bytes are not valid UTF-8 text.
CREATE FUNCTION pg_temp.unescape(s text) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE
	b bytea := '';
	i integer := 1;
	c text;
BEGIN
	WHILE i <= length(s) LOOP
		c := substr(s, i, 1);
		IF c = E'\\\\' AND substr(s, i + 1, 1) = 't' THEN
			b := b || '\x09'::bytea; i := i + 2;
		ELSIF c = E'\\\\' AND substr(s, i + 1, 1) = E'\\\\' THEN
			b := b || '\x5c'::bytea; i := i + 2;
		ELSIF c = E'\\\\' AND substr(s, i + 1, 1) = 'x' THEN
			b := b || decode(substr(s, i + 2, 2), 'hex'); i := i + 4;
		ELSE
			b := b || convert_to(c, 'UTF8'); i := i + 1;
		END IF;
	END LOOP;
	RETURN convert_from(b, 'UTF8');
EXCEPTION WHEN OTHERS THEN
	RETURN NULL;
END
\$\$;

CREATE TABLE cases AS
SELECT n, split_part(line, E'\t', 1) AS input, pg_temp.unescape(split_part(line, E'\t', 1)) AS raw,
       split_part(line, E'\t', 2) AS want, split_part(line, E'\t', 3) AS note
FROM raw WHERE line IS NOT NULL AND line !~ '^#' AND line ~ E'\t';

SELECT t.ok(count(*) > 60, 'the shared case table was read (' || count(*) || ' cases)') FROM cases;
SELECT t.is(coalesce(f.e164, f.error), c.want, 'phone_normalize: ' || c.note || ' (' || c.input || ')')
FROM cases c CROSS JOIN LATERAL landform.phone_normalize(c.raw) f
WHERE c.raw IS NOT NULL ORDER BY c.n;
SELECT t.ok(bool_and(want = 'bad_char'), 'cases PostgreSQL text cannot hold (NUL, broken UTF-8) are all bad_char in C: '
            || string_agg(note, ', '))
FROM cases WHERE raw IS NULL;
SELECT t.is(landform.normalize_phone(' 138 1234 5678 '), '+8613812345678', 'normalize_phone returns the E.164 form');
SELECT t.is(landform.normalize_phone('12345'), NULL::text, 'normalize_phone returns NULL for a refused number');
SQL
