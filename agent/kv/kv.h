/*
 * guestd's key-value exchange (docs/kv.md): three pools in static
 * tables, optional persistence, change events, the guest-local socket.
 *
 * Who may write: connections from the host transports (vsock, --unix)
 * write the host pool only; guest processes on the local socket write
 * the guest pool only; nobody writes the auto pool, which guestd fills.
 * Everyone reads every pool.
 *
 * A change is applied to the table, saved (when persistent) and only
 * then acknowledged and announced; a save that fails undoes the change.
 */
#ifndef GD_KV_H
#define GD_KV_H

#include <stddef.h>
#include <stdint.h>

#include "kvstore.h"
#include "kvtable.h"
#include "proto_kv.h"

#define GD_KV_AUTO_ENTRIES 256      /* auto pool slots (facts, addresses) */
#define GD_KV_MSG_MAX 256           /* a pool file problem */
#define GD_KV_ERR_MAX (GD_KV_MSG_MAX + 64) /* ... with what guestd did */
#define GD_KV_IOBUF 65536           /* staging for pool files */
#define GD_KV_NETLINK_TIMEOUT_MS 500
#define GD_KV_MAX_GROUPS 256        /* supplementary groups checked */

enum gd_kv_role {
	GD_KV_ROLE_HOST = 0,  /* vsock and --unix connections */
	GD_KV_ROLE_GUEST = 1  /* the guest-local socket */
};

struct gd_kv {
	struct gd_kv_table pools[GD_KV_NPOOLS];
	struct gd_kv_store stores[GD_KV_NPOOLS]; /* host, guest used */
	int dirfd;                   /* state dir; -1 keeps pools in memory */
	char store_error[GD_KV_ERR_MAX]; /* last persistence problem, or "" */
	int auto_filled; /* the auto pool had its first, silent, refresh */
};

struct gd_agent;
struct gd_conn;

/* kv_pools.c: storage, rules and applying changes. */
void gd_kv_start(struct gd_agent *a);
int gd_kv_pool_writable(int role, int pool, const char **why);
/* Set or delete and save; a GD_S_* status, with *why on failure. */
int gd_kv_apply_set(struct gd_agent *a, const struct gd_conn *origin, int pool,
		    const char *key, size_t klen, const void *val, size_t vlen,
		    const char **why);
int gd_kv_apply_del(struct gd_agent *a, const struct gd_conn *origin, int pool,
		    const char *key, size_t klen, const char **why);

/* kv_persist.c: the state directory. */
void gd_kv_persist_start(struct gd_agent *a);
int gd_kv_persistent(const struct gd_agent *a);
/* Save a pool if it is persistent; 0, or -1 with *why. */
int gd_kv_persist_save(struct gd_agent *a, int pool, const char **why);
/* 1 with *why when pool is persistent and filesystems are frozen. */
int gd_kv_persist_frozen(const struct gd_agent *a, int pool,
			 const char **why);

/*
 * KV_CHANGED to watchers, never blocking, never overflowing: the native
 * front end's (native/kv_events.c), since only it has watchers.
 */
void gd_kv_announce(struct gd_agent *a, const struct gd_conn *origin, int pool,
		    const char *key, size_t klen, int change);

/* kv_auto.c: refresh the auto pool from the system (the first time, on
 * the first read or watch, without announcing). */
void gd_kv_auto_refresh(struct gd_agent *a);

/* kv_workload.c: workload facts for the auto pool. */
const char *gd_kv_workload_state(const struct gd_agent *a);
void gd_kv_workload_exit(const struct gd_agent *a, char *out, size_t cap);

/* kv_cli.c: `guestd kv ...` (argv[0] is "kv"); returns the exit status. */
int gd_kv_cli(int argc, char **argv);

#endif
