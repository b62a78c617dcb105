-- Report timings on 1,000,000 submissions (bench/reports runs it on a fresh, migrated database).
-- Rows are generated set-based, shaped like what landform.submit, dispatch, the portal and
-- add_deal write (90 days, 10 pages, 20 channels, 30 members): 800,000 leads, 200,000 repeat
-- submissions, ~200,000 consultations, ~880,000 offers, ~100,000 deals. Triggers are off
-- while generating (session_replication_role), then the rollups are built from the rows with
-- landform_test.lead_daily_recount() and staff_daily_recount() (tests/sql/lib/recount.sql,
-- loaded by bench/reports), which is what the triggers keep them equal to.
\set ON_ERROR_STOP 1
\pset pager off
SET client_min_messages = warning;
SELECT setseed(0.42);
\echo '# generating 1,000,000 submissions ...'
\timing on
SET session_replication_role = replica;
INSERT INTO landform.pages (slug, title, kind)
SELECT 'p' || i, 'Page ' || i, CASE WHEN i > 8 THEN 'consult' ELSE 'lead' END FROM generate_series(1, 10) i;
INSERT INTO landform.channels (code) SELECT 'ch' || i FROM generate_series(1, 20) i;
INSERT INTO landform.staff (login, display_name) SELECT 's' || i, 'Seller ' || i FROM generate_series(1, 30) i;
INSERT INTO landform.pool_members (pool_id, staff_id) SELECT 1, id FROM landform.staff;

CREATE TEMP TABLE g AS
SELECT i AS id, 1 + (i * 7) % 10 AS page_id, CASE WHEN i % 11 = 0 THEN NULL ELSE 1 + (i * 13) % 20 END AS channel_id,
       date_trunc('day', now()) - interval '90 days' + random() * interval '90 days' AS first_seen,
       1 + (i * 17) % 30 AS staff_id, random() AS r1, random() AS r2, random() AS r3
FROM generate_series(1, 800000) i;

INSERT INTO landform.leads (id, phone, pool_id, page_id, channel_id, source, state, owner_id, stage_id,
                            stage_since, first_seen, last_seen, first_contact_at, submissions, handoffs,
                            misses, accepted_at, won_at, contacted_by, contact_offer_at, won_by)
SELECT g.id, '+86138' || lpad(g.id::text, 8, '0'), 1, g.page_id, g.channel_id, 'form',
       CASE WHEN g.r1 < 0.9 THEN 'owned' ELSE 'pending' END,
       g.staff_id,
       CASE WHEN g.r2 < 0.1 THEN 4 WHEN g.r2 < 0.4 THEN 2 ELSE 1 END,
       g.first_seen + interval '2 hours', g.first_seen, g.first_seen,
       CASE WHEN g.r1 < 0.7 THEN g.first_seen + interval '20 minutes' + g.r3 * interval '2 hours' END,
       1, 1, 0,
       CASE WHEN g.r1 < 0.9 THEN g.first_seen + g.r3 * interval '20 minutes' END,
       CASE WHEN g.r2 < 0.1 AND g.r1 < 0.9 THEN g.first_seen + interval '2 hours' END,
       CASE WHEN g.r1 < 0.7 THEN g.staff_id END, CASE WHEN g.r1 < 0.7 THEN g.first_seen END,
       CASE WHEN g.r2 < 0.1 AND g.r1 < 0.9 THEN g.staff_id END
FROM g;
SELECT setval(pg_get_serial_sequence('landform.leads', 'id'), 800000);

INSERT INTO landform.submissions (lead_id, page_id, channel_id, fields, consent_text, consent_at, idem_key, new_lead, created_at)
SELECT g.id, g.page_id, g.channel_id, '{"company":"Bench"}', '同意', g.first_seen, 'g' || g.id, true, g.first_seen FROM g;
INSERT INTO landform.submissions (lead_id, page_id, channel_id, fields, consent_text, consent_at, idem_key, new_lead, created_at)
SELECT g.id, 1 + (g.id * 3) % 10, g.channel_id, '{}', '同意', g.first_seen + interval '1 day', 'r' || g.id, false,
       g.first_seen + interval '1 day'
FROM g WHERE g.id % 4 = 0;
INSERT INTO landform.consultations (submission_id, lead_id, page_id, question, created_at, answered_at)
SELECT s.id, s.lead_id, s.page_id, '多少钱?', s.created_at,
       CASE WHEN s.id % 5 <> 0 THEN s.created_at + (s.id % 240) * interval '1 minute' END
FROM landform.submissions s JOIN landform.pages p ON p.id = s.page_id AND p.kind = 'consult';

-- Offers: accepted ones within 20 minutes; the rest expired, then offered to the next member.
INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_at, assigned_by, deadline,
                                  accepted_at, closed_at, outcome, closed_by)
SELECT g.id, 1, CASE WHEN g.r1 < 0.9 THEN g.staff_id ELSE 1 + (g.staff_id % 30) END, 'rotation',
       g.first_seen, 'dispatch', g.first_seen + interval '30 minutes',
       CASE WHEN g.r1 < 0.9 THEN g.first_seen + g.r3 * interval '20 minutes' END,
       CASE WHEN g.r1 >= 0.9 THEN g.first_seen + interval '30 minutes' END,
       CASE WHEN g.r1 < 0.9 THEN 'accepted' ELSE 'expired' END,
       CASE WHEN g.r1 >= 0.9 THEN 'dispatch' END
FROM g;
INSERT INTO landform.assignments (lead_id, pool_id, staff_id, via, assigned_at, assigned_by, deadline)
SELECT g.id, 1, g.staff_id, 'rotation', g.first_seen + interval '30 minutes', 'dispatch', now() + interval '1 hour'
FROM g WHERE g.r1 >= 0.9;
INSERT INTO landform.stage_moves (lead_id, from_stage, to_stage, staff_id, at)
SELECT g.id, 1, 2, g.staff_id, g.first_seen + interval '1 hour' FROM g WHERE g.r2 < 0.4 AND g.r1 < 0.9;
INSERT INTO landform.deals (lead_id, staff_id, amount, won_at, channel_id)
SELECT g.id, g.staff_id, 100 + (g.id % 50) * 20, g.first_seen + interval '2 hours', g.channel_id
FROM g WHERE g.r2 < 0.1 AND g.r1 < 0.9;
INSERT INTO landform.deals (lead_id, staff_id, amount, won_at, channel_id)
SELECT g.id, g.staff_id, 80, g.first_seen + interval '3 days', g.channel_id
FROM g WHERE g.r2 < 0.02 AND g.r1 < 0.9 AND g.first_seen < now() - interval '3 days';

-- Counters: what submit and count_traffic would have counted (traffic 20 views, 8 visitors,
-- 3 opens per submission).
INSERT INTO landform.page_daily (page_id, channel_id, day, views, visitors, opens, submissions, leads, spam)
SELECT s.page_id, s.channel_id, landform._day(s.created_at), count(*) * 20, count(*) * 8, count(*) * 3,
       count(*), count(*) FILTER (WHERE s.new_lead), count(*) / 50
FROM landform.submissions s GROUP BY 1, 2, 3;
INSERT INTO landform.lead_daily (page_id, channel_id, day, consultations, assigned, accepted, contacted, won)
SELECT * FROM landform_test.lead_daily_recount();
INSERT INTO landform.staff_daily SELECT * FROM landform_test.staff_daily_recount();
INSERT INTO landform.channel_spend (channel_id, day, amount)
SELECT c.id, d::date, 1000 FROM landform.channels c,
       generate_series(date_trunc('day', now()) - interval '90 days', date_trunc('day', now()), interval '1 day') d;
SET session_replication_role = origin;
VACUUM ANALYZE;
\timing off
SELECT 'submissions ' || (SELECT count(*) FROM landform.submissions) || ', leads ' || (SELECT count(*) FROM landform.leads)
       || ', consultations ' || (SELECT count(*) FROM landform.consultations) || ', offers '
       || (SELECT count(*) FROM landform.assignments) || ', deals ' || (SELECT count(*) FROM landform.deals) AS "# rows";

-- Each report twice (\g sends the query before it again; the second run is the one to read:
-- warm cache), whole 90 days.
CREATE TEMP TABLE r AS SELECT landform._day(now()) AS today;
\echo '# funnel, 90 days by day (page x channel x day rows)'
\timing on
SELECT count(*) FROM landform.funnel((SELECT today - 90 FROM r), (SELECT today FROM r));
\g
\echo '# funnel, 90 days by month'
SELECT count(*) FROM landform.funnel((SELECT today - 90 FROM r), (SELECT today FROM r), 'month');
\echo '# funnel_daily view (all time)'
SELECT count(*) FROM landform.funnel_daily;
\echo '# channel_report, 90 days by week'
SELECT count(*) FROM landform.channel_report((SELECT today - 90 FROM r), (SELECT today FROM r), 'week');
\g
\echo '# revenue_factors, 90 days'
SELECT count(*) FROM landform.revenue_factors((SELECT today - 90 FROM r), (SELECT today FROM r));
\g
\echo '# staff_report, 90 days (all 880,000 offers, 560,000 first contacts)'
SELECT count(*) FROM landform.staff_report((SELECT today - 90 FROM r), (SELECT today FROM r));
\g
\echo '# staff_report, 30 days'
SELECT count(*) FROM landform.staff_report((SELECT today - 30 FROM r), (SELECT today FROM r));
\echo '# staff_stages, 90 days'
SELECT count(*) FROM landform.staff_stages((SELECT today - 90 FROM r), (SELECT today FROM r));
\g
\echo '# consultation_report, 90 days'
SELECT count(*) FROM landform.consultation_report((SELECT today - 90 FROM r), (SELECT today FROM r));
\g
\echo '# tick_notifications (first: every overdue stage and expiring offer; then a normal tick)'
SELECT * FROM landform.tick_notifications();
\g
\echo '# forget one phone'
SELECT * FROM landform.forget('+8613800004242');
\timing off
