#!/bin/sh
# First start of the postgres container: the role landformd serves as. It is not the schema
# owner, so row-level security applies to everything the web side does.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v pw="$LANDFORM_APP_PASSWORD" <<'SQL'
CREATE ROLE landform_app LOGIN PASSWORD :'pw';
SQL
