-- Admin views: member load, leads waiting / assigned / overdue / in the open pool, history.
-- Replaced in place on every migrate (CREATE OR REPLACE VIEW); a change of columns is a new
-- migration that drops the view (sql/README.md).

-- One row per pool membership: duty, weight, cap, rotation counter and what they hold now.
-- load = received / weight is what rotation compares; assigned_total counts real assignments.
CREATE OR REPLACE VIEW landform.member_load AS
SELECT p.name AS pool, s.login, s.display_name, s.active, s.on_duty,
       m.weight, m.cap, m.received, round(m.received::numeric / m.weight, 2) AS load,
       coalesce(o.pending, 0) AS pending, coalesce(o.owned, 0) AS owned,
       coalesce(o.overdue, 0) AS overdue,
       (SELECT count(*) FROM landform.assignments a
        WHERE a.pool_id = m.pool_id AND a.staff_id = m.staff_id) AS assigned_total,
       m.last_assigned_at
FROM landform.pool_members m
JOIN landform.pools p ON p.id = m.pool_id
JOIN landform.staff s ON s.id = m.staff_id
LEFT JOIN LATERAL (
	SELECT count(*) FILTER (WHERE a.accepted_at IS NULL) AS pending,
	       count(*) FILTER (WHERE a.accepted_at IS NOT NULL) AS owned,
	       count(*) FILTER (WHERE a.accepted_at IS NULL AND a.deadline <= now()) AS overdue
	FROM landform.assignments a
	WHERE a.pool_id = m.pool_id AND a.staff_id = m.staff_id AND a.closed_at IS NULL
) o ON true;

-- Leads nobody has been offered yet, or back in rotation waiting for an untried member.
CREATE OR REPLACE VIEW landform.leads_waiting AS
SELECT l.id AS lead_id, l.phone, l.name, p.name AS pool, pg.slug AS page, c.code AS channel,
       l.first_seen, l.last_seen, l.handoffs, l.misses, now() - l.first_seen AS age
FROM landform.leads l
JOIN landform.pools p ON p.id = l.pool_id
LEFT JOIN landform.pages pg ON pg.id = l.page_id
LEFT JOIN landform.channels c ON c.id = l.channel_id
WHERE l.state = 'waiting';

-- Leads with a member now: offered (pending, with deadline) or accepted (owned).
CREATE OR REPLACE VIEW landform.leads_assigned AS
SELECT l.id AS lead_id, l.phone, l.name, p.name AS pool, s.login, s.display_name, l.state,
       a.id AS assignment_id, a.via, a.assigned_at, a.deadline, a.accepted_at,
       (a.accepted_at IS NULL AND a.deadline <= now()) AS overdue
FROM landform.leads l
JOIN landform.assignments a ON a.lead_id = l.id AND a.closed_at IS NULL
JOIN landform.staff s ON s.id = a.staff_id
JOIN landform.pools p ON p.id = l.pool_id
WHERE l.state IN ('pending', 'owned');

-- Offers past their deadline that the dispatcher has not taken back yet (should stay empty
-- while landformd runs).
CREATE OR REPLACE VIEW landform.leads_overdue AS
SELECT la.*, now() - la.deadline AS late_by
FROM landform.leads_assigned la
WHERE la.overdue;

-- The open pool (公海): leads for a claim or an admin's assign.
CREATE OR REPLACE VIEW landform.open_pool AS
SELECT l.id AS lead_id, l.phone, l.name, p.name AS pool, a.assigned_at AS open_since,
       l.misses, l.handoffs, l.first_seen, l.last_seen, l.tags
FROM landform.leads l
JOIN landform.assignments a ON a.lead_id = l.id AND a.closed_at IS NULL AND a.staff_id IS NULL
JOIN landform.pools p ON p.id = l.pool_id
WHERE l.state = 'open';

-- Every change of hands, in order: SELECT * FROM landform.lead_history WHERE lead_id = 42;
CREATE OR REPLACE VIEW landform.lead_history AS
SELECT a.lead_id, a.id AS assignment_id, p.name AS pool,
       coalesce(s.login, '(open pool)') AS holder, a.via, a.assigned_at, a.assigned_by,
       a.deadline, a.accepted_at, a.closed_at, a.outcome, a.closed_by, a.note,
       (SELECT l.route FROM landform.leads l WHERE l.id = a.lead_id) AS route   -- issue 16
FROM landform.assignments a
JOIN landform.pools p ON p.id = a.pool_id
LEFT JOIN landform.staff s ON s.id = a.staff_id;
