/* In-memory traffic counters: a small array scanned linearly (a worker sees few pages and
 * channels per second), visitor ids deduplicated per batch. */
#include "counter.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct counter_entry {
	char slug[65];
	char channel[33];
	bool has_channel;
	long views, opens, spam;
	char (*visitors)[COUNTER_VISITOR_LEN + 1];
	int nvisitors, capvisitors;
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

static void
add_visitor(struct counters *c, struct counter_entry *e, const char *visitor)
{
	for (int i = 0; i < e->nvisitors; i++)
		if (strcmp(e->visitors[i], visitor) == 0)
			return;
	if (e->nvisitors == COUNTER_MAX_VISITORS)
		return;
	if (e->nvisitors == e->capvisitors) {
		int cap = e->capvisitors ? e->capvisitors * 2 : 16;
		void *v = realloc(e->visitors, (size_t)cap * sizeof(*e->visitors));

		if (v == NULL)
			abort();
		e->visitors = v;
		e->capvisitors = cap;
	}
	strncpy(e->visitors[e->nvisitors], visitor, COUNTER_VISITOR_LEN);
	e->visitors[e->nvisitors][COUNTER_VISITOR_LEN] = '\0';
	e->nvisitors++;
	c->visitors++;
}

void
counters_add(struct counters *c, enum counter_event ev, const char *slug, const char *channel,
	     const char *visitor, int64_t now)
{
	struct counter_entry *e = find(c, slug, channel);

	if (e == NULL)
		return;
	if (c->since == 0)
		c->since = now;
	switch (ev) {
	case COUNTER_VIEW:
		e->views++;
		if (visitor != NULL)
			add_visitor(c, e, visitor);
		break;
	case COUNTER_OPEN:
		e->opens++;
		break;
	case COUNTER_SPAM:
		e->spam++;
		break;
	}
}

bool
counters_dirty(const struct counters *c)
{
	return c->count > 0;
}

bool
counters_full(const struct counters *c)
{
	return c->visitors >= COUNTER_FLUSH_VISITORS;
}

char *
counters_json(const struct counters *c, int64_t now)
{
	cJSON *rows = cJSON_CreateArray();
	char *text;

	for (int i = 0; i < c->count; i++) {
		const struct counter_entry *e = &c->entries[i];
		cJSON *row = cJSON_CreateObject(), *vis = cJSON_CreateArray();

		cJSON_AddStringToObject(row, "page", e->slug);
		if (e->has_channel)
			cJSON_AddStringToObject(row, "channel", e->channel);
		else
			cJSON_AddNullToObject(row, "channel");
		cJSON_AddNumberToObject(row, "at", (double)now);
		cJSON_AddNumberToObject(row, "views", (double)e->views);
		cJSON_AddNumberToObject(row, "opens", (double)e->opens);
		cJSON_AddNumberToObject(row, "spam", (double)e->spam);
		for (int v = 0; v < e->nvisitors; v++)
			cJSON_AddItemToArray(vis, cJSON_CreateString(e->visitors[v]));
		cJSON_AddItemToObject(row, "visitors", vis);
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
	for (int i = 0; i < c->count; i++) {
		free(c->entries[i].visitors);
		c->entries[i].visitors = NULL;
	}
	c->count = 0;
	c->since = 0;
	c->visitors = 0;
}

void
counters_free(struct counters *c)
{
	counters_clear(c);
	free(c->entries);
	c->entries = NULL;
}
