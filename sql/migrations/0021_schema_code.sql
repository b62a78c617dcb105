-- Which text of each sql/code file ran last: a routine migrate re-runs only what changed (and
-- what follows it), so it takes no lock on a busy table when nothing did.
CREATE TABLE IF NOT EXISTS landform.schema_code (
	file text PRIMARY KEY,
	checksum text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);
