#include "peerstats.h"

#include <string.h>

static void fold(struct gd_peer_stats *st, int i)
{
	for (int e = 0; e < 3; e++)
		st->other.count[e] += st->row[i].count[e];
	st->row[i] = st->row[--st->n];
}

static struct gd_peer_row *row_for(struct gd_peer_stats *st, uint64_t key)
{
	int stalest = 0;

	for (int i = 0; i < st->n; i++) {
		if (st->row[i].key == key)
			return &st->row[i];
		if (st->row[i].seen < st->row[stalest].seen)
			stalest = i;
	}
	if (st->n == GD_PEER_STATS_MAX)
		fold(st, stalest);
	memset(&st->row[st->n], 0, sizeof st->row[0]);
	st->row[st->n].key = key;
	return &st->row[st->n++];
}

void gd_peer_stats_count(struct gd_peer_stats *st, uint64_t key,
			 enum gd_peer_event ev)
{
	struct gd_peer_row *r = row_for(st, key);

	r->count[ev]++;
	r->seen = ++st->tick;
}
