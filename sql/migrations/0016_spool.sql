-- The spool (docs/operations.md "The spool"): submissions a host acknowledged while the
-- database could not take them wait in files on that host and are stored later, with the time
-- they were received. Two things the database must know for that:

-- Phones forgotten (landform.forget) while a submission of theirs may still wait in a spool:
-- a replayed submission received before the forget is not stored. Only a hash is kept, so the
-- list holds no phone number.
CREATE TABLE landform.forgotten_phones (
	phone_hash bytea PRIMARY KEY,            -- sha256 of the E.164 number
	forgotten_at timestamptz NOT NULL DEFAULT now()
);

-- Spooled submissions the database refused for what they hold (a page deleted meanwhile): the
-- record itself stays in the host's spool_dir/dead/ file named here; this row says which and
-- why, without the personal data.
CREATE TABLE landform.spool_dead (
	id bigserial PRIMARY KEY,
	host text NOT NULL,            -- the replayer's host name
	file text NOT NULL,            -- under that host's spool_dir/dead/
	idem_key text,
	page text,
	received_at timestamptz,
	sqlstate text,
	message text,
	recorded_at timestamptz NOT NULL DEFAULT now()
);
