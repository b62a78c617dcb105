#!/usr/bin/env bash
# Tag rules and segments through nginx (issue 16): a form post is tagged by the capture-time
# rules in the same request (channel and form answer), each tag naming its rule; a segment of
# those leads exported as CSV through psql's \copy, with a hostile tag made inert.
source "$(dirname "$0")/../lib.sh"

stamp_of() { grep -o 'name="_stamp" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
R=$(printf '%04d' $((RANDOM % 10000)))
admin "select landform.add_tag_rule('it-expo-$R', '展会$R', '{\"channel\": \"expo$R\"}')"
admin "select landform.add_tag_rule('it-ka-$R', 'KA$R', '{\"all\": [{\"field\": \"size\", \"eq\": \"gt100k\"}, {\"any_channel\": \"expo$R\"}]}')"
s1=$(curl -s "$LF_URL/p/demo?ch=expo$R" | stamp_of)
s2=$(curl -s "$LF_URL/p/demo?ch=wx$R" | stamp_of)
sleep 2.2

phone="139$(printf '%04d' "$R")0001"
out=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "_stamp=$s1" --data-urlencode "name=标签 $R" \
    --data-urlencode "mobile=$phone" --data-urlencode "size=gt100k" --data-urlencode "agree=on" "$LF_URL/p/demo?ch=expo$R")
is "$out" 303 "a form post from the expo channel is thanked"
is "$(q "select array_to_string(tags, ',') from landform.leads where phone = '+86$phone'")" "KA$R,展会$R" \
    "... and its lead carries the channel and answer tags, set in the same request"
is "$(q "select string_agg(t.tag || ':' || t.source || ':' || t.given_by, ' ' order by t.tag) from landform.lead_tags t
         join landform.leads l on l.id = t.lead where l.phone = '+86$phone'")" "KA$R:rule:it-ka-$R 展会$R:rule:it-expo-$R" \
    "... each naming the rule that gave it"
phone2="139$(printf '%04d' "$R")0002"
curl -s -o /dev/null --data-urlencode "_stamp=$s2" --data-urlencode "mobile=$phone2" --data-urlencode "size=gt100k" \
    --data-urlencode "agree=on" "$LF_URL/p/demo?ch=wx$R"
is "$(q "select array_to_string(tags, ',') from landform.leads where phone = '+86$phone2'")" "" \
    "another channel: no tag (KA wants both the answer and the channel)"

# A segment of the tagged leads, one with a hostile tag added by hand, exported for a spreadsheet.
admin "update landform.leads set tags = '{\"=HYPERLINK(\\\"http://x\\\")\"}' || tags where phone = '+86$phone'"
admin "select landform.add_segment('it-seg-$R', '{\"tags_any\": [\"KA$R\"]}')"
csv=$(psql -X -q -h "$LF_PGSOCK" -p "$LF_PG_PORT" -U postgres -d "$LF_DB" \
    -c "\\copy (SELECT phone, tags FROM landform.segment_export('it-seg-$R')) TO STDOUT WITH (FORMAT csv)")
is "$csv" "+86$phone,\"'=HYPERLINK(\"\"http://x\"\");KA$R;展会$R\"" "the segment's CSV: a cell starting with a hostile tag starts with ' and cannot run"
admin "select landform.drop_tag_rule('it-expo-$R')"
admin "select landform.drop_tag_rule('it-ka-$R')"
admin "select landform.drop_segment('it-seg-$R')"
t_done
