#!/usr/bin/env bash
# Two dispatch() calls at once do what one does: the same scene is cloned into a second
# database; two dispatchers run at once in one, a single one in the other; the resulting
# assignments (who got which lead, how, with what outcome) and counters must be identical.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"

q "SELECT landform.register_page('demo', 'Demo', 'lead');
   SELECT landform.register_page('vip', 'VIP', 'lead');
   SELECT landform.add_pool('vip', interval '10 minutes', 2);
   SELECT landform.set_page_pool('vip', 'vip');
   SELECT landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a','b','c','d']) l;
   SELECT landform.join_pool('default', l, w) FROM unnest(ARRAY['a','b','c'], ARRAY[1,2,1]) AS x(l, w);
   SELECT landform.join_pool('vip', l) FROM unnest(ARRAY['c','d']) l;
   SELECT count(*) FROM (SELECT landform.submit(CASE WHEN i % 4 = 0 THEN 'vip' ELSE 'demo' END, NULL,
          '+86138' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL, 'k' || i, NULL, NULL, NULL)
          FROM generate_series(1, 600) i) s;
   SELECT * FROM landform.dispatch();
   -- Some offers overdue (some of them for the second time), then more new leads.
   UPDATE landform.assignments SET deadline = now() - interval '1 hour' WHERE id % 3 = 0;
   SELECT * FROM landform.dispatch();
   UPDATE landform.assignments SET deadline = now() - interval '1 hour' WHERE closed_at IS NULL AND id % 2 = 0;
   SELECT count(*) FROM (SELECT landform.submit(CASE WHEN i % 4 = 0 THEN 'vip' ELSE 'demo' END, NULL,
          '+86138' || lpad(i::text, 8, '0'), NULL, NULL, '{}', NULL, 'k' || i, NULL, NULL, NULL)
          FROM generate_series(601, 1500) i) s;" >/dev/null

one=${PGDATABASE}_one
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $one" -c "CREATE DATABASE $one TEMPLATE $PGDATABASE" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $one WITH (FORCE)" >/dev/null' EXIT

work_before=$(q "SELECT (SELECT count(*) FROM landform.leads WHERE state = 'waiting') || ' waiting, ' ||
                 (SELECT count(*) FROM landform.assignments WHERE closed_at IS NULL AND accepted_at IS NULL AND deadline < now()) || ' overdue'")
echo "# the scene: $work_before"

gate_open 1
psql -X -q -A -t -c "$gate_wait" -c "SELECT assigned, expired, to_open_pool FROM landform.dispatch()" >"$tmp/d1" &
psql -X -q -A -t -c "$gate_wait" -c "SELECT assigned, expired, to_open_pool FROM landform.dispatch()" >"$tmp/d2" &
wait
psql -X -q -A -t -d "$one" -c "SELECT assigned, expired, to_open_pool FROM landform.dispatch()" >"$tmp/d0"

sum() { awk -F'|' '/\|/ { a += $1; e += $2; o += $3 } END { print a "|" e "|" o }' "$@"; }
tap_is "$(sum "$tmp/d1" "$tmp/d2")" "$(sum "$tmp/d0")" \
	"two dispatchers at once report together what one reports alone ($(sum "$tmp/d0"))"
tap_ok "$(grep -q '^0|0|0$' "$tmp/d1" "$tmp/d2"; echo $?)" "one of the two found nothing left to do"

state="SELECT string_agg(concat_ws(':', a.id, a.lead_id, a.pool_id, s.login, a.via, a.outcome, a.closed_at IS NULL), ' ' ORDER BY a.id)
       FROM landform.assignments a LEFT JOIN landform.staff s ON s.id = a.staff_id"
tap_is "$(q "$state" | md5sum)" "$(psql -X -q -A -t -d "$one" -c "$state" | md5sum)" \
	"the same assignments, ids, members, outcomes after two dispatchers as after one"
counters="SELECT string_agg(pool_id || ':' || staff_id || ':' || received || ':' || last_turn, ' ' ORDER BY pool_id, staff_id) FROM landform.pool_members"
tap_is "$(q "$counters")" "$(psql -X -q -A -t -d "$one" -c "$counters")" "the same rotation counters"
leads="SELECT string_agg(id || ':' || state || ':' || coalesce(owner_id, 0) || ':' || misses, ' ' ORDER BY id) FROM landform.leads"
tap_is "$(q "$leads" | md5sum)" "$(psql -X -q -A -t -d "$one" -c "$leads" | md5sum)" "the same lead states"
tap_is "$(q "SELECT count(*) FROM landform.leads WHERE state = 'waiting'")" 0 "nothing left waiting"
tap_is "$(q "SELECT count(*) FROM (SELECT lead_id FROM landform.assignments WHERE closed_at IS NULL GROUP BY lead_id HAVING count(*) > 1) x")" 0 \
	"no lead has two open assignments"
