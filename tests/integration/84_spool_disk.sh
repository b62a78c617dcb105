#!/usr/bin/env bash
# Issue 14, tests 4 and 5. A spool on a small tmpfs that fills up while PostgreSQL is down:
# spooling stops, answers turn to 503 with every typed value kept, /healthz says 503 (it can
# neither store nor spool), nothing acknowledged is lost and replay empties it later. Then
# damage: a torn last record is cut off, a corrupted middle record moved to bad/, both logged
# with file and offset, and the rest replays.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../spool-lib.sh"

W=$LF_VAR/spool-disk
rm -rf "$W"; mkdir -p "$W"
SMALL=$LF_VAR/spool-small
stored() { q "select l.phone from landform.submissions s join landform.leads l on l.id = s.lead_id where l.phone like '$1%' order by 1"; }
restart_with() {
    lf_landformd_stop
    cp "$W/conf.bak" "$LF_CONF"
    [ -n "$1" ] && echo "$1" >> "$LF_CONF"
    lf_landformd_start
    wait_for 5 curl -fs -o /dev/null "$LF_URL/p/demo"
}
cp "$LF_CONF" "$W/conf.bak"
# Whatever happens, the stack goes back to its own configuration and the tmpfs goes away.
cleanup() {
    if ! cmp -s "$LF_CONF" "$W/conf.bak"; then cp "$W/conf.bak" "$LF_CONF"; lf_landformd_stop; lf_landformd_start; fi
    mountpoint -q "$SMALL" && umount "$SMALL"
    runuser -u "$LF_USER" -- "$PG_BIN/pg_ctl" -D "$LF_PGDATA" status >/dev/null 2>&1 || pg_start
}
trap cleanup EXIT
forget_prefix +861373; forget_prefix +861374

# --- test 4: the spool's disk fills up -------------------------------------------------------
mkdir -p "$SMALL"
umount "$SMALL" 2>/dev/null
mount -t tmpfs -o size=96k,mode=0700 tmpfs "$SMALL" || not_ok "mounting a tmpfs for the spool"
chown "$LF_USER:" "$SMALL"
restart_with "spool_dir = $SMALL"
pg_kill
python3 "$LF_ROOT/tests/spool-load.py" "$LF_URL" 8 9 +861373 "$W/full" 45 full1
acked=$(awk '$2 == 303' "$W/full" | wc -l)
refused=$(awk '$2 == 503' "$W/full" | wc -l)
echo "# $(wc -l < "$W/full") posts: $acked acknowledged, $refused refused with 503; spool $(du -sk "$SMALL" | cut -f1) KiB"
[ "$acked" -gt 10 ] && ok "posts are acknowledged while the small spool has room ($acked)" || not_ok "posts acknowledged while the spool has room (only $acked)"
[ "$refused" -gt 10 ] && ok "once it is full, posts answer 503 ($refused)" || not_ok "once it is full, posts answer 503 (only $refused)"
is "$(awk '$2 != 303 && $2 != 503' "$W/full" | wc -l)" 0 "... and nothing else"
is "$(awk '$2 == 503 && $4 != "kept"' "$W/full" | wc -l)" 0 "every 503 shows the form again with what was typed"
last_ack=$(awk '$2 == 303 {t = $1} END {print t}' "$W/full")
first_503=$(awk '$2 == 503 {print $1; exit}' "$W/full")
[ "$last_ack" -lt $((first_503 + 1000)) ] && ok "spooling stops once the disk is full (no acknowledgement after the 503s began)" \
    || not_ok "acknowledged after the spool filled up: last 303 at $last_ack, first 503 at $first_503"
code=$(curl -s -o "$W/healthz" -w '%{http_code}' "$LF_URL/healthz")
is "$code" 503 "/healthz answers 503 when it can neither store nor spool"
like "$(cat "$W/healthz")" '"status":"unavailable","reason":"database unreachable"' "... saying unavailable, with a short reason"
unlike "$(cat "$W/healthz")" '/|socket|PGSQL' "... without libpq's text (it names a server path)"
grep -q 'neither stored nor spooled: writing .*No space left on device' "$LF_LOG/landformd.log" \
    && ok "the full disk is logged" || not_ok "the full disk is logged"
pg_start
empty() { [ "$(spool_files "$SMALL")" -eq 0 ]; }
check "once the database is back, replay empties the full spool" wait_for 10 empty
sleep 0.3
stored_once "$W/full" +861373 " (nothing acknowledged is lost)"
awk '$2 == 503 {print $3}' "$W/full" | sort > "$W/full.refused"
is "$(comm -12 "$W/full.refused" "$W/full.stored" | wc -l)" 0 "nothing refused was half-written and stored anyway"
restart_with ""
umount "$SMALL" && ok "the tmpfs is unmounted" || not_ok "unmounting $SMALL"
rmdir "$SMALL" 2>/dev/null

# --- test 5: a torn last record and a corrupted middle record -------------------------------
SPOOL=$LF_VAR/spool
stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
for i in $(seq 1 10); do S[$i]=$(curl -s "$LF_URL/p/demo" | stamp_of); done
sleep 2.2
restart_with "workers = 1" # one worker: one spool file holds every record
pg_kill
for i in $(seq 1 10); do
    curl -s -o /dev/null -w '%{http_code}\n' --data-urlencode "_stamp=${S[$i]}" --data-urlencode "name=damage $i" \
        --data-urlencode "mobile=$(printf '+861374%07d' "$i")" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=damage"
done > "$W/damage.codes"
is "$(sort -u "$W/damage.codes")" 303 "ten posts are acknowledged from the spool"
lf_landformd_stop # its worker lets go of the file
file=$(find "$SPOOL" -maxdepth 1 -name '*.spool' | head -1)
is "$(spool_files "$SPOOL")" 1 "they are in one file"
# Flip a byte inside the 4th record's payload; append the first 30 bytes of a copy of the
# first record (an append a crash cut short).
python3 - "$file" > "$W/damage.offsets" <<'PY'
import struct, sys
path = sys.argv[1]
b = bytearray(open(path, 'rb').read())
offs, o = [], 0
while o < len(b):
    offs.append(o)
    o += 12 + struct.unpack('<I', b[o + 4:o + 8])[0]
b[offs[3] + 12 + 20] ^= 0x01
torn = len(b)
b += b[0:30]
open(path, 'wb').write(bytes(b))
print(offs[3], torn)
PY
read -r bad_off torn_off < "$W/damage.offsets"
log_lines=$(wc -l < "$LF_LOG/landformd.log")
restart_with ""
pg_start
empty() { [ "$(spool_files "$SPOOL")" -eq 0 ]; }
check "the damaged file is replayed and deleted" wait_for 10 empty
sleep 0.3
new=$(tail -n +"$((log_lines + 1))" "$LF_LOG/landformd.log")
base=$(basename "$file" .spool)
like "$new" "spool file [^ ]*$base\.claimed: torn record at offset $torn_off \(30 bytes\) cut off" "the torn tail is logged with file and offset, and cut off"
like "$new" "spool file [^ ]*$base\.claimed: damaged record at offset $bad_off \([0-9]+ bytes\) moved to [^ ]*/bad/$base\.$bad_off\.bad" \
    "the corrupted record is logged with file and offset, and moved to bad/"
[ -s "$SPOOL/bad/$base.$bad_off.bad" ] && ok "bad/ holds it" || not_ok "bad/ holds the corrupted record"
stored +861374 > "$W/damage.stored"
is "$(wc -l < "$W/damage.stored")" 9 "the nine intact records are stored"
is "$(grep -c '+8613740000004' "$W/damage.stored")" 0 "... and not the corrupted one"
rm -f "$SPOOL"/bad/*

# --- a spooled submission the database refuses for what it holds ----------------------------
# A trigger (test-only) refuses the name 'poison', as a page deleted meanwhile would be refused.
# One poison among twelve: the replayer halves the refused batch until it is alone.
for i in $(seq 12); do S[$i]=$(curl -s "$LF_URL/p/demo" | stamp_of); done
sleep 2.2
pg_kill
for i in $(seq 12); do
    curl -s -o /dev/null -w '%{http_code}\n' --data-urlencode "_stamp=${S[$i]}" --data-urlencode "name=$([ "$i" = 6 ] && echo poison || echo fine)" \
        --data-urlencode "mobile=$(printf '+861374%07d' $((10 + i)))" --data-urlencode "agree=on" "$LF_URL/p/demo"
done > "$W/dead.codes"
is "$(sort -u "$W/dead.codes")" 303 "twelve more posts are acknowledged from the spool"
lf_landformd_stop
pg_start
q "create function public.lf_test_poison() returns trigger language plpgsql as \$\$
   begin if new.fields->>'name' = 'poison' then raise exception 'refused by test trigger'; end if; return new; end \$\$;
   create trigger lf_test_poison before insert on landform.submissions for each row execute function public.lf_test_poison();" >/dev/null
log_lines=$(wc -l < "$LF_LOG/landformd.log")
restart_with ""
check "the spool is replayed" wait_for 10 empty
sleep 0.3
q "drop trigger lf_test_poison on landform.submissions; drop function public.lf_test_poison();" >/dev/null
is "$(q "select string_agg(right(phone, 2), ',' order by phone) from landform.leads where phone between '+8613740000011' and '+8613740000022'")" \
    "11,12,13,14,15,17,18,19,20,21,22" "the eleven good ones are stored, the refused one is not"
dead=$(find "$SPOOL/dead" -name '*.dead' -newer "$W/dead.codes" | head -1)
[ -s "$dead" ] && ok "the refused one is kept in dead/ ($(basename "$dead"))" || not_ok "the refused one is kept in dead/"
is "$(q "select sqlstate || ' ' || file from landform.spool_dead order by id desc limit 1")" "P0001 $(basename "$dead")" \
    "landform.spool_dead says which file and why"
like "$(tail -n +"$((log_lines + 1))" "$LF_LOG/landformd.log")" 'spool: a submission was refused by the database \(SQLSTATE P0001: refused by test trigger\); kept in [^ ]*/dead/' \
    "the refusal is logged with its file, not the person or the form's key"
like "$(curl -s "$LF_URL/healthz")" '"status":"ok".*"spool_dead":1' "/healthz counts it"
rm -f "$SPOOL"/dead/*

t_done
