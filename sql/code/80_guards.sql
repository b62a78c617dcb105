-- Deletion guards standing in for the foreign keys migrations 0005 and 0012 took off bulk and
-- per-submission paths: leads and assignments name pools, stages and staff, and leads,
-- submissions, consultations and page_daily name pages and channels, without a per-row
-- check, so those rows may not disappear while anything names them.

-- Staff with a history are deactivated, never deleted.
CREATE OR REPLACE FUNCTION landform._staff_delete_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM landform.assignments WHERE staff_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM landform.leads WHERE owner_id = OLD.id) THEN
		RAISE EXCEPTION 'staff "%" has assignment history and cannot be deleted', OLD.login
			USING ERRCODE = '23503',
			      HINT = 'use SELECT landform.deactivate_staff(''' || OLD.login || ''')';
	END IF;
	RETURN OLD;
END
$$;

-- A pool with leads cannot go (their history and rotation refer to it).
CREATE OR REPLACE FUNCTION landform._pool_delete_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM landform.leads WHERE pool_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM landform.assignments WHERE pool_id = OLD.id) THEN
		RAISE EXCEPTION 'pool "%" has leads and cannot be deleted', OLD.name
			USING ERRCODE = '23503', HINT = 'point its pages elsewhere with landform.set_page_pool() and keep it';
	END IF;
	RETURN OLD;
END
$$;

-- A stage with leads in it cannot go.
CREATE OR REPLACE FUNCTION landform._stage_delete_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM landform.leads WHERE stage_id = OLD.id) THEN
		RAISE EXCEPTION 'stage "%" still has leads and cannot be deleted', OLD.name
			USING ERRCODE = '23503', HINT = 'move its leads to another stage first, or rename it';
	END IF;
	RETURN OLD;
END
$$;

-- Pages and channels are read (not locked) by every submission, so a deletion first waits for
-- the submissions in flight and holds off new ones (ACCESS EXCLUSIVE conflicts with their
-- reads), then looks for anything naming the row. A page's own counters go with it.
CREATE OR REPLACE FUNCTION landform._page_delete_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	LOCK TABLE landform.pages IN ACCESS EXCLUSIVE MODE;
	IF EXISTS (SELECT 1 FROM landform.submissions WHERE page_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM landform.leads WHERE page_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM landform.consultations WHERE page_id = OLD.id) THEN
		RAISE EXCEPTION 'page "%" has leads and submissions and cannot be deleted', OLD.slug
			USING ERRCODE = '23503',
			      HINT = 'stop showing it: remove landing/' || OLD.slug || '/ and reload landformd';
	END IF;
	DELETE FROM landform.page_daily WHERE page_id = OLD.id;
	RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION landform._channel_delete_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	LOCK TABLE landform.channels IN ACCESS EXCLUSIVE MODE;
	IF EXISTS (SELECT 1 FROM landform.submissions WHERE channel_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM landform.leads WHERE channel_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM landform.page_daily WHERE channel_id = OLD.id) THEN
		RAISE EXCEPTION 'channel "%" has traffic or leads and cannot be deleted', OLD.code
			USING ERRCODE = '23503', HINT = 'rename it instead (channels.name)';
	END IF;
	RETURN OLD;
END
$$;

-- Ids are never renumbered, so a changed id would orphan its references just the same.
CREATE OR REPLACE FUNCTION landform._id_update_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the id of a row in % cannot change', TG_TABLE_NAME USING ERRCODE = '23503';
END
$$;

