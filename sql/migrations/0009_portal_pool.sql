-- The staff portal's open pool page (landform.portal_pool): a pool's open-pool stays, longest
-- waiting first, straight from an index.
CREATE INDEX assignments_open_pool ON landform.assignments (pool_id, assigned_at, lead_id)
	WHERE closed_at IS NULL AND staff_id IS NULL;
