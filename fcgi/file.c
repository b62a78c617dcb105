/* One reader for every file landformd loads, so size limits and errors behave the same. */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

char *
file_read(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *text = NULL;
	int saved;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0)
		goto failed;
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto failed;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL)
		goto failed;
	if (fread(text, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		errno = EIO;
		goto failed;
	}
	fclose(f);
	text[st.st_size] = '\0';
	*len = (size_t)st.st_size;
	return text;
failed:
	saved = errno;
	free(text);
	fclose(f);
	errno = saved;
	return NULL;
}
