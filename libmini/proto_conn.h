/*
 * INFO's connection-slot TLVs (types 120-139): the slot table and, per
 * peer, how many connections it had accepted, refused and evicted
 * (libmini/peerstats.h; the policy is libmini/slots.h).
 *
 * CONN_PEER is repeated, one per peer, GD_CONN_PEER_LEN bytes, integers
 * little-endian as every TLV: u8 kind (GD_PK_*: 0 other, 1 uid, 2 CID,
 * 3 serial port), u32 id, u64 accepted, u64 refused, u64 evicted.
 */
#ifndef GD_PROTO_CONN_H
#define GD_PROTO_CONN_H

#define GD_CONN_PEER_LEN 29

enum gd_tlv_conn {
	GD_T_CONN_SLOTS = 120,   /* u32: slots in all (GD_MAX_CONNS) */
	GD_T_CONN_IN_USE = 121,  /* u32: slots held now */
	GD_T_CONN_REFUSED = 122, /* u64: newcomers refused for want of a slot */
	GD_T_CONN_EVICTED = 123, /* u64: connections evicted for a newcomer */
	GD_T_CONN_PEER = 124     /* bytes: one peer's counters, repeated */
};

#endif
