-- Notification delivery (issue 6): outbox rows become one delivery per matching target; the
-- notifier (lf-notify) claims due deliveries under a lease, sends them and records the result.
-- Any number of notifiers on any number of hosts may run: claims lock rows with SKIP LOCKED
-- and lease them (next_at moves past the attempt), so no two send the same delivery at once,
-- and a notifier that dies mid-send only delays its deliveries until the lease ends.

-- Whether no active target takes notices of this kind.
CREATE OR REPLACE FUNCTION landform._nobody_takes(p_kind text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN NOT EXISTS (SELECT 1 FROM landform.notify_targets t
	                   WHERE t.active AND (t.kinds IS NULL OR p_kind = ANY (t.kinds)));
END
$$;

-- A notice no active target takes is settled as no_target when it is written, so the
-- notifier never reads and rewrites it (one per assigned lead on a site without targets). A
-- target added later gets later notices, as it would once the notifier had spread this one.
-- Writers of many rows at once (rotation) settle them themselves and skip this.
CREATE OR REPLACE FUNCTION landform._outbox_settle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.available_at <= now() AND landform._nobody_takes(NEW.kind) THEN
		NEW.fanned_at := now();
		NEW.targets := 0;
	END IF;
	RETURN NEW;
END
$$;

-- Wake the notifiers when something is queued for a target (once per statement, not per
-- row; a NOTIFY makes concurrent notifying commits wait for each other).
CREATE OR REPLACE FUNCTION landform._outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM outbox_new n WHERE n.fanned_at IS NULL) THEN
		PERFORM pg_notify('landform_outbox', '');
	END IF;
	RETURN NULL;
END
$$;

-- Seconds east of UTC of the site's time zone now, so the notifier can show local times.
CREATE OR REPLACE FUNCTION landform._tz_offset() RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT extract(epoch FROM (now() AT TIME ZONE coalesce(landform.setting('time_zone'), 'UTC'))
	                          - (now() AT TIME ZONE 'UTC'))::integer
$$;

-- Turn up to p_limit due outbox rows into deliveries, one per active target that takes
-- their kind (or only the row's own target). Rows another notifier is spreading are skipped.
CREATE OR REPLACE FUNCTION landform._notify_fan_out(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v_n integer;
BEGIN
	WITH fresh AS (
		SELECT o.id, o.kind, o.target_id
		FROM landform.outbox o
		WHERE o.fanned_at IS NULL AND o.available_at <= now()
		ORDER BY o.available_at, o.id
		LIMIT p_limit
		FOR UPDATE SKIP LOCKED
	), ins AS (
		INSERT INTO landform.deliveries (outbox_id, target_id)
		SELECT f.id, t.id
		FROM fresh f
		JOIN landform.notify_targets t ON t.active
		 AND (f.target_id = t.id
		      OR (f.target_id IS NULL AND (t.kinds IS NULL OR f.kind = ANY (t.kinds))))
		ON CONFLICT DO NOTHING
		RETURNING outbox_id
	), per AS (
		SELECT ins.outbox_id, count(*)::integer AS n FROM ins GROUP BY ins.outbox_id
	)
	UPDATE landform.outbox o
	SET fanned_at = now(), targets = coalesce(per.n, 0)
	FROM fresh LEFT JOIN per ON per.outbox_id = fresh.id
	WHERE o.id = fresh.id;
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- Sum up the deliveries of some outbox rows into the rows (the caller holds their locks):
-- sent_at once all are sent, dead_at once none is pending and one gave up.
CREATE OR REPLACE FUNCTION landform._notify_sum(p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
	UPDATE landform.outbox o
	SET attempts = s.attempts,
	    last_error = s.last_error,
	    sent_at = CASE WHEN s.sent = s.n THEN s.last_sent END,
	    dead_at = CASE WHEN s.pending = 0 AND s.dead > 0 THEN coalesce(o.dead_at, now()) END
	FROM (
		SELECT d.outbox_id, count(*) AS n,
		       count(*) FILTER (WHERE d.state = 'sent') AS sent,
		       count(*) FILTER (WHERE d.state = 'dead') AS dead,
		       count(*) FILTER (WHERE d.state = 'pending') AS pending,
		       sum(d.attempts)::integer AS attempts,
		       max(d.sent_at) AS last_sent,
		       (array_agg(d.last_error ORDER BY d.claimed_at DESC NULLS LAST)
		            FILTER (WHERE d.last_error IS NOT NULL))[1] AS last_error
		FROM landform.deliveries d
		WHERE d.outbox_id = ANY (p_ids)
		GROUP BY d.outbox_id
	) s
	WHERE o.id = s.outbox_id
$$;

-- The notifier's one call per round: spread new outbox rows, then lease up to p_limit due
-- deliveries, at most p_per_target per target minus what this notifier already has in flight
-- there (p_busy: {"<target id>": n}), so a slow target never fills every slot. Each claim
-- counts an attempt and leases the row for p_lease_ms; a delivery whose last attempt's lease
-- ran out (its notifier died) is marked dead once it has had p_max_attempts. Returns what to
-- send: target, attempt number, and the notice as JSON for fcgi/notice_wire.c (its body) and
-- fcgi/notice.c (its text).
-- (DROP first: the result columns may change between versions.)
DROP FUNCTION IF EXISTS landform.notify_claim(text, integer, integer, jsonb, integer, integer);
CREATE OR REPLACE FUNCTION landform.notify_claim(p_worker text, p_limit integer,
	p_per_target integer, p_busy jsonb, p_lease_ms integer, p_max_attempts integer)
RETURNS TABLE (outbox_id bigint, target_id bigint, target_name text, target_kind text,
               url text, secret text, attempt integer, notice jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = landform, pg_temp AS $$
#variable_conflict use_column
DECLARE
	v_o bigint[];
	v_t bigint[];
	v_locked bigint[];
	v_dead bigint[];
BEGIN
	PERFORM landform._notify_fan_out(500);

	-- Candidates without locks: the oldest due rows of each active target, within its room.
	SELECT array_agg(pick.outbox_id), array_agg(pick.target_id) INTO v_o, v_t
	FROM (
		SELECT due.outbox_id, due.target_id
		FROM landform.notify_targets t
		CROSS JOIN LATERAL (
			SELECT d.outbox_id, d.target_id, d.next_at
			FROM landform.deliveries d
			WHERE d.target_id = t.id AND d.state = 'pending' AND d.next_at <= now()
			ORDER BY d.next_at
			LIMIT greatest(p_per_target - coalesce((p_busy ->> t.id::text)::integer, 0), 0)
		) due
		WHERE t.active
		ORDER BY due.next_at
		LIMIT p_limit
	) pick;
	IF v_o IS NULL THEN
		RETURN;
	END IF;

	-- Outbox rows first, in id order, as notify_finish does, so the two never deadlock; a
	-- row another notifier holds is left for the next round.
	SELECT array_agg(x.id) INTO v_locked
	FROM (SELECT o.id FROM landform.outbox o WHERE o.id = ANY (v_o)
	      ORDER BY o.id FOR UPDATE SKIP LOCKED) x;
	IF v_locked IS NULL THEN
		RETURN;
	END IF;

	WITH dead AS (
		UPDATE landform.deliveries d
		SET state = 'dead', locked_by = NULL,
		    last_error = left(coalesce(d.last_error || '; ', '') ||
		                      'no result from the last attempt (notifier stopped)', 500)
		FROM unnest(v_o, v_t) AS k(o, t)
		WHERE d.outbox_id = k.o AND d.target_id = k.t AND k.o = ANY (v_locked)
		  AND d.state = 'pending' AND d.next_at <= now() AND d.attempts >= p_max_attempts
		RETURNING d.outbox_id
	)
	SELECT array_agg(DISTINCT dead.outbox_id) INTO v_dead FROM dead;
	IF v_dead IS NOT NULL THEN
		PERFORM landform._notify_sum(v_dead);
	END IF;

	RETURN QUERY
	WITH upd AS (
		UPDATE landform.deliveries d
		SET attempts = d.attempts + 1, next_at = now() + p_lease_ms * interval '1 ms',
		    locked_by = p_worker, claimed_at = now()
		FROM unnest(v_o, v_t) AS k(o, t)
		WHERE d.outbox_id = k.o AND d.target_id = k.t AND k.o = ANY (v_locked)
		  AND d.state = 'pending' AND d.next_at <= now() AND d.attempts < p_max_attempts
		RETURNING d.outbox_id, d.target_id, d.attempts
	)
	SELECT upd.outbox_id, upd.target_id, t.name, t.kind, t.url, t.secret, upd.attempts,
	       jsonb_strip_nulls(jsonb_build_object(
		'id', o.id, 'kind', o.kind, 'created_at', o.created_at, 'payload', o.payload,
		'tz_offset', landform._tz_offset(),
		'staff', CASE WHEN s.id IS NOT NULL THEN jsonb_build_object(
			'id', s.id, 'login', s.login, 'name', s.display_name,
			'wecom_userid', s.wecom_userid) END,
		'lead', CASE WHEN l.id IS NOT NULL THEN jsonb_build_object(
			'id', l.id, 'name', l.name, 'phone', landform.mask_phone(l.phone), 'state', l.state,
			'stage', st.name, 'pool', po.name, 'page', pg.title, 'channel', ch.code,
			'submissions', l.submissions) END,
		-- expiring/expired notices to a pool manager name the member in payload.member
		'member', CASE WHEN jsonb_typeof(o.payload -> 'member') = 'number' THEN (
			SELECT jsonb_build_object('id', m.id, 'name', m.display_name)
			FROM landform.staff m WHERE m.id = (o.payload ->> 'member')::bigint) END))
	FROM upd
	JOIN landform.notify_targets t ON t.id = upd.target_id
	JOIN landform.outbox o ON o.id = upd.outbox_id
	LEFT JOIN landform.staff s ON s.id = o.staff_id
	LEFT JOIN landform.leads l ON l.id = o.lead_id
	LEFT JOIN landform.stages st ON st.id = l.stage_id
	LEFT JOIN landform.pools po ON po.id = l.pool_id
	LEFT JOIN landform.pages pg ON pg.id = l.page_id
	LEFT JOIN landform.channels ch ON ch.id = l.channel_id
	ORDER BY upd.outbox_id, upd.target_id;
END
$$;

-- Record what happened to claimed deliveries, all in one call:
-- [{"outbox":1,"target":2,"ok":true,"status":200,"ms":12}, {"outbox":3,"target":2,"ok":false,
--   "status":500,"error":"...","retry_ms":4000,"ms":40}, {"outbox":4,"target":2,"release":true}]
-- ok: sent (even if the lease had run out: the receiver has it). Failed: retried after
-- retry_ms, or dead once it has had p_max_attempts; ignored when another notifier has taken
-- the row over. release: not sent after all (shutting down): due at once, attempt not counted.
-- Returns how many deliveries changed.
CREATE OR REPLACE FUNCTION landform.notify_finish(p_worker text, p_results jsonb,
	p_max_attempts integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = landform, pg_temp AS $$
DECLARE
	v_ids bigint[];
	v_n integer;
BEGIN
	SELECT array_agg(DISTINCT (x ->> 'outbox')::bigint) INTO v_ids
	FROM jsonb_array_elements(p_results) AS x;
	IF v_ids IS NULL THEN
		RETURN 0;
	END IF;
	PERFORM 1 FROM landform.outbox o WHERE o.id = ANY (v_ids) ORDER BY o.id FOR UPDATE;

	UPDATE landform.deliveries d
	SET state = CASE WHEN r.ok THEN 'sent'
	                 WHEN r.release THEN 'pending'
	                 WHEN d.attempts >= p_max_attempts THEN 'dead'
	                 ELSE 'pending' END,
	    sent_at = CASE WHEN r.ok THEN now() END,
	    next_at = CASE WHEN r.ok THEN d.next_at
	                   WHEN r.release THEN now()
	                   ELSE now() + greatest(coalesce(r.retry_ms, 0), 0) * interval '1 ms' END,
	    attempts = CASE WHEN r.release AND NOT r.ok THEN greatest(d.attempts - 1, 0)
	                    ELSE d.attempts END,
	    locked_by = NULL,
	    last_status = CASE WHEN r.release AND NOT r.ok THEN d.last_status ELSE r.status END,
	    last_error = CASE WHEN r.ok THEN NULL
	                      WHEN r.release THEN d.last_error
	                      ELSE left(coalesce(r.error, 'failed'), 500) END,
	    last_ms = CASE WHEN r.release AND NOT r.ok THEN d.last_ms ELSE r.ms END
	FROM (
		SELECT x.outbox, x.target, coalesce(x.ok, false) AS ok,
		       coalesce(x.release, false) AS release, x.status, x.error, x.retry_ms, x.ms
		FROM jsonb_to_recordset(p_results) AS x(outbox bigint, target bigint, ok boolean,
		                                        release boolean, status integer,
		                                        error text, retry_ms bigint, ms integer)
	) r
	WHERE d.outbox_id = r.outbox AND d.target_id = r.target
	  AND ((r.ok AND d.state <> 'sent')
	       OR (NOT r.ok AND d.state = 'pending' AND d.locked_by = p_worker));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	PERFORM landform._notify_sum(v_ids);
	RETURN v_n;
END
$$;

-- Admin: add a target, or change one with the same name (its pending deliveries follow).
-- kind 'wecom': url is the group robot's webhook address (https://qyapi.weixin.qq.com/cgi-bin/
-- webhook/send?key=...); kind 'webhook': any http(s) URL, and secret (16+ characters) signs
-- each body. kinds: the outbox kinds to send there (NULL: all).
CREATE OR REPLACE FUNCTION landform.set_notify_target(p_name text, p_kind text, p_url text,
	p_secret text DEFAULT NULL, p_kinds text[] DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	IF p_name IS NULL OR p_name !~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' THEN
		RAISE EXCEPTION 'bad target name "%"', p_name USING ERRCODE = '22023',
			HINT = 'names are 1-64 of A-Z, a-z, 0-9, . _ - and start with a letter or digit';
	END IF;
	IF p_kind IS NULL OR p_kind NOT IN ('wecom', 'webhook') THEN
		RAISE EXCEPTION 'unknown target kind "%"', p_kind USING ERRCODE = '22023',
			HINT = 'kinds are wecom (a WeCom group robot) and webhook (signed JSON POST)';
	END IF;
	IF p_url IS NULL OR p_url !~ '^https?://[^[:space:]]+$' OR length(p_url) > 2000 THEN
		RAISE EXCEPTION 'bad URL for target "%"', p_name USING ERRCODE = '22023',
			HINT = 'an http:// or https:// address without spaces, at most 2000 characters';
	END IF;
	IF p_kind = 'webhook' AND (p_secret IS NULL OR length(p_secret) NOT BETWEEN 16 AND 256) THEN
		RAISE EXCEPTION 'webhook target "%" needs a secret of 16-256 characters', p_name
			USING ERRCODE = '22023',
			      HINT = 'any long random string, e.g. from openssl rand -hex 24';
	END IF;
	IF p_kinds IS NOT NULL AND (cardinality(p_kinds) = 0 OR array_position(p_kinds, NULL) IS NOT NULL
	                             OR EXISTS (SELECT 1 FROM unnest(p_kinds) k WHERE k !~ '^[a-z_]{1,40}$')) THEN
		RAISE EXCEPTION 'bad kinds for target "%"', p_name USING ERRCODE = '22023',
			HINT = 'NULL for every kind, or a list such as ''{assigned,expired}''';
	END IF;
	INSERT INTO landform.notify_targets (name, kind, url, secret, kinds)
	VALUES (p_name, p_kind, p_url, CASE WHEN p_kind = 'webhook' THEN p_secret END, p_kinds)
	ON CONFLICT (name) DO UPDATE
		SET kind = excluded.kind, url = excluded.url, secret = excluded.secret,
		    kinds = excluded.kinds
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;

CREATE OR REPLACE FUNCTION landform._notify_target(p_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v_id bigint;
BEGIN
	SELECT id INTO v_id FROM landform.notify_targets WHERE name = p_name;
	IF v_id IS NULL THEN
		RAISE EXCEPTION 'no notification target "%"', p_name USING ERRCODE = 'P0002',
			HINT = 'SELECT name FROM landform.notify_targets';
	END IF;
	RETURN v_id;
END
$$;

-- Admin: pause (false) or resume (true) a target. Paused, nothing new is queued for it and
-- what is queued waits; resumed, it is sent.
CREATE OR REPLACE FUNCTION landform.enable_notify_target(p_name text, p_active boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM landform._need(p_active, 'active');
	UPDATE landform.notify_targets SET active = p_active WHERE id = landform._notify_target(p_name);
	IF p_active THEN
		PERFORM pg_notify('landform_outbox', '');
	END IF;
END
$$;

-- Admin: remove a target with its deliveries and test messages. Returns how many deliveries
-- were still pending (and are now dropped).
CREATE OR REPLACE FUNCTION landform.drop_notify_target(p_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint := landform._notify_target(p_name);
	v_pending bigint;
	v_ids bigint[];
BEGIN
	SELECT count(*) FILTER (WHERE state = 'pending'), array_agg(outbox_id ORDER BY outbox_id)
	INTO v_pending, v_ids
	FROM landform.deliveries WHERE target_id = v_id;
	-- The notices it was part of are summed up again without it (as notify_finish does).
	PERFORM 1 FROM landform.outbox o WHERE o.id = ANY (v_ids) ORDER BY o.id FOR UPDATE;
	DELETE FROM landform.outbox WHERE target_id = v_id;
	DELETE FROM landform.notify_targets WHERE id = v_id;
	UPDATE landform.outbox o
	SET targets = (SELECT count(*) FROM landform.deliveries d WHERE d.outbox_id = o.id)
	WHERE o.id = ANY (v_ids);
	PERFORM landform._notify_sum(v_ids);
	RETURN v_pending;
END
$$;

-- Admin: queue a test message for one target only. Returns the outbox id to follow in
-- landform.delivery_status.
CREATE OR REPLACE FUNCTION landform.test_notify_target(p_name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_id bigint;
BEGIN
	INSERT INTO landform.outbox (kind, target_id, payload)
	VALUES ('test', landform._notify_target(p_name), jsonb_build_object('by', landform.actor()))
	RETURNING id INTO v_id;
	RETURN v_id;
END
$$;

-- Admin: a member's WeCom user id, so group robot messages @-mention them (NULL: no mention).
CREATE OR REPLACE FUNCTION landform.set_wecom_userid(p_login text, p_userid text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_userid IS NOT NULL AND p_userid !~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$' THEN
		RAISE EXCEPTION 'bad WeCom user id "%"', p_userid USING ERRCODE = '22023',
			HINT = 'the account (帐号) from the WeCom admin console: letters, digits, _ . @ -';
	END IF;
	UPDATE landform.staff SET wecom_userid = p_userid WHERE login = p_login;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no staff member "%"', p_login USING ERRCODE = 'P0002';
	END IF;
END
$$;

-- Admin: try dead deliveries again from scratch (one notice, or every dead one when NULL).
-- Returns how many.
CREATE OR REPLACE FUNCTION landform.retry_notifications(p_outbox bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_ids bigint[];
	v_n bigint;
BEGIN
	SELECT array_agg(DISTINCT d.outbox_id ORDER BY d.outbox_id) INTO v_ids
	FROM landform.deliveries d
	WHERE d.state = 'dead' AND (p_outbox IS NULL OR d.outbox_id = p_outbox);
	IF v_ids IS NULL THEN
		RETURN 0;
	END IF;
	PERFORM 1 FROM landform.outbox o WHERE o.id = ANY (v_ids) ORDER BY o.id FOR UPDATE;
	UPDATE landform.deliveries
	SET state = 'pending', attempts = 0, next_at = now(), locked_by = NULL
	WHERE outbox_id = ANY (v_ids) AND state = 'dead';
	GET DIAGNOSTICS v_n = ROW_COUNT;
	PERFORM landform._notify_sum(v_ids);
	PERFORM pg_notify('landform_outbox', '');
	RETURN v_n;
END
$$;

-- Admin (or cron): delete finished notices older than p_older_than: sent, for no target, or
-- (with p_dead) given up. Returns how many outbox rows went.
CREATE OR REPLACE FUNCTION landform.prune_notifications(p_older_than interval DEFAULT '30 days',
	p_dead boolean DEFAULT false) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	v_n bigint;
BEGIN
	PERFORM landform._need(p_older_than, 'older_than');
	DELETE FROM landform.outbox o
	WHERE o.created_at < now() - p_older_than AND o.fanned_at IS NOT NULL
	  AND (o.sent_at IS NOT NULL OR o.targets = 0 OR (p_dead AND o.dead_at IS NOT NULL));
	GET DIAGNOSTICS v_n = ROW_COUNT;
	RETURN v_n;
END
$$;

-- One row per notice: waiting (not yet picked up), no_target, sending (some delivery still
-- pending, maybe retrying), sent (every target has it), dead (finished, one target gave up).
CREATE OR REPLACE VIEW landform.notifications AS
SELECT o.id, o.created_at, o.kind, s.login AS staff, o.lead_id,
       CASE WHEN o.fanned_at IS NULL THEN 'waiting'
            WHEN o.targets = 0 THEN 'no_target'
            WHEN o.sent_at IS NOT NULL THEN 'sent'
            WHEN o.dead_at IS NOT NULL THEN 'dead'
            ELSE 'sending' END AS status,
       o.targets, o.attempts, o.available_at, o.sent_at, o.dead_at, o.last_error
FROM landform.outbox o
LEFT JOIN landform.staff s ON s.id = o.staff_id;

-- One row per notice and target. status: queued (not tried yet), in_flight (a notifier holds
-- its lease), retrying (failed, next try at next_at), sent, dead. key is what the receiver
-- sees in X-Landform-Delivery.
CREATE OR REPLACE VIEW landform.delivery_status AS
SELECT d.outbox_id, o.kind, t.name AS target, t.kind AS target_kind,
       d.outbox_id || '.' || d.target_id AS key,
       CASE WHEN d.state <> 'pending' THEN d.state
            WHEN d.locked_by IS NOT NULL AND d.next_at > now() THEN 'in_flight'
            WHEN d.attempts = 0 THEN 'queued'
            ELSE 'retrying' END AS status,
       d.attempts, d.next_at, d.sent_at, d.last_status, d.last_error, d.last_ms,
       d.locked_by, o.created_at
FROM landform.deliveries d
JOIN landform.outbox o ON o.id = d.outbox_id
JOIN landform.notify_targets t ON t.id = d.target_id;

-- One row per target: what is queued, sent and dead there, and the latest error.
CREATE OR REPLACE VIEW landform.notify_target_status AS
SELECT t.name, t.kind, t.active, t.kinds,
       count(d.*) FILTER (WHERE d.state = 'pending') AS pending,
       count(d.*) FILTER (WHERE d.state = 'sent') AS sent,
       count(d.*) FILTER (WHERE d.state = 'dead') AS dead,
       max(d.sent_at) AS last_sent_at,
       (array_agg(d.last_error ORDER BY d.claimed_at DESC NULLS LAST)
            FILTER (WHERE d.last_error IS NOT NULL AND d.state <> 'sent'))[1] AS last_error
FROM landform.notify_targets t
LEFT JOIN landform.deliveries d ON d.target_id = t.id
GROUP BY t.id
ORDER BY t.name;

-- Only landformd's role may claim (claims hand out webhook secrets).
REVOKE ALL ON FUNCTION landform.notify_claim(text, integer, integer, jsonb, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION landform.notify_finish(text, jsonb, integer) FROM PUBLIC;
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'landform_app') THEN
		GRANT EXECUTE ON FUNCTION landform.notify_claim(text, integer, integer, jsonb, integer, integer),
			landform.notify_finish(text, jsonb, integer) TO landform_app;
	END IF;
END
$$;
