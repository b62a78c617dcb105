/* libFuzzer target for visitor.c's cookie parser. Oracles: what parses has a lowercase hex
 * id and at most VISITOR_MAX_MARKS marks, and formatting it and parsing that again gives the
 * same visitor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "visitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[VISITOR_VALUE_MAX];
	struct visitor v, again;

	memcpy(s, data, size);
	s[size] = '\0';
	if (visitor_parse(s, &v)) {
		if (strlen(v.id) != VISITOR_ID_LEN || strspn(v.id, "0123456789abcdef") != VISITOR_ID_LEN)
			abort();
		if (v.nmarks < 0 || v.nmarks > VISITOR_MAX_MARKS)
			abort();
		visitor_format(&v, out);
		if (strlen(out) >= VISITOR_VALUE_MAX || !visitor_parse(out, &again))
			abort();
		if (strcmp(again.id, v.id) != 0 || again.nmarks != (v.day > 0 ? v.nmarks : 0) ||
		    memcmp(again.marks, v.marks, (size_t)again.nmarks * sizeof(v.marks[0])) != 0)
			abort();
		visitor_count(&v, size > 0 ? data[0] : 1, "demo", size > 1 ? "wx" : NULL);
		visitor_format(&v, out);
	}
	free(s);
	return 0;
}
