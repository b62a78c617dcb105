-- The 20 capture-time tag rules bench/tags and bench/run measure the POST path with: 4 each of
-- channel, form answer eq, form answer in, any page, and all(submission count, form kind).
-- Rule f1 matches every bench submission (company "Bench Trading Co.", bench/post.lua and
-- bench/submit.sql), so each POST also pays one tag written (lead_tag and leads.tags); the other
-- 19 are evaluated and do not match.
DO $$ BEGIN FOR i IN 1..4 LOOP
	PERFORM landform.add_tag_rule('ch' || i, 'ch' || i, jsonb_build_object('channel', 'expo' || i));
	PERFORM landform.add_tag_rule('f' || i, 'f' || i, jsonb_build_object('field', 'company', 'eq',
		CASE i WHEN 1 THEN 'Bench Trading Co.' ELSE 'Co ' || i END));
	PERFORM landform.add_tag_rule('in' || i, 'in' || i, jsonb_build_object('field', 'size', 'in', jsonb_build_array('a' || i, 'b' || i)));
	PERFORM landform.add_tag_rule('pg' || i, 'pg' || i, jsonb_build_object('any_page', 'p' || i));
	PERFORM landform.add_tag_rule('n' || i, 'n' || i, jsonb_build_object('all', jsonb_build_array(
		jsonb_build_object('submissions', jsonb_build_object('min', i + 1)), jsonb_build_object('form_kind', 'consult'))));
END LOOP; END $$;
