-- The landform schema and the record of applied migrations.
--
-- Conventions for every later file (see sql/README.md):
--   sql/migrations/NNNN_name.sql  applied once, in name order, each in its own transaction,
--                                 recorded below; never edited once released.
--   sql/code/NN_name.sql          functions, views, policies: re-applied on every migrate,
--                                 so they must be re-runnable (CREATE OR REPLACE).
CREATE SCHEMA IF NOT EXISTS landform;

CREATE TABLE IF NOT EXISTS landform.schema_migrations (
    version    text PRIMARY KEY,           -- file name without .sql, e.g. 0001_init
    checksum   text NOT NULL,              -- sha256 of the file as applied
    applied_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE landform.schema_migrations IS
    'Migrations applied by landformd migrate; a changed checksum of an applied file stops migrate.';
