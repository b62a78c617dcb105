/* landformd migrate: apply sql/migrations once each and sql/code when it changed, under a lock. */
#ifndef LANDFORM_MIGRATE_H
#define LANDFORM_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

struct db;

/* Apply everything in sql_dir in one transaction and record public_url (for links the
 * database writes, such as invitations); err says which file failed and why. */
bool migrate_run(struct db *db, const char *sql_dir, const char *public_url, char *err, size_t errsz)
	__attribute__((warn_unused_result));

#endif
