#!/usr/bin/env bash
# The portal's answers for one known story, as the fixtures landformd's shaping code is tested
# with (tests/data/portal/fixtures/*.json, read by tests/unit/test_portal.c): each answer of
# portal_home, portal_lead (an accepted lead and an offer) and portal_pool must equal its
# committed fixture, so a change of SQL's contract fails here and there instead of being
# absorbed. Times, countdowns and tokens are normalised (t.norm) so the story replays the same.
# LANDFORM_WRITE_FIXTURES=1 writes the fixtures instead (then look at the diff, and commit it).
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
dir=$LANDFORM_TEST_ROOT/tests/data/portal/fixtures

psql -X -q -A -t -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
-- Every timestamp one fixed time, countdowns fixed, the CSRF token a placeholder.
CREATE FUNCTION t.norm(j jsonb, k text DEFAULT NULL) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	CASE jsonb_typeof(j)
	WHEN 'object' THEN
		RETURN (SELECT coalesce(jsonb_object_agg(e.key, t.norm(e.value, e.key)), '{}') FROM jsonb_each(j) e);
	WHEN 'array' THEN
		RETURN (SELECT coalesce(jsonb_agg(t.norm(e.value, k) ORDER BY e.o), '[]')
		        FROM jsonb_array_elements(j) WITH ORDINALITY AS e(value, o));
	WHEN 'string' THEN
		IF k = 'csrf' THEN
			RETURN '"<csrf>"';
		ELSIF j #>> '{}' ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}' THEN
			RETURN '"2024-05-01T10:25:00+08:00"';
		END IF;
	WHEN 'number' THEN
		IF k = 'seconds_left' THEN
			RETURN '600';
		ELSIF k = 'seconds_waiting' THEN
			RETURN '3600';
		END IF;
	ELSE
	END CASE;
	RETURN j;
END
$$;
GRANT USAGE ON SCHEMA t TO landform_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA t TO landform_app;

-- The story: alice in the default pool with three leads from two pages and two channels; she
-- accepts lead 1 (a stage, a tag, a note, first contact), keeps lead 2 offered, releases lead 3.
DO $$
BEGIN
	PERFORM t.pages_demo_ask();
	PERFORM landform.add_staff('alice', 'Alice');
	PERFORM landform.set_password('alice', '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g');
	PERFORM landform.portal_login_finish('alice', NULL, landform._staff_id('alice'), t.tok('s alice'),
	                                     'csrf-alice-0123456789', NULL, NULL);
	PERFORM landform.join_pool('default', 'alice');
	PERFORM landform.submit(CASE WHEN i = 2 THEN 'ask' ELSE 'demo' END, CASE WHEN i = 1 THEN 'wx' END,
	                        '+8613900000' || lpad(i::text, 3, '0'), '客户' || i, NULL,
	                        jsonb_build_object('name', '客户' || i, 'company', 'Co ' || i),
	                        'I agree', 'k' || i, '192.0.2.1', 'ua', 'zh-CN')
	FROM generate_series(1, 3) i;
	PERFORM landform.dispatch();
END
$$;
SET ROLE landform_app;
SELECT landform.portal_action(t.tok('s alice'), 'csrf-alice-0123456789', a.action, a.lead, a.args::jsonb)
FROM (VALUES (1, 'accept', 1, '{}'), (2, 'contacted', 1, '{}'),
             (3, 'stage', 1, (SELECT jsonb_build_object('stage', id)::text FROM landform.stages ORDER BY position OFFSET 1 LIMIT 1)),
             (4, 'tag', 1, '{"add": ["vip"]}'), (5, 'note', 1, '{"body": "call back at 3"}'),
             (6, 'accept', 3, '{}'), (7, 'release', 3, '{"reason": "wrong number"}')) AS a(n, action, lead, args)
ORDER BY a.n;
SQL

answer() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 -c "SET ROLE landform_app" \
        -c "SELECT jsonb_pretty(t.norm($1))"
}
check() {
    local name=$1 got
    got=$(answer "$2") || { echo "not ok - fixture $name: the call failed"; return; }
    if [ "${LANDFORM_WRITE_FIXTURES:-}" = 1 ]; then
        mkdir -p "$dir"; printf '%s\n' "$got" > "$dir/$name.json"
        echo "ok - fixture $name written"
    elif [ "$got" = "$(cat "$dir/$name.json" 2>/dev/null)" ]; then
        echo "ok - portal answer $name equals tests/data/portal/fixtures/$name.json"
    else
        echo "not ok - portal answer $name differs from tests/data/portal/fixtures/$name.json (a contract change: update docs/portal-api.md and fcgi/portal_view.c, then LANDFORM_WRITE_FIXTURES=1):"
        diff <(cat "$dir/$name.json" 2>/dev/null) <(printf '%s\n' "$got") | head -20 | sed 's/^/#   /'
    fi
}
tap_is "$(answer "landform.portal_home(t.tok('s alice'), '{}')" | grep -c '"status": "ok"')" 1 "the story's home answers ok"
check home "landform.portal_home(t.tok('s alice'), '{}')"
check lead "landform.portal_lead(t.tok('s alice'), 1)"
check offer "landform.portal_lead(t.tok('s alice'), 2)"
check pool "landform.portal_pool(t.tok('s alice'))"
