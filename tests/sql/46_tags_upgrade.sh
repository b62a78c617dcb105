#!/usr/bin/env bash
# Upgrading a database whose rule tags are lead_tag rows (migrations up to 0024) to rule tags on
# the lead row (0025_rule_tags_on_lead): each rule's tag moves to leads.rule_tags with its
# since, the tags people, imports and dropped rules gave stay in lead_tag, and after the code
# files lead_tags lists every origin as before. The leads triggers are left out of the
# migration here (session_replication_role): on a real upgrade they are the previous release's
# code, which no database here holds.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
root=$LANDFORM_TEST_ROOT
db=${PGDATABASE}_up
admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
cleanup() { admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
admin -c "CREATE DATABASE $db TEMPLATE template0" >/dev/null
up() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
export PGOPTIONS="-c client_min_messages=warning"

for f in "$root"/sql/migrations/*.sql; do
	[[ $(basename "$f") < 0025 ]] || continue
	up -1 -f "$f" >/dev/null || { echo "not ok - migration $(basename "$f") failed"; exit 1; }
done
up >/dev/null <<'SQL'
INSERT INTO landform.tag_rules (id, name, tag, condition, predicate, depends, lead_predicate, lead_aggs)
VALUES (1, 'expo', '展会', '{}', 'true', '{submit}', 'true', '{}'),
       (2, 'ka', 'KA', '{}', 'true', '{submit}', 'true', '{}');
INSERT INTO landform.leads (id, phone, pool_id, stage_id, tags)
SELECT n, '+861380000000' || n, (SELECT id FROM landform.pools WHERE is_default),
       (SELECT id FROM landform.stages ORDER BY position LIMIT 1), t
FROM (VALUES (1, '{KA,vip,展会}'::text[]), (2, '{old,展会}'), (3, '{}')) AS x(n, t);
INSERT INTO landform.lead_tag (lead_id, tag, source, rule_id, rule_name, since) VALUES
	(1, '展会', 'rule', 1, NULL, '2026-01-01 10:00+08'),
	(1, 'KA', 'rule', 2, NULL, '2026-01-02 10:00+08'),
	(1, 'vip', 'manual', NULL, NULL, '2026-01-03 10:00+08'),
	(2, '展会', 'manual', NULL, NULL, '2026-01-04 10:00+08'),
	(2, '展会', 'rule', 1, NULL, '2026-01-05 10:00+08'),
	(2, 'old', 'rule', NULL, 'gone', '2026-01-06 10:00+08');
SQL
PGOPTIONS="$PGOPTIONS -c session_replication_role=replica -c timezone=Asia/Shanghai" up -1 -f "$root/sql/migrations/0025_rule_tags_on_lead.sql" >/dev/null
tap_ok $? "0025_rule_tags_on_lead migrates a database with rule tag rows"
export PGOPTIONS="$PGOPTIONS -c timezone=Asia/Shanghai"
tap_is "$(up -c "SELECT string_agg(id || ':' || k || '=' || (v #>> '{}')::timestamptz, ' ' ORDER BY id, k)
                 FROM landform.leads, jsonb_each(rule_tags) AS e(k, v)")" \
	"1:1=2026-01-01 10:00:00+08 1:2=2026-01-02 10:00:00+08 2:1=2026-01-05 10:00:00+08" \
	"each rule's tag is on its lead's row, with its since"
tap_is "$(up -c "SELECT string_agg(lead_id || ':' || tag || ':' || source || ':' || coalesce(rule_name, '-'), ' '
                        ORDER BY lead_id, tag) FROM landform.lead_tag")" \
	"1:vip:manual:- 2:old:rule:gone 2:展会:manual:-" "the tags people and dropped rules gave stay in lead_tag"
tap_is "$(up -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'landform.lead_tag'::regclass AND attname = 'rule_id' AND NOT attisdropped")" \
	0 "lead_tag no longer names rules"

for f in "$root"/sql/migrations/*.sql; do
	[[ $(basename "$f") > 0025_~ ]] || continue
	up -1 -f "$f" >/dev/null || { echo "not ok - migration $(basename "$f") failed"; exit 1; }
done
for f in "$root"/sql/code/*.sql; do up -1 -f "$f" >/dev/null || { echo "not ok - code file $(basename "$f") failed"; exit 1; }; done
tap_is "$(up -c "SELECT string_agg(lead || ':' || tag || ':' || source || ':' || coalesce(given_by, '-') || '@' || since,
                        ' ' ORDER BY lead, tag, source) FROM landform.lead_tags")" \
	"1:KA:rule:ka@2026-01-02 10:00:00+08 1:vip:manual:admin@2026-01-03 10:00:00+08 1:展会:rule:expo@2026-01-01 10:00:00+08 2:old:rule:gone (dropped)@2026-01-06 10:00:00+08 2:展会:manual:admin@2026-01-04 10:00:00+08 2:展会:rule:expo@2026-01-05 10:00:00+08" \
	"after the code files, lead_tags lists every origin as before"
tap_is "$(up -c "SELECT count(*) FROM landform.leads l
                 WHERE l.tags IS DISTINCT FROM landform._tags_of(l.id, l.rule_tags)")" 0 "leads.tags is what the origins say"
up -c "UPDATE landform.leads SET tags = '{vip}' WHERE id = 1" >/dev/null
tap_is "$(up -c "SELECT rule_tags::text || ' ' || tags::text FROM landform.leads WHERE id = 1")" "{} {vip}" \
	"a hand edit takes back the rule tags it removes"
