#include "peer.h"

#include <stdio.h>
#include <string.h>

#include "config.h"

static int parse_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 0xffffffffu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int load_list(struct gd_peer_list *l, const char *name,
		     const char *text, char *err, size_t errcap)
{
	const char *entry;
	size_t pos = 0;
	int n;

	l->n = 0;
	while ((n = gd_cfg_list_next(text, &pos, &entry)) >= 0) {
		if (l->n == GD_PEER_LIST_MAX) {
			snprintf(err, errcap, "%s: more than %d entries", name,
				 GD_PEER_LIST_MAX);
			return -1;
		}
		if (parse_u32(entry, (size_t)n, &l->v[l->n])) {
			snprintf(err, errcap, "%s: '%.*s' is not a number",
				 name, n > 32 ? 32 : n, entry);
			return -1;
		}
		l->n++;
	}
	return 0;
}

int gd_peer_policy_load(struct gd_peer_policy *p, const char *cids,
			const char *uids, const char *gids, char *err,
			size_t errcap)
{
	memset(p, 0, sizeof *p);
	if (load_list(&p->cids, "allow-cid", cids, err, errcap) ||
	    load_list(&p->uids, "allow-uid", uids, err, errcap) ||
	    load_list(&p->gids, "allow-gid", gids, err, errcap))
		return -1;
	return 0;
}

static int listed(const struct gd_peer_list *l, uint32_t v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

int gd_peer_cid_allowed(const struct gd_peer_policy *p, uint32_t cid)
{
	return cid == GD_PEER_CID_HOST || listed(&p->cids, cid);
}

int gd_peer_cred_allowed(const struct gd_peer_policy *p, uint32_t uid,
			 uint32_t gid)
{
	return uid == 0 || listed(&p->uids, uid) || listed(&p->gids, gid);
}
