/*
 * Who gets a connection slot (issue: the host is never locked out).
 * guestd has one fixed table of GD_MAX_CONNS slots for every transport.
 * A newcomer's class decides what it may use:
 *
 *   serial     the VMM's virtio-serial ports: GD_SLOTS_SERIAL slots are
 *              never given to anything else, so a port always has one
 *   privileged the host (vsock CID 2) and root on a unix socket: any
 *              slot but the serial ones; GD_SLOTS_PRIVILEGED of them are
 *              kept from everyone else
 *   guest      any other peer (allow-cid CIDs, allow-uid users, guest
 *              users on the local socket): the rest, and at most
 *              GD_SLOTS_PER_PEER per peer (one uid or one CID)
 *
 * When a newcomer's share is full, the connection that has made the
 * least progress gives way: first the oldest stalled partial frame, then
 * the one idle longest without a watch, then (for a privileged newcomer)
 * the longest idle watcher. A connection that is busy (answers queued),
 * or has been quiet less than GD_EVICT_QUIET_MS, is never evicted; a
 * guest newcomer evicts only guest connections. Nothing evictable: the
 * newcomer is refused. Pure decision code; conn.c applies it.
 */
#ifndef GD_SLOTS_H
#define GD_SLOTS_H

#include <stdint.h>

#define GD_SLOTS_SERIAL 2      /* the native and the QGA serial port */
#define GD_SLOTS_PRIVILEGED 4  /* kept for the host and root */
#define GD_SLOTS_PER_PEER 8    /* one guest-class uid or CID */
#define GD_EVICT_QUIET_MS 1000 /* a connection quiet less long is kept */

enum gd_slot_class { GD_SC_FREE = 0, GD_SC_SERIAL, GD_SC_PRIV, GD_SC_GUEST };

/* What the policy needs to know of a slot. */
struct gd_slot_info {
	int cls;                /* GD_SC_* */
	uint64_t peer;          /* gd_peer_key() of its peer */
	uint64_t partial_since; /* CLOCK_MONOTONIC ns a partial frame began, 0 */
	uint64_t quiet_since;   /* last byte in or out (or the accept) */
	int busy;               /* answers queued: it is being served */
	int watching;           /* KV or clock-jump watch: idle by design */
};

enum gd_slot_verdict {
	GD_SLOT_TAKE,        /* *slot is free */
	GD_SLOT_EVICT,       /* close *slot, then take it */
	GD_SLOT_REFUSE_PEER, /* the peer holds GD_SLOTS_PER_PEER already */
	GD_SLOT_REFUSE_FULL  /* the share is full and nothing can give way */
};

/* Decide for a newcomer of class cls and peer key peer among s[n]. */
enum gd_slot_verdict gd_slot_choose(const struct gd_slot_info *s, int n,
				    int cls, uint64_t peer, uint64_t now,
				    int *slot);

#endif
