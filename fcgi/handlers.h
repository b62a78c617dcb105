/* The route table and the handlers it names. */
#ifndef LANDFORM_HANDLERS_H
#define LANDFORM_HANDLERS_H

#include <stddef.h>

#include "route.h"

extern const struct route handlers_routes[];
extern const size_t handlers_route_count;

void handle_healthz(struct request *r);

#endif
