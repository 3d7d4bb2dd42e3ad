/* INFO's part about connection slots: the table and per-peer counters. */
#include <string.h>

#include "buf.h"
#include "proto_conn.h"
#include "native.h"

static int put_peer(struct gd_req *r, const struct gd_peer_row *row)
{
	uint8_t v[GD_CONN_PEER_LEN];

	v[0] = (uint8_t)(row->key >> 32);
	gd_set_u32(v + 1, (uint32_t)row->key);
	for (int e = 0; e < 3; e++)
		gd_set_u64(v + 5 + 8 * e, row->count[e]);
	return gd_tlv_bytes(r->w, GD_T_CONN_PEER, v, sizeof v);
}

int gd_svc_conns_info(struct gd_req *r)
{
	const struct gd_agent *a = r->agent;
	const struct gd_peer_stats *st = &a->net->stats.peers;
	uint32_t in_use = 0;

	for (int i = 0; i < GD_MAX_CONNS; i++)
		in_use += a->net->conns[i].fd >= 0;
	if (gd_tlv_u32(r->w, GD_T_CONN_SLOTS, GD_MAX_CONNS) ||
	    gd_tlv_u32(r->w, GD_T_CONN_IN_USE, in_use) ||
	    gd_tlv_u64(r->w, GD_T_CONN_REFUSED, a->net->stats.refused_busy) ||
	    gd_tlv_u64(r->w, GD_T_CONN_EVICTED, a->net->stats.evicted))
		return -1;
	for (int i = 0; i < st->n; i++)
		if (put_peer(r, &st->row[i]))
			return -1;
	if (st->other.count[0] || st->other.count[1] || st->other.count[2])
		return put_peer(r, &st->other);
	return 0;
}
