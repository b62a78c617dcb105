-- Submissions to one page no longer wait on each other (issue 3, measured in BENCHMARKS.md):
-- every submission used to update the same page_daily row (page x channel x day) and to
-- lock the same pages and channels rows (foreign-key checks take FOR KEY SHARE, which under
-- concurrency means a MultiXact and a WAL record per lock), each held until commit.

-- page_daily becomes insert-only, like staff_daily: submit and count_traffic add rows,
-- landform.tick_notifications() folds recent days into one row per page x channel x day
-- (landform.compact_page_daily), reports and admins sum. No row is updated, so no
-- transaction waits for another here.
ALTER TABLE landform.page_daily
	DROP CONSTRAINT page_daily_key,
	DROP CONSTRAINT page_daily_page_id_fkey,
	DROP CONSTRAINT page_daily_channel_id_fkey,
	SET (fillfactor = 100);
DROP INDEX landform.page_daily_day;
CREATE INDEX page_daily_day ON landform.page_daily (day, page_id);

-- The keys checked per submission go, as the bulk keys went in 0005:
-- landform's functions look the page and channel up first, and deletion guards
-- (sql/code/80_guards.sql) refuse to delete a page or channel anything names. The keys
-- written once per dispatch or by admins stay (lead_daily, deals, channel_spend).
ALTER TABLE landform.leads DROP CONSTRAINT leads_page_id_fkey, DROP CONSTRAINT leads_channel_id_fkey;
ALTER TABLE landform.submissions
	DROP CONSTRAINT submissions_page_id_fkey,
	DROP CONSTRAINT submissions_channel_id_fkey;
ALTER TABLE landform.consultations DROP CONSTRAINT consultations_page_id_fkey;

-- Unique visitors are counted by the visitor cookie, which remembers what it was counted for
-- today (fcgi/visitor.h), instead of one row per visitor, page, channel and day here: that
-- was an index insert per new visitor, and the table was never emptied.
DROP TABLE landform.page_visitors;

-- Every new lead went into twelve indexes and every dispatch (which changes owner and state)
-- wrote six new entries. Three serve only rare admin work, which may scan instead: tags (no
-- landform query searches leads by tag across owners), retention sweeps (purge_unconverted)
-- and the stage deletion guard. Without leads_unwon a repeat submission, which moves only
-- last_seen, name and the count, changes no indexed column and updates in place (HOT).
DROP INDEX landform.leads_tags;
DROP INDEX landform.leads_unwon;
DROP INDEX landform.leads_stage;

-- Unused since deliveries (0006) took over sending; every outbox row (one per assigned lead)
-- paid an entry in it, twice.
DROP INDEX landform.outbox_unsent;
