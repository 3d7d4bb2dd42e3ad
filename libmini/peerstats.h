/*
 * Per-peer connection counters for INFO, so a host can see a flood: how
 * many connections each peer (a unix uid, a vsock CID, a serial port)
 * had accepted, refused and evicted. GD_PEER_STATS_MAX peers are kept;
 * when a new one comes and the table is full, the one seen longest ago
 * is folded into the "other" row, so no count is ever lost.
 */
#ifndef GD_PEERSTATS_H
#define GD_PEERSTATS_H

#include <stdint.h>

#define GD_PEER_STATS_MAX 16

enum gd_peer_kind {
	GD_PK_OTHER = 0,  /* folded rows */
	GD_PK_UID = 1,    /* unix socket peer, by uid */
	GD_PK_CID = 2,    /* AF_VSOCK peer, by CID */
	GD_PK_SERIAL = 3  /* virtio-serial port, by index */
};

/* One key for kind and id, as the slot policy compares them. */
static inline uint64_t gd_peer_key(unsigned kind, uint32_t id)
{
	return (uint64_t)kind << 32 | id;
}

enum gd_peer_event { GD_PE_ACCEPTED, GD_PE_REFUSED, GD_PE_EVICTED };

struct gd_peer_row {
	uint64_t key;      /* gd_peer_key() */
	uint64_t count[3]; /* by gd_peer_event */
	uint64_t seen;     /* a tick, for folding the stalest */
};

struct gd_peer_stats {
	struct gd_peer_row row[GD_PEER_STATS_MAX];
	int n;
	struct gd_peer_row other;  /* key gd_peer_key(GD_PK_OTHER, 0) */
	uint64_t tick;
};

void gd_peer_stats_count(struct gd_peer_stats *st, uint64_t key,
			 enum gd_peer_event ev);

#endif
