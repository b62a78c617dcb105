-- From this release the views of sql/code are replaced in place (CREATE OR REPLACE VIEW), so a
-- migrate that re-runs a code file drops nothing built on them; a view whose columns change is
-- dropped by a new migration, as this one does. Dropped once here, so that the code files that
-- run next re-create each in today's shape whatever shape an older release left.
DROP VIEW IF EXISTS landform.suspect_submissions, landform.refusals, landform.lead_tags,
	landform.tag_counts, landform.funnel_counts, landform.funnel_daily, landform.funnel_weekly,
	landform.funnel_monthly, landform.channel_monthly, landform.revenue_monthly,
	landform.consultations_daily, landform.staff_monthly, landform.staff_stages_monthly,
	landform.stage_reminders, landform.consent_log, landform.lead_consent, landform.member_load,
	landform.leads_waiting, landform.leads_assigned, landform.leads_overdue, landform.open_pool,
	landform.lead_history, landform.notifications, landform.delivery_status,
	landform.notify_target_status, landform.staff_access, landform.portal_phones,
	landform.portal_submission_fields CASCADE;
