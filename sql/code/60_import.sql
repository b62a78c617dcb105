-- Batch import of phone lists: \copy into landform.import_staging, then import_staged(pool).

-- Check every staged row (phone rules as the web form; duplicates within the file and
-- against existing leads), insert the new leads into p_pool (NULL: default pool), record the
-- refused rows in import_rejects, empty the staging table and rotate the new leads at once.
-- Set-based: 100,000 rows take seconds. New leads are inserted already assigned, in the
-- order rotation would have given them (the same _rotation_slots as dispatch).
CREATE OR REPLACE FUNCTION landform.import_staged(p_pool text DEFAULT NULL)
RETURNS TABLE (import_id bigint, total bigint, imported bigint, refused bigint,
               refused_by_reason jsonb, assigned bigint)
LANGUAGE plpgsql
-- The inlined phone rules make a big expression: JIT would spend seconds compiling it.
SET jit = off
SET work_mem = '64MB'
AS $$
#variable_conflict use_column
DECLARE
	v_pool bigint := landform._pool_id(p_pool);
	v_import bigint;
	v_max bigint;
	v_stage bigint := landform.first_stage();
	v_total bigint;
	v_imported bigint;
	v_refused bigint;
	v_reasons jsonb;
	v_assigned bigint;
	v_deadline timestamptz;
	v_staff bigint[];
	v_seq bigint[];
BEGIN
	PERFORM landform._require_read_committed();
	-- One import at a time ('LFIM'), so two admins cannot interleave their staging rows.
	PERFORM pg_advisory_xact_lock(1279674701, 0);
	SELECT max(id) INTO v_max FROM landform.import_staging;
	IF v_max IS NULL THEN
		RAISE EXCEPTION 'nothing to import: landform.import_staging is empty'
			USING ERRCODE = 'P0002',
			      HINT = '\copy landform.import_staging (phone, name, channel, tags) FROM ''leads.csv'' WITH (FORMAT csv, HEADER true)';
	END IF;
	INSERT INTO landform.imports (pool_id, started_by) VALUES (v_pool, landform.actor())
	RETURNING id INTO v_import;

	INSERT INTO landform.channels (code)
	SELECT DISTINCT btrim(s.channel) FROM landform.import_staging s
	WHERE s.id <= v_max AND btrim(s.channel) ~ '^[A-Za-z0-9_-]{1,32}$'
	ORDER BY 1
	ON CONFLICT (code) DO NOTHING;

	-- Verdict per row; dropped at commit (transaction-local, pooler-safe).
	IF to_regclass('pg_temp.import_check') IS NOT NULL THEN
		DROP TABLE pg_temp.import_check;
	END IF;
	CREATE TEMP TABLE import_check ON COMMIT DROP AS
	WITH n AS (
		SELECT s.id, row_number() OVER (ORDER BY s.id) AS line, s.phone AS raw, f.e164,
		       CASE WHEN f.error IS NOT NULL THEN f.error
		            WHEN nullif(btrim(s.channel), '') !~ '^[A-Za-z0-9_-]{1,32}$' THEN 'bad_channel'
		            WHEN length(btrim(s.name)) > 200 THEN 'name_too_long'
		       END AS bad,
		       nullif(btrim(s.name), '') AS name, nullif(btrim(s.channel), '') AS channel, s.tags
		FROM landform.import_staging s
		CROSS JOIN LATERAL landform.phone_normalize(s.phone) f
		WHERE s.id <= v_max
	), d AS (
		SELECT n.*, row_number() OVER (PARTITION BY n.bad IS NULL, n.e164 ORDER BY n.id) AS nth
		FROM n
	)
	SELECT d.id, d.line, d.raw, d.e164, d.name, d.channel, d.tags,
	       CASE WHEN d.bad IS NOT NULL THEN d.bad
	            WHEN d.nth > 1 THEN 'duplicate_in_file'
	            WHEN l.id IS NOT NULL THEN 'already_known'
	       END AS reason
	FROM d LEFT JOIN landform.leads l ON l.phone = d.e164 AND d.bad IS NULL AND d.nth = 1;

	-- Leads already waiting in the pool go first; then the pool is ours until commit.
	PERFORM landform._dispatch_pool(v_pool);
	v_deadline := landform.deadline_after(v_pool, now(),
		(SELECT claim_timeout FROM landform.pools WHERE id = v_pool));

	WITH new AS (
		SELECT c.*, row_number() OVER (ORDER BY c.id) AS seq
		FROM import_check c WHERE c.reason IS NULL
	), ins AS (
		INSERT INTO landform.leads AS l (phone, name, pool_id, channel_id, source, stage_id, tags,
		                                 import_id, state, owner_id, handoffs)
		SELECT new.e164, new.name, v_pool, ch.id, 'import', v_stage,
		       CASE WHEN new.tags IS NULL THEN '{}'::text[] ELSE
		            ARRAY(SELECT DISTINCT btrim(t) FROM regexp_split_to_table(new.tags, '[,;|，；]') AS t
		                  WHERE btrim(t) <> '' ORDER BY 1) END,
		       v_import, CASE WHEN r.staff_id IS NULL THEN 'waiting' ELSE 'pending' END,
		       r.staff_id, (r.staff_id IS NOT NULL)::integer
		FROM new
		LEFT JOIN landform._rotation_slots(v_pool, (SELECT count(*) FROM new)) r ON r.seq = new.seq
		LEFT JOIN landform.channels ch ON ch.code = new.channel
		ORDER BY new.seq
		ON CONFLICT (phone) DO NOTHING
		RETURNING l.id, l.owner_id
	), asg AS (
		INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_by, deadline)
		SELECT ins.id, v_pool, ins.owner_id, 'rotation', landform.actor(), v_deadline
		FROM ins WHERE ins.owner_id IS NOT NULL ORDER BY ins.id
		RETURNING id, lead_id, staff_id
	), box AS (
		-- One notice per member for the whole import, not one per lead.
		INSERT INTO landform.outbox (kind, staff_id, payload)
		SELECT 'import_assigned', asg.staff_id,
		       jsonb_build_object('import_id', v_import, 'leads', count(*), 'deadline', v_deadline)
		FROM asg GROUP BY asg.staff_id
	), turn AS (
		SELECT ins.owner_id, row_number() OVER (ORDER BY ins.id) AS seq FROM ins
	)
	SELECT (SELECT count(*) FROM ins),
	       array_agg(turn.owner_id) FILTER (WHERE turn.owner_id IS NOT NULL),
	       array_agg(turn.seq) FILTER (WHERE turn.owner_id IS NOT NULL)
	INTO v_imported, v_staff, v_seq
	FROM turn;
	PERFORM landform._count_turns(v_pool, v_staff, v_seq);
	v_assigned := coalesce(cardinality(v_staff), 0);

	-- A visitor may have submitted one of these phones while we worked.
	IF v_imported < (SELECT count(*) FROM import_check c WHERE c.reason IS NULL) THEN
		UPDATE import_check c SET reason = 'already_known'
		WHERE c.reason IS NULL AND NOT EXISTS (
			SELECT 1 FROM landform.leads l WHERE l.phone = c.e164 AND l.import_id = v_import);
	END IF;

	INSERT INTO landform.import_rejects (import_id, line, phone, reason)
	SELECT v_import, c.line, left(c.raw, 100), c.reason
	FROM import_check c WHERE c.reason IS NOT NULL;

	SELECT count(*), count(*) FILTER (WHERE c.reason IS NOT NULL) INTO v_total, v_refused
	FROM import_check c;
	SELECT coalesce(jsonb_object_agg(r.reason, r.n ORDER BY r.reason), '{}') INTO v_reasons
	FROM (SELECT c.reason, count(*) AS n FROM import_check c
	      WHERE c.reason IS NOT NULL GROUP BY c.reason) r;

	PERFORM landform._tags_imported(v_import); -- provenance and tag rules (sql/code/45_tags.sql)
	DELETE FROM landform.import_staging s WHERE s.id <= v_max;
	DROP TABLE import_check;

	UPDATE landform.imports
	SET total = v_total, imported = v_imported, refused = v_refused, assigned = v_assigned
	WHERE id = v_import;
	RETURN QUERY SELECT v_import, v_total, v_imported, v_refused, v_reasons, v_assigned;
END
$$;
