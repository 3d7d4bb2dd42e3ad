#include "slots.h"

#include <stddef.h>

struct usage {
	int nonserial, guest, of_peer, free_slot;
};

static struct usage count(const struct gd_slot_info *s, int n, uint64_t peer)
{
	struct usage u = { 0, 0, 0, -1 };

	for (int i = 0; i < n; i++) {
		if (s[i].cls == GD_SC_FREE) {
			if (u.free_slot < 0)
				u.free_slot = i;
			continue;
		}
		if (s[i].cls == GD_SC_SERIAL)
			continue;
		u.nonserial++;
		if (s[i].cls == GD_SC_GUEST) {
			u.guest++;
			u.of_peer += s[i].peer == peer;
		}
	}
	return u;
}

/* The class's share has room (the serial slots are never counted in). */
static int has_room(const struct usage *u, int n, int cls)
{
	int nonserial_cap = n - GD_SLOTS_SERIAL;

	if (cls == GD_SC_SERIAL)
		return u->free_slot >= 0;
	if (u->nonserial >= nonserial_cap)
		return 0;
	return cls == GD_SC_PRIV ||
	       u->guest < nonserial_cap - GD_SLOTS_PRIVILEGED;
}

/* Rank of a would-be victim (lower gives way first), -1 if it must stay. */
static int victim_rank(const struct gd_slot_info *v, int cls, uint64_t now,
		       uint64_t *since)
{
	uint64_t quiet = (uint64_t)GD_EVICT_QUIET_MS * 1000000u;
	int guest_first = v->cls == GD_SC_GUEST ? 0 : 3;

	if (v->cls == GD_SC_FREE || v->cls == GD_SC_SERIAL || v->busy)
		return -1;
	if (cls != GD_SC_PRIV && v->cls != GD_SC_GUEST)
		return -1;
	*since = v->partial_since ? v->partial_since : v->quiet_since;
	if (now < *since + quiet)
		return -1;
	if (v->partial_since)
		return guest_first;
	if (!v->watching)
		return guest_first + 1;
	/* a watcher only gives way to the host or root, and never a root one */
	return cls == GD_SC_PRIV && v->cls == GD_SC_GUEST ? 2 : -1;
}

static int pick_victim(const struct gd_slot_info *s, int n, int cls,
		       uint64_t now)
{
	int best = -1, best_rank = 0;
	uint64_t best_since = 0;

	for (int i = 0; i < n; i++) {
		uint64_t since = 0;
		int rank = victim_rank(&s[i], cls, now, &since);

		if (rank < 0)
			continue;
		if (best < 0 || rank < best_rank ||
		    (rank == best_rank && since < best_since)) {
			best = i;
			best_rank = rank;
			best_since = since;
		}
	}
	return best;
}

enum gd_slot_verdict gd_slot_choose(const struct gd_slot_info *s, int n,
				    int cls, uint64_t peer, uint64_t now,
				    int *slot)
{
	struct usage u = count(s, n, peer);

	if (cls == GD_SC_GUEST && u.of_peer >= GD_SLOTS_PER_PEER)
		return GD_SLOT_REFUSE_PEER;
	if (has_room(&u, n, cls) && u.free_slot >= 0) {
		*slot = u.free_slot;
		return GD_SLOT_TAKE;
	}
	if (cls == GD_SC_SERIAL)
		return GD_SLOT_REFUSE_FULL;
	*slot = pick_victim(s, n, cls, now);
	return *slot >= 0 ? GD_SLOT_EVICT : GD_SLOT_REFUSE_FULL;
}
