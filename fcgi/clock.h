/* Time in milliseconds: monotonic for intervals and deadlines, wall clock for what travels. */
#ifndef LANDFORM_CLOCK_H
#define LANDFORM_CLOCK_H

/* Monotonic milliseconds: only differences mean anything (timeouts, ticks, backoff). */
long long clock_ms(void);

/* Unix milliseconds: for values another host or the database reads (form stamps). */
long long clock_wall_ms(void);

#endif
