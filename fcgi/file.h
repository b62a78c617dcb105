/* Reading a whole small file (configuration, templates, schemas, migrations) into memory. */
#ifndef LANDFORM_FILE_H
#define LANDFORM_FILE_H

#include <stddef.h>

/* The file's bytes plus a terminating NUL, malloc'd (the caller frees), length in *len.
 * NULL with errno set when it cannot be read, and EFBIG when it is larger than max bytes. */
char *file_read(const char *path, size_t max, size_t *len);

#endif
