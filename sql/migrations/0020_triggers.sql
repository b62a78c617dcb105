-- Every trigger, created once here: sql/code keeps the trigger functions (CREATE OR REPLACE, no
-- table lock) and a routine migrate never takes a lock on a busy table. Until now sql/code
-- dropped and re-created most of these on each migrate; they are re-made here once as they were.
-- A new trigger, or a changed WHEN or column list, is a new migration (sql/README.md).

-- On a new database the functions come later (sql/code runs after the migrations, in the same
-- transaction): a placeholder that refuses to run until sql/code replaces it.
DO $$
DECLARE
	v_fn text;
BEGIN
	FOREACH v_fn IN ARRAY ARRAY['landform._channel_delete_guard',
		'landform._consultation_rollup',
		'landform._deal_channel',
		'landform._deal_wins',
		'landform._expired_notice',
		'landform._id_update_guard',
		'landform._lead_rollup',
		'landform._lead_steps',
		'landform._offers_rollup',
		'landform._outbox_notify',
		'landform._outbox_settle',
		'landform._page_delete_guard',
		'landform._pool_delete_guard',
		'landform._staff_deactivated',
		'landform._staff_delete_guard',
		'landform._stage_delete_guard',
		'landform._tags_deal_changed',
		'landform._tags_hand_edit',
		'landform._tags_lead_changed'] LOOP
		IF to_regprocedure(v_fn || '()') IS NULL THEN
			EXECUTE format('CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS '
			               '$f$BEGIN RAISE EXCEPTION ''sql/code is not loaded''; END$f$', v_fn);
		END IF;
	END LOOP;
END
$$;

-- Functions in sql/code/45_tags.sql
DROP TRIGGER IF EXISTS tags_lead_changed ON landform.leads;
CREATE TRIGGER tags_lead_changed AFTER UPDATE OF stage_id, owner_id, pool_id ON landform.leads
	FOR EACH ROW
	WHEN ((NEW.stage_id, NEW.owner_id, NEW.pool_id) IS DISTINCT FROM (OLD.stage_id, OLD.owner_id, OLD.pool_id))
	EXECUTE FUNCTION landform._tags_lead_changed();
DROP TRIGGER IF EXISTS tags_deal_changed ON landform.deals;
CREATE TRIGGER tags_deal_changed AFTER INSERT OR DELETE OR UPDATE OF lead_id, amount, won_at
	ON landform.deals FOR EACH ROW EXECUTE FUNCTION landform._tags_deal_changed();
DROP TRIGGER IF EXISTS tags_hand_edit ON landform.leads;
CREATE TRIGGER tags_hand_edit AFTER UPDATE OF tags ON landform.leads FOR EACH ROW
	WHEN (OLD.tags IS DISTINCT FROM NEW.tags
	      AND current_setting('landform.tags_sync', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION landform._tags_hand_edit();

-- Functions in sql/code/62_reports.sql
DROP TRIGGER IF EXISTS lead_steps ON landform.leads;
CREATE TRIGGER lead_steps BEFORE UPDATE ON landform.leads FOR EACH ROW
	WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id
	      OR (NEW.state = 'owned' AND NEW.accepted_at IS NULL)
	      OR (OLD.first_contact_at IS NULL AND NEW.first_contact_at IS NOT NULL)
	      OR (OLD.won_at IS NULL AND NEW.won_at IS NOT NULL)
	      OR (NEW.dwell_noticed IS NOT NULL AND OLD.owner_id IS DISTINCT FROM NEW.owner_id))
	EXECUTE FUNCTION landform._lead_steps();
DROP TRIGGER IF EXISTS lead_rollup ON landform.leads;
CREATE TRIGGER lead_rollup AFTER UPDATE ON landform.leads
	REFERENCING OLD TABLE AS leads_old NEW TABLE AS leads_new
	FOR EACH STATEMENT EXECUTE FUNCTION landform._lead_rollup();
DROP TRIGGER IF EXISTS offers_rollup_insert ON landform.assignments;
CREATE TRIGGER offers_rollup_insert AFTER INSERT ON landform.assignments
	REFERENCING NEW TABLE AS offers_new
	FOR EACH STATEMENT EXECUTE FUNCTION landform._offers_rollup();
DROP TRIGGER IF EXISTS offers_rollup_update ON landform.assignments;
CREATE TRIGGER offers_rollup_update AFTER UPDATE ON landform.assignments
	REFERENCING OLD TABLE AS offers_old NEW TABLE AS offers_new
	FOR EACH STATEMENT EXECUTE FUNCTION landform._offers_rollup();
DROP TRIGGER IF EXISTS consultation_rollup ON landform.consultations;
CREATE TRIGGER consultation_rollup AFTER INSERT ON landform.consultations FOR EACH ROW
	EXECUTE FUNCTION landform._consultation_rollup();
DROP TRIGGER IF EXISTS deal_channel ON landform.deals;
CREATE TRIGGER deal_channel BEFORE INSERT ON landform.deals FOR EACH ROW
	EXECUTE FUNCTION landform._deal_channel();
DROP TRIGGER IF EXISTS deal_wins ON landform.deals;
CREATE TRIGGER deal_wins AFTER INSERT ON landform.deals FOR EACH ROW
	WHEN (NEW.lead_id IS NOT NULL)
	EXECUTE FUNCTION landform._deal_wins();

-- Functions in sql/code/65_reminders.sql
DROP TRIGGER IF EXISTS expired_notice ON landform.assignments;
CREATE TRIGGER expired_notice AFTER UPDATE ON landform.assignments FOR EACH ROW
	WHEN (NEW.outcome = 'expired' AND OLD.outcome IS DISTINCT FROM 'expired'
	      AND NEW.staff_id IS NOT NULL)
	EXECUTE FUNCTION landform._expired_notice();

-- Functions in sql/code/75_notify.sql
DROP TRIGGER IF EXISTS outbox_settle ON landform.outbox;
CREATE TRIGGER outbox_settle BEFORE INSERT ON landform.outbox
	FOR EACH ROW WHEN (NEW.target_id IS NULL AND NEW.fanned_at IS NULL)
	EXECUTE FUNCTION landform._outbox_settle();
DROP TRIGGER IF EXISTS outbox_notify ON landform.outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON landform.outbox
	REFERENCING NEW TABLE AS outbox_new
	FOR EACH STATEMENT EXECUTE FUNCTION landform._outbox_notify();

-- Functions in sql/code/80_guards.sql
DROP TRIGGER IF EXISTS staff_delete_guard ON landform.staff;
CREATE TRIGGER staff_delete_guard BEFORE DELETE ON landform.staff
	FOR EACH ROW EXECUTE FUNCTION landform._staff_delete_guard();
DROP TRIGGER IF EXISTS pool_delete_guard ON landform.pools;
CREATE TRIGGER pool_delete_guard BEFORE DELETE ON landform.pools
	FOR EACH ROW EXECUTE FUNCTION landform._pool_delete_guard();
DROP TRIGGER IF EXISTS stage_delete_guard ON landform.stages;
CREATE TRIGGER stage_delete_guard BEFORE DELETE ON landform.stages
	FOR EACH ROW EXECUTE FUNCTION landform._stage_delete_guard();
DROP TRIGGER IF EXISTS page_delete_guard ON landform.pages;
CREATE TRIGGER page_delete_guard BEFORE DELETE ON landform.pages
	FOR EACH ROW EXECUTE FUNCTION landform._page_delete_guard();
DROP TRIGGER IF EXISTS channel_delete_guard ON landform.channels;
CREATE TRIGGER channel_delete_guard BEFORE DELETE ON landform.channels
	FOR EACH ROW EXECUTE FUNCTION landform._channel_delete_guard();
DROP TRIGGER IF EXISTS staff_id_guard ON landform.staff;
CREATE TRIGGER staff_id_guard BEFORE UPDATE OF id ON landform.staff
	FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION landform._id_update_guard();
DROP TRIGGER IF EXISTS pool_id_guard ON landform.pools;
CREATE TRIGGER pool_id_guard BEFORE UPDATE OF id ON landform.pools
	FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION landform._id_update_guard();
DROP TRIGGER IF EXISTS stage_id_guard ON landform.stages;
CREATE TRIGGER stage_id_guard BEFORE UPDATE OF id ON landform.stages
	FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION landform._id_update_guard();
DROP TRIGGER IF EXISTS page_id_guard ON landform.pages;
CREATE TRIGGER page_id_guard BEFORE UPDATE OF id ON landform.pages
	FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION landform._id_update_guard();
DROP TRIGGER IF EXISTS channel_id_guard ON landform.channels;
CREATE TRIGGER channel_id_guard BEFORE UPDATE OF id ON landform.channels
	FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION landform._id_update_guard();

-- Functions in sql/code/80_portal.sql
DROP TRIGGER IF EXISTS staff_deactivated ON landform.staff;
CREATE TRIGGER staff_deactivated AFTER UPDATE OF active ON landform.staff
	FOR EACH ROW WHEN (OLD.active AND NOT NEW.active)
	EXECUTE FUNCTION landform._staff_deactivated();
