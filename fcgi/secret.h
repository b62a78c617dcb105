/* The server key that signs form stamps and tokens: 32 random bytes in a file only we read. */
#ifndef LANDFORM_SECRET_H
#define LANDFORM_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SECRET_BYTES 32

/* Create path with fresh random bytes if it does not exist (mode 0600, owned by uid:gid). */
bool secret_ensure(const char *path, uid_t uid, gid_t gid, char *err, size_t errsz)
	__attribute__((warn_unused_result));

/* Read the key; false with a message naming the file when it is missing or short. */
bool secret_load(const char *path, unsigned char key[SECRET_BYTES], char *err, size_t errsz)
	__attribute__((warn_unused_result));

#endif
