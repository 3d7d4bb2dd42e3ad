/*
 * Unsolicited event frames (GD_F_EVENT, id 0) to every open connection.
 */
#ifndef GD_EVENTS_H
#define GD_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

/*
 * Queue one event frame with op and the TLVs in payload[len] on every
 * open protocol v1 connection but `except` (NULL for none) with room;
 * returns how many got it. A connection whose output is full misses the
 * event (logged at debug).
 */
int gd_event_broadcast(struct gd_agent *a, uint16_t op, const uint8_t *payload,
		       size_t len, const struct gd_conn *except);

#endif
