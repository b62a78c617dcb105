/* libFuzzer target for metrics.c's metrics_addr_allowed, the reader of the metrics_allow
 * option. The input is split at its first NUL into the list and the client address. Oracles:
 * no crash or overread; a list that passes metrics_allow_check and holds the address itself
 * as an entry allows it; the empty list allows nobody. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 2), *list, *addr, *both;
	char err[128];
	size_t n;

	memcpy(s, data, size);
	s[size] = s[size + 1] = '\0';
	list = s;
	addr = s + strlen(s) + (strlen(s) < size ? 1 : 0);
	(void)metrics_addr_allowed(list, addr);
	(void)metrics_allow_check(list, err, sizeof(err));
	if (*addr != '\0' && metrics_addr_allowed("", addr))
		abort();
	n = strlen(addr);
	if (n > 0 && n < 60 && strcspn(addr, ", \t/") == n && metrics_allow_check(addr, err, sizeof(err)) &&
	    strcmp(addr, "unix") != 0) {
		both = malloc(n + 8);
		memcpy(both, "x, ", 3);
		memcpy(both + 3, addr, n + 1);
		if (!metrics_addr_allowed(both + 3, addr))
			abort();
		free(both);
	}
	free(s);
	return 0;
}
