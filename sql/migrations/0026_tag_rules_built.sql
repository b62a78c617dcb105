-- Which rules the generated evaluators were last built from (issue 16): landform._tags_build()
-- counts a generation here, and the capture-time evaluator (_tags_new) carries the tags of the
-- rules it was built from, checked against this one row instead of reading tag_rules for every
-- submission a rule tags. One row.
CREATE TABLE landform.tag_rules_built (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	generation bigint NOT NULL
);
INSERT INTO landform.tag_rules_built (generation) VALUES (0);
