/* Every instance sharing a database must share this key, so it lives in a file, not in memory. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
secret_ensure(const char *path, uid_t uid, gid_t gid, char *err, size_t errsz)
{
	unsigned char key[SECRET_BYTES];
	int fd;

	if (access(path, F_OK) == 0)
		return true;
	if (sodium_init() < 0) {
		snprintf(err, errsz, "secret_file: libsodium failed to initialise");
		return false;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return true; /* another instance made it first */
		snprintf(err, errsz, "secret_file: cannot create %s: %s", path, strerror(errno));
		return false;
	}
	randombytes_buf(key, sizeof(key));
	if (write(fd, key, sizeof(key)) != (ssize_t)sizeof(key) || fsync(fd) != 0) {
		snprintf(err, errsz, "secret_file: cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return false;
	}
	sodium_memzero(key, sizeof(key));
	if (geteuid() == 0 && fchown(fd, uid, gid) != 0) {
		snprintf(err, errsz, "secret_file: cannot hand %s over: %s", path, strerror(errno));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

bool
secret_load(const char *path, unsigned char key[SECRET_BYTES], char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		snprintf(err, errsz, "secret_file: cannot read %s: %s", path, strerror(errno));
		return false;
	}
	n = read(fd, key, SECRET_BYTES);
	close(fd);
	if (n != SECRET_BYTES) {
		snprintf(err, errsz, "secret_file: %s holds fewer than %d bytes", path, SECRET_BYTES);
		return false;
	}
	return true;
}
