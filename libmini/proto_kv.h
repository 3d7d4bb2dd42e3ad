/*
 * Key-value exchange on the wire (docs/kv.md): pool numbers and the TLV
 * types of KV_GET, KV_SET, KV_DEL, KV_LIST, KV_WATCH and the
 * KV_CHANGED event. TLV range 60-79 belongs to KV.
 */
#ifndef GD_PROTO_KV_H
#define GD_PROTO_KV_H

enum gd_kv_pool {
	GD_KV_POOL_HOST = 0,  /* written by the host, read-only in the guest */
	GD_KV_POOL_GUEST = 1, /* written by guest processes, read by the host */
	GD_KV_POOL_AUTO = 2,  /* facts guestd fills in; read-only to all */
	GD_KV_NPOOLS = 3
};

enum gd_tlv_kv {
	GD_T_KV_POOL = 60,       /* u8: GD_KV_POOL_* */
	GD_T_KV_KEY = 61,        /* str: 1..512 bytes of printable UTF-8 */
	GD_T_KV_VALUE = 62,      /* bytes: 0..2048 */
	GD_T_KV_CURSOR = 63,     /* u32: LIST position; in answers, more follow */
	GD_T_KV_COUNT = 64,      /* u32: entries in the pool (LIST answer) */
	GD_T_KV_CHANGE = 65,     /* u8: GD_KV_CHANGE_* (KV_CHANGED event) */
	GD_T_KV_DROPPED = 66,    /* u32: events dropped for this watcher */
	GD_T_KV_PERSISTENT = 67, /* u8: 1 if host/guest pools survive restart */
	GD_T_KV_STORE_ERROR = 68, /* str: last persistence problem (INFO) */
	GD_T_KV_WATCH_ON = 69,   /* u8: KV_WATCH: 1 watch (default), 0 stop */
	GD_T_KV_KEYS_ONLY = 70,  /* u8: KV_LIST: 1 omits values */
	GD_T_KV_WATCHING = 71,   /* u8: KV_WATCH answer: bit per watched pool */
	GD_T_KV_KEY_MAX = 72,    /* u32: INFO: key limit in bytes */
	GD_T_KV_VALUE_MAX = 73,  /* u32: INFO: value limit in bytes */
	GD_T_KV_POOL_MAX = 74    /* u32: INFO: entries per pool */
};

enum gd_kv_change {
	GD_KV_CHANGE_SET = 1,      /* KEY was created or given a new value */
	GD_KV_CHANGE_DEL = 2,      /* KEY was deleted */
	GD_KV_CHANGE_OVERFLOW = 3  /* DROPPED events were lost: re-read */
};

#endif
