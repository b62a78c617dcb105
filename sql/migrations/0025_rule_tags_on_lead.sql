-- A rule's tag on a lead is recorded on the lead row (issue 16): leads.rule_tags, {"<rule id>":
-- since}, written in the same row write as leads.tags. A submission a rule tags no longer inserts
-- a lead_tag row (about 105 us of backend CPU a tagged POST, measured in BENCHMARKS.md: the POST
-- rate with a tagging rule was 0.76-0.83 of the rate without), and the daily tick finds a
-- rule's tagged leads in the lead row it reads anyway. lead_tag keeps the tags people and
-- imports give, and those a dropped rule left (rule_name).

-- Re-created by sql/code/45_tags.sql over the new columns.
DROP VIEW IF EXISTS landform.lead_tags, landform.tag_counts;

ALTER TABLE landform.leads ADD COLUMN rule_tags jsonb NOT NULL DEFAULT '{}';

-- Only where there is something to move: on a new database the leads triggers are still
-- placeholders (0020_triggers.sql), which a statement trigger would call even for no row.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM landform.lead_tag WHERE rule_id IS NOT NULL) THEN
		UPDATE landform.leads l SET rule_tags = t.rule_tags
		FROM (SELECT lead_id, jsonb_object_agg(rule_id::text, since) AS rule_tags
		      FROM landform.lead_tag WHERE rule_id IS NOT NULL GROUP BY lead_id) t
		WHERE l.id = t.lead_id;
		DELETE FROM landform.lead_tag WHERE rule_id IS NOT NULL;
	END IF;
END
$$;

-- The rule's key, its checks and both indexes naming it go with the column; one row per lead
-- and tag is left.
ALTER TABLE landform.lead_tag DROP COLUMN rule_id;
ALTER TABLE landform.lead_tag ADD CHECK ((source = 'rule') = (rule_name IS NOT NULL));
CREATE UNIQUE INDEX lead_tag_key ON landform.lead_tag (lead_id, tag);

-- A person's edit of leads.tags also takes back the rule tags removed, on the row being
-- written: BEFORE, so it changes NEW.rule_tags instead of updating the lead again.
DROP TRIGGER IF EXISTS tags_hand_edit ON landform.leads;
CREATE TRIGGER tags_hand_edit BEFORE UPDATE OF tags ON landform.leads FOR EACH ROW
	WHEN (OLD.tags IS DISTINCT FROM NEW.tags
	      AND current_setting('landform.tags_sync', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION landform._tags_hand_edit();
