# Helpers for the shell SQL tests (sourced): the database is $PGDATABASE, a fresh clone.
# Print lines in the same 'ok - ' / 'not ok - ' form as tests/sql/lib/tap.sql.

# One query, unaligned tuples only; stops the test on an SQL error.
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$@"; }

# tap_is GOT WANT DESC
tap_is() {
	if [ "$1" = "$2" ]; then echo "ok - $3"; else echo "not ok - $3: got $1, want $2"; fi
}

# tap_ok CONDITION-EXIT-STATUS DESC, e.g. tap_ok "$( [ $n -le 1 ]; echo $? )" "..."
tap_ok() {
	if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi
}

# Seconds since the epoch with fractions, for timings.
now_s() { date +%s.%N; }

# gate_open SECONDS: hold advisory lock 4242 for that long in the background, so workers that
# start with gate_wait all begin at the same moment when it is released.
gate_open() {
	psql -X -q -c "SELECT pg_advisory_lock(4242)" -c "SELECT pg_sleep($1)" >/dev/null &
	sleep 0.3
}
gate_wait="SELECT pg_advisory_lock_shared(4242); SELECT pg_advisory_unlock_shared(4242);"

# race_expirers SECONDS: two sessions in the background, each running dispatch() in a loop (the
# expiry side of an accept race) until no offer in the test's table race (id: an assignment) is
# still undecided, or SECONDS have passed. The caller waits for them.
race_expirers() {
	local e
	for e in 1 2; do
		psql -X -q -v ON_ERROR_STOP=1 -c "
		DO \$\$
		DECLARE
			t0 timestamptz := clock_timestamp();
		BEGIN
			LOOP
				PERFORM landform.dispatch();
				COMMIT;
				EXIT WHEN NOT EXISTS (SELECT 1 FROM landform.assignments a JOIN race r ON r.id = a.id
				                      WHERE a.closed_at IS NULL AND a.accepted_at IS NULL)
				       OR clock_timestamp() > t0 + interval '$1 s';
				PERFORM pg_sleep(0.001);
			END LOOP;
		END \$\$;" >/dev/null &
	done
}

# tsv_raw FILE: the SQL that reads a table of cases (tests/data/...) line by line into a new
# table raw (n serial, line text), for a test to split into columns with split_part.
tsv_raw() {
	printf '%s\n' "CREATE TABLE raw (n serial, line text);" \
		"\\copy raw (line) FROM '$1' WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')"
}

# sessions_done PREFIX WHAT: wait for the background sessions (each writing PREFIX.<n>), then
# one line that WHAT all succeeded, one that none deadlocked or erred.
sessions_done() {
	local fails=0 job
	for job in $(jobs -p); do wait "$job" || fails=$((fails + 1)); done
	tap_is "$fails" 0 "$2 all succeed"
	tap_is "$(cat "$1".* | grep -ci 'deadlock\|error')" 0 "... with no deadlock and no error"
	rm -f "$1".*
}
