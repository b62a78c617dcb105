-- Bulk paths paid one foreign-key check per row and key: importing 100,000 leads fired
-- 800,000 of them and spent most of its time there. The keys below are written only by
-- landform's functions, which look the referenced row up first, so the checks go; deletion
-- guards on the referenced tables (sql/code/80_guards.sql) keep anything from pointing at a
-- deleted pool, stage or staff member. The keys that stay (lead in assignments, submissions,
-- notes, deals; page and channel of a lead) are the ones deletion cascades or checks rely on.
ALTER TABLE landform.leads
	DROP CONSTRAINT leads_pool_id_fkey,
	DROP CONSTRAINT leads_owner_id_fkey,
	DROP CONSTRAINT leads_stage_id_fkey,
	DROP CONSTRAINT leads_import_id_fkey;
ALTER TABLE landform.assignments
	DROP CONSTRAINT assignments_pool_id_fkey,
	DROP CONSTRAINT assignments_staff_id_fkey;
-- The outbox is a queue, not a record: whoever deletes a lead deletes its rows (landform's
-- data-deletion function), and sent rows are pruned.
ALTER TABLE landform.outbox
	DROP CONSTRAINT outbox_staff_id_fkey,
	DROP CONSTRAINT outbox_lead_id_fkey,
	DROP CONSTRAINT outbox_submission_id_fkey;
-- For the stage guard.
CREATE INDEX leads_stage ON landform.leads (stage_id);
