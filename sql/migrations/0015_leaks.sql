-- Nothing leaked (issue 13). Erasure keeps the staff stage figures, as docs/admin.md promises:
-- a forgotten lead's stage moves stay, detached from it (no lead; an anonymous key per erased
-- lead so a lead moved twice into a stage still counts once), and its accepted offers stay as
-- bare (member, time offered) rows. Nothing in either names or points at the person.
ALTER TABLE landform.stage_moves ALTER COLUMN lead_id DROP NOT NULL,
	ADD COLUMN anon_lead uuid;
ALTER TABLE landform.stage_moves ADD CONSTRAINT stage_moves_lead_or_anon
	CHECK ((lead_id IS NULL) <> (anon_lead IS NULL));

CREATE TABLE landform.erased_accepts (
	staff_id bigint NOT NULL,
	assigned_at timestamptz NOT NULL
);
CREATE INDEX erased_accepts_at ON landform.erased_accepts (assigned_at);
