/*
 * Who may connect: the peer policy guestd applies before reading a byte.
 *
 * AF_VSOCK: the host (VMADDR_CID_HOST, CID 2) always, plus the CIDs of
 * allow-cid. Unix sockets: root always, plus the uids of allow-uid and
 * the (effective, primary) gids of allow-gid, as SO_PEERCRED reports them.
 * Lists come from the config text ("\n"-joined decimal numbers).
 */
#ifndef GD_PEER_H
#define GD_PEER_H

#include <stddef.h>
#include <stdint.h>

#define GD_PEER_LIST_MAX 16 /* entries per allow-* list */
#define GD_PEER_CID_HOST 2  /* VMADDR_CID_HOST */

struct gd_peer_list {
	uint32_t v[GD_PEER_LIST_MAX];
	size_t n;
};

struct gd_peer_policy {
	struct gd_peer_list cids, uids, gids;
};

/*
 * Parse the three config lists into p. Returns 0, or -1 with the first
 * bad entry described in err (p then holds the entries before it).
 */
int gd_peer_policy_load(struct gd_peer_policy *p, const char *cids,
			const char *uids, const char *gids, char *err,
			size_t errcap);

/* Nonzero when a vsock peer with this CID may talk to guestd. */
int gd_peer_cid_allowed(const struct gd_peer_policy *p, uint32_t cid);
/* Nonzero when a unix peer with these credentials may. */
int gd_peer_cred_allowed(const struct gd_peer_policy *p, uint32_t uid,
			 uint32_t gid);

#endif
