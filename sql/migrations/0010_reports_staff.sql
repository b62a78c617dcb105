-- Staff figures without joining every offer to its lead (issue 6, after 0008_reports):
-- who held a lead at its first contact and since when (their offer), and who held it when
-- it was won, kept on the lead by the trigger in sql/code/62_reports.sql.
ALTER TABLE landform.leads
	ADD COLUMN contacted_by bigint,
	ADD COLUMN contact_offer_at timestamptz,
	ADD COLUMN won_by bigint;
CREATE INDEX leads_contacted ON landform.leads (first_contact_at) WHERE contacted_by IS NOT NULL;
CREATE INDEX leads_won ON landform.leads (won_at) WHERE won_by IS NOT NULL;
-- Stage conversion reads moves by time.
DROP INDEX landform.stage_moves_staff;
CREATE INDEX stage_moves_at ON landform.stage_moves (at);

-- Leads from before this migration: the offer that covered the moment.
UPDATE landform.leads l SET contacted_by = a.staff_id, contact_offer_at = a.assigned_at
FROM landform.assignments a
WHERE a.lead_id = l.id AND a.staff_id IS NOT NULL AND l.first_contact_at >= a.assigned_at
  AND (a.closed_at IS NULL OR l.first_contact_at <= a.closed_at);
UPDATE landform.leads l SET won_by = a.staff_id
FROM landform.assignments a
WHERE a.lead_id = l.id AND a.staff_id IS NOT NULL AND l.won_at >= a.assigned_at
  AND (a.closed_at IS NULL OR l.won_at <= a.closed_at);
