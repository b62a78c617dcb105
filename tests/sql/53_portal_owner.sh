#!/usr/bin/env bash
# The production shape: a database owned and migrated by a plain role (like `landform`), not a
# superuser, so FORCE ROW LEVEL SECURITY applies to the owner too. The owner's admin SQL, the
# capture and dispatch functions and the portal (as landform_app) must all still work, and a
# second migrate must re-apply cleanly.
. "$LANDFORM_TEST_ROOT/tests/sql/lib/tap.sh"
root=$LANDFORM_TEST_ROOT
owner=lft_portal_owner
db=${PGDATABASE}_own
admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
cleanup() { admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
admin -c "CREATE ROLE $owner NOLOGIN" -c "CREATE DATABASE $db OWNER $owner TEMPLATE template0" >/dev/null
# As the owner (the connection stays the superuser's, the role is the owner's throughout).
own() { PGOPTIONS="${PGOPTIONS:-} -c role=$owner" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
app() { PGOPTIONS="${PGOPTIONS:-} -c role=landform_app" psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }

migrate() {
	local f base args=()
	for f in "$root"/sql/migrations/*.sql; do
		base=$(basename "$f" .sql)
		[ -n "$(own -c "SELECT 1 FROM pg_tables WHERE schemaname = 'landform' AND tablename = 'schema_migrations'")" ] &&
			[ -n "$(own -c "SELECT 1 FROM landform.schema_migrations WHERE version = '$base'")" ] && continue
		own -1 -f "$f" -c "INSERT INTO landform.schema_migrations (version, checksum) VALUES ('$base', 'test')" >/dev/null || return 1
	done
	for f in "$root"/sql/code/*.sql; do args+=(-f "$f"); done
	own -1 "${args[@]}" >/dev/null
}
migrate; tap_ok $? "a plain owner role migrates (landform_app exists already)"
# A view of one's own on every view sql/code makes: sql/code replaces its views in place, so a
# migrate neither fails on these nor drops them.
own >/dev/null <<'SQL'
CREATE SCHEMA lft_mine;
DO $$
DECLARE
	v record;
BEGIN
	FOR v IN SELECT c.oid::regclass AS view, c.relname FROM pg_class c
	         WHERE c.relnamespace = 'landform'::regnamespace AND c.relkind = 'v' LOOP
		EXECUTE format('CREATE VIEW lft_mine.%I AS SELECT * FROM %s', v.relname, v.view);
	END LOOP;
END
$$;
SQL
mine=$(own -c "SELECT count(*) FROM pg_views WHERE schemaname = 'lft_mine'")
[ "${mine:-0}" -gt 20 ]; tap_ok $? "a view of one's own on each view of sql/code ($mine)"
migrate; tap_ok $? "and migrates again: sql/code re-applies cleanly"
tap_is "$(own -c "SELECT count(*) FROM pg_views WHERE schemaname = 'lft_mine'")" "$mine" \
	"the views built on sql/code's views are all still there"
tap_is "$(own -c "SELECT relforcerowsecurity AND pg_get_userbyid(relowner) = current_user AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                  FROM pg_class WHERE oid = 'landform.leads'::regclass")" t "leads: owned by a non-superuser, RLS forced on it"

own >/dev/null <<'SQL'
SELECT landform.register_page('demo', 'Demo', 'consult');
SELECT landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a', 'b']) l;
SELECT landform.join_pool('default', l) FROM unnest(ARRAY['a', 'b']) l;
SELECT landform.set_password(l, '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g') FROM unnest(ARRAY['a', 'b']) l;
SELECT count(*) FROM (SELECT landform.submit('demo', 'wx', '+86138' || lpad(i::text, 8, '0'), 'P' || i, 'Q?', '{}', NULL, 'k' || i, NULL, NULL, NULL)
                      FROM generate_series(1, 20) i) s;
SQL
tap_is "$(own -c "SELECT assigned FROM landform.dispatch()")" 20 "the owner dispatches 20 leads"
tap_is "$(own -c "SELECT count(*) FROM landform.leads")" 20 "the owner sees every lead (policy owner_all)"
tap_is "$(own -c "SELECT count(*) FROM landform.leads_assigned")" 20 "admin views show everything to the owner"
tap_is "$(own -c "SELECT count(*) FROM landform.consultations")" 20 "and every consultation"
tap_is "$(own -c "SELECT landform.release(1) IS NOT NULL; SELECT count(*) FROM landform.open_pool")" "t
1" "release to the open pool, seen in open_pool"
own -c "INSERT INTO landform.import_staging (phone, name) VALUES ('13912345678', 'x'), ('bad', 'y')" >/dev/null
tap_is "$(own -c "SELECT imported || '/' || refused FROM landform.import_staged()")" "1/1" "import_staged works under forced RLS"
tap_is "$(own -c "SELECT count(*) FROM landform.import_rejects")" 1 "and its rejects are readable"

# The portal as landform_app, with functions owned by the plain owner.
tok() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
sa=$(tok "session a"); sb=$(tok "session b")
for who in a b; do
	s=$(tok "session $who")
	r=$(app -c "SELECT landform.portal_login_finish('$who', '192.0.2.1',
	              (landform.portal_login_begin('$who', '192.0.2.1')->>'staff_id')::bigint, '$s', 'csrf-$s', 'ua', NULL)")
	tap_is "$r" '{"status": "ok"}' "landform_app logs $who in (sessions written by the owner's function)"
done
na=$(app -c "SELECT jsonb_array_length(landform.portal_home('$sa', '{}')->'waiting')")
nb=$(app -c "SELECT jsonb_array_length(landform.portal_home('$sb', '{}')->'waiting')")
tap_is "$((na + nb)):$(own -c "SELECT count(*) FROM landform.leads WHERE state = 'pending'")" "20:20" \
	"portal_home: the members' offers add up to every offer (19 left of 20, and 1 imported)"
tap_ok "$( [ "$na" -ge 9 ] && [ "$nb" -ge 9 ]; echo $? )" "each member sees their own share ($na and $nb)"
lead=$(app -c "SELECT landform.portal_home('$sa', '{}') #>> '{waiting,0,lead_id}'")
tap_is "$(app -c "SELECT landform.portal_action('$sa', 'csrf-$sa', 'accept', $lead, '{}')->>'status'")" ok "a accepts lead $lead"
tap_is "$(app -c "SELECT landform.portal_lead('$sa', $lead) #>> '{lead,phone}' LIKE '+86%'")" t "and sees its phone in full"
tap_is "$(app -c "SELECT landform.portal_lead('$sb', $lead)->>'status'")" not_found "b cannot see it"
tap_is "$(app -c "SELECT landform.portal_action('$sb', 'csrf-$sb', 'claim', 1, '{}')->>'status'")" ok "b claims lead 1 from the open pool"
tap_is "$(app -c "SELECT landform.portal_action('$sa', 'csrf-$sa', 'answer', $lead,
                   jsonb_build_object('consultation', landform.portal_lead('$sa', $lead) #>> '{consultations,0,id}'))->>'status'")" ok \
	"a answers the consultation on lead $lead"
tap_is "$(app -c "SELECT count(*) FROM landform.leads")" 0 "landform_app alone sees no lead"
tap_is "$(own -c "SELECT landform.portal_lead('$sb', $lead)->>'status'")" not_found \
	"called by the owner (RLS not binding), portal_lead still keeps a's lead from b"
tap_is "$(own -c "SELECT count(*) FROM jsonb_array_elements(landform.portal_home('$sb', '{}')->'mine') e WHERE (e->>'lead_id')::bigint = $lead")" 0 \
	"and portal_home lists only b's"
tap_is "$(app -c "SELECT landform.portal_logout('$sa', 'csrf-$sa')->>'status'")" ok "logout"
tap_is "$(own -c "SELECT count(*) FROM landform.staff_sessions")" 1 "the owner sees the one session left"
