/* Shared-memory counters: one anonymous shared mapping made by the master, atomic adds from
 * every child, so counts survive any child's death and need no messages to the master. */
#include "tally.h"

#include <string.h>
#include <sys/mman.h>

#include "db.h"

_Static_assert(DB_UNAVAILABLE == METRICS_DB_UNAVAILABLE + 1 && DB_ERROR == METRICS_DB_ERROR + 1,
	       "db.h's statuses map onto the metrics' kinds");
_Static_assert(sizeof(struct metrics_counters) % sizeof(uint64_t) == 0,
	       "the block is copied word by word");

static struct metrics_counters *block;
static enum metrics_role my_role = METRICS_WORKER;
static size_t my_slot;

#define ADD(field, n) __atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)
#define SET(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)

bool
tally_init(void)
{
	void *p;

	if (block != NULL)
		return true;
	p = mmap(NULL, sizeof(*block), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	block = p; /* zeroed by the kernel; lives until the last process exits */
	return true;
}

void
tally_child(enum metrics_role role, size_t slot)
{
	my_role = role;
	my_slot = slot < METRICS_MAX_SLOTS ? slot : 0;
}

void
tally_request(size_t route, const char *method, const char *pattern, int status, long us)
{
	struct metrics_histogram_duration *h;

	if (block == NULL)
		return;
	if (route < METRICS_MAX_ROUTES && status >= METRICS_STATUS_MIN && status <= METRICS_STATUS_MAX)
		ADD(block->requests[route][status - METRICS_STATUS_MIN], 1);
	h = &block->duration[metrics_kind_of(method, pattern)];
	ADD(h->bucket[metrics_duration_bucket(us)], 1);
	ADD(h->sum_us, (uint64_t)(us > 0 ? us : 0));
}

void
tally_batch(size_t n)
{
	if (block == NULL || n == 0)
		return;
	ADD(block->batch_bucket[metrics_batch_bucket(n)], 1);
	ADD(block->batch_sum, n);
}

void
tally_db_error(int db_status)
{
	if (block == NULL || db_status < 1 || db_status > METRICS_DB_KIND_COUNT)
		return;
	ADD(block->db_errors[my_role][db_status - 1], 1);
}

void
tally_db_reconnect(void)
{
	if (block != NULL)
		ADD(block->db_reconnects[my_role], 1);
}

void
tally_dispatch_round(void)
{
	if (block != NULL)
		ADD(block->dispatch_rounds, 1);
}

void
tally_flush_state(bool dirty, long long now_ms)
{
	int64_t since;

	if (block == NULL)
		return;
	since = __atomic_load_n(&block->flush_dirty_since_ms[my_slot], __ATOMIC_RELAXED);
	if (!dirty)
		SET(block->flush_dirty_since_ms[my_slot], 0);
	else if (since == 0)
		SET(block->flush_dirty_since_ms[my_slot], now_ms);
}

void
tally_restart(enum metrics_role role)
{
	if (block != NULL)
		ADD(block->restarts[role], 1);
}

void
tally_alive(enum metrics_role role, size_t n)
{
	if (block != NULL)
		SET(block->alive[role], n);
}

void
tally_slot_gone(size_t slot)
{
	if (block != NULL && slot < METRICS_MAX_SLOTS)
		SET(block->flush_dirty_since_ms[slot], 0);
}

void
tally_spool(size_t records, long long oldest_wall_ms)
{
	if (block == NULL)
		return;
	SET(block->spool_records, records);
	SET(block->spool_oldest_ms, oldest_wall_ms);
	SET(block->spool_reported, 1);
}

bool
tally_snapshot(struct metrics_counters *out)
{
	const uint64_t *src;
	uint64_t *dst;

	if (block == NULL)
		return false;
	/* The block is a run of 64-bit words: copy each with an atomic load. */
	src = (const uint64_t *)(const void *)block;
	dst = (uint64_t *)(void *)out;
	for (size_t i = 0; i < sizeof(*block) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	return true;
}
