/* In-memory traffic counters: a small array scanned linearly (a worker sees few pages and
 * channels per second). */
#include "counter.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct counter_entry {
	char slug[65];
	char channel[33];
	bool has_channel;
	long views, visitors, opens, spam;
	long refused[COUNTER_STAMP_TOO_FAST - COUNTER_STAMP_MISSING + 1]; /* by COUNTER_STAMP_* */
};

/* refusal_daily's reasons, in COUNTER_STAMP_* order. */
static const char *const refusal_keys[] = {
	"stamp_missing", "stamp_malformed", "stamp_forged", "stamp_too_fast"
};

void
counters_init(struct counters *c)
{
	memset(c, 0, sizeof(*c));
}

static struct counter_entry *
find(struct counters *c, const char *slug, const char *channel)
{
	struct counter_entry *e;

	for (int i = 0; i < c->count; i++) {
		e = &c->entries[i];
		if (strcmp(e->slug, slug) == 0 && e->has_channel == (channel != NULL) &&
		    (channel == NULL || strcmp(e->channel, channel) == 0))
			return e;
	}
	/* The last slots are kept for channel-less pairs, so folded views still count. */
	if (channel != NULL && c->count >= COUNTER_MAX_KEYS - 16)
		return find(c, slug, NULL);
	if (c->count == COUNTER_MAX_KEYS)
		return NULL;
	if (c->entries == NULL) {
		c->entries = calloc(COUNTER_MAX_KEYS, sizeof(*c->entries));
		if (c->entries == NULL)
			abort();
	}
	e = &c->entries[c->count++];
	memset(e, 0, sizeof(*e));
	strncpy(e->slug, slug, sizeof(e->slug) - 1);
	if (channel != NULL) {
		strncpy(e->channel, channel, sizeof(e->channel) - 1);
		e->has_channel = true;
	}
	return e;
}

void
counters_add(struct counters *c, enum counter_event ev, const char *slug, const char *channel,
	     bool unique, int64_t now)
{
	struct counter_entry *e = find(c, slug, channel);

	if (e == NULL)
		return;
	if (c->since == 0)
		c->since = now;
	switch (ev) {
	case COUNTER_VIEW:
		e->views++;
		e->visitors += unique;
		break;
	case COUNTER_OPEN:
		e->opens++;
		break;
	case COUNTER_SPAM:
		e->spam++;
		break;
	case COUNTER_STAMP_MISSING:
	case COUNTER_STAMP_MALFORMED:
	case COUNTER_STAMP_FORGED:
	case COUNTER_STAMP_TOO_FAST:
		e->refused[ev - COUNTER_STAMP_MISSING]++;
		break;
	}
}

bool
counters_dirty(const struct counters *c)
{
	return c->count > 0;
}

/* "refused":{"stamp_forged":n,...} with the reasons counted, only when there are some. */
static void
add_refused(cJSON *row, const struct counter_entry *e)
{
	cJSON *o = NULL;

	for (size_t i = 0; i < sizeof(refusal_keys) / sizeof(refusal_keys[0]); i++) {
		if (e->refused[i] == 0)
			continue;
		if (o == NULL)
			o = cJSON_AddObjectToObject(row, "refused");
		cJSON_AddNumberToObject(o, refusal_keys[i], (double)e->refused[i]);
	}
}

char *
counters_json(const struct counters *c, int64_t now)
{
	cJSON *rows = cJSON_CreateArray();
	char *text;

	for (int i = 0; i < c->count; i++) {
		const struct counter_entry *e = &c->entries[i];
		cJSON *row = cJSON_CreateObject();

		cJSON_AddStringToObject(row, "page", e->slug);
		if (e->has_channel)
			cJSON_AddStringToObject(row, "channel", e->channel);
		else
			cJSON_AddNullToObject(row, "channel");
		cJSON_AddNumberToObject(row, "at", (double)now);
		cJSON_AddNumberToObject(row, "views", (double)e->views);
		cJSON_AddNumberToObject(row, "opens", (double)e->opens);
		cJSON_AddNumberToObject(row, "spam", (double)e->spam);
		cJSON_AddNumberToObject(row, "visitors", (double)e->visitors);
		add_refused(row, e);
		cJSON_AddItemToArray(rows, row);
	}
	text = cJSON_PrintUnformatted(rows);
	cJSON_Delete(rows);
	if (text == NULL)
		abort();
	return text;
}

void
counters_clear(struct counters *c)
{
	c->count = 0;
	c->since = 0;
}

void
counters_free(struct counters *c)
{
	counters_clear(c);
	free(c->entries);
	c->entries = NULL;
}
