-- Staff figures as a rollup (issue 6, after 0010): per member and day, what happened to their
-- offers (by the day of the offer) and the first contacts and wins they made (by that day),
-- with the seconds behind each median. Rows are only ever inserted by the triggers in
-- sql/code/62_reports.sql (one row per statement and member-day: no row is updated, so no
-- two transactions wait on each other here); landform.tick_notifications() folds the rows of
-- recent days into one per member-day. Reports sum them. Anonymous: no lead in it.
CREATE TABLE landform.staff_daily (
	staff_id bigint NOT NULL,
	day date NOT NULL,
	received integer NOT NULL DEFAULT 0,
	offered integer NOT NULL DEFAULT 0,
	accepted_in_time integer NOT NULL DEFAULT 0,
	expired integer NOT NULL DEFAULT 0,
	contacted integer NOT NULL DEFAULT 0,
	won integer NOT NULL DEFAULT 0,
	accept_secs double precision[] NOT NULL DEFAULT '{}',
	contact_secs double precision[] NOT NULL DEFAULT '{}'
);
CREATE INDEX staff_daily_day ON landform.staff_daily (day, staff_id);

-- What happened before this migration, one row per member-day.
INSERT INTO landform.staff_daily (staff_id, day, received, offered, accepted_in_time, expired,
                                  contacted, won, accept_secs, contact_secs)
SELECT u.staff_id, u.day, sum(u.received), sum(u.offered), sum(u.in_time), sum(u.expired),
       sum(u.contacted), sum(u.won),
       coalesce(array_agg(u.secs) FILTER (WHERE u.kind = 'a'), '{}'),
       coalesce(array_agg(u.secs) FILTER (WHERE u.kind = 'c'), '{}')
FROM (
	SELECT a.staff_id,
	       (a.assigned_at AT TIME ZONE (SELECT value FROM landform.settings WHERE name = 'time_zone'))::date AS day,
	       1 AS received, (a.via = 'rotation')::integer AS offered,
	       (a.via = 'rotation' AND a.accepted_at <= a.deadline)::integer AS in_time,
	       (a.outcome = 'expired')::integer AS expired, 0 AS contacted, 0 AS won,
	       CASE WHEN a.via = 'rotation' AND a.accepted_at IS NOT NULL THEN 'a' END AS kind,
	       extract(epoch FROM a.accepted_at - a.assigned_at)::double precision AS secs
	FROM landform.assignments a WHERE a.staff_id IS NOT NULL
	UNION ALL
	SELECT l.contacted_by,
	       (l.first_contact_at AT TIME ZONE (SELECT value FROM landform.settings WHERE name = 'time_zone'))::date,
	       0, 0, 0, 0, 1, 0, 'c', extract(epoch FROM l.first_contact_at - l.contact_offer_at)::double precision
	FROM landform.leads l WHERE l.contacted_by IS NOT NULL
	UNION ALL
	SELECT l.won_by,
	       (l.won_at AT TIME ZONE (SELECT value FROM landform.settings WHERE name = 'time_zone'))::date,
	       0, 0, 0, 0, 0, 1, NULL, NULL
	FROM landform.leads l WHERE l.won_by IS NOT NULL
) u
GROUP BY 1, 2;
