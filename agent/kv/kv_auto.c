/*
 * The auto pool: facts guestd reads from the system. Refreshed at start
 * and whenever the pool is read or watched; a refresh that changes a key
 * announces it like any change (uptime excepted: it always changes).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>

#include "agent.h"
#include "kv.h"
#include "netaddr.h"
#include "osrelease.h"
#include "sysinfo.h"

#define GD_KV_AUTO_ADDRS 256 /* addresses kept per refresh */
#define UPTIME_KEY "uptime.seconds"

struct addr_list {
	int n;
	struct gd_netaddr v[GD_KV_AUTO_ADDRS];
};

static uint8_t nlbuf[GD_NETADDR_BUF_MIN];
static struct addr_list addrs;

static void put(struct gd_agent *a, const char *key, const char *val)
{
	struct gd_kv_table *t = &a->kv->pools[GD_KV_POOL_AUTO];
	struct gd_kv_entry e;
	size_t klen = strlen(key), vlen = strlen(val);

	if (vlen > GD_KV_VALUE_MAX)
		vlen = GD_KV_VALUE_MAX;
	if (gd_kv_get(t, key, klen, &e) == GD_S_OK && e.vlen == vlen &&
	    memcmp(e.value, val, vlen) == 0)
		return;
	if (gd_kv_set(t, key, klen, val, vlen, NULL) != GD_S_OK) {
		gd_logf(&a->log, GD_LOG_DEBUG, "kv: auto pool: no room for %s",
			key);
		return;
	}
	if (a->kv->auto_filled && strcmp(key, UPTIME_KEY) != 0)
		gd_kv_announce(a, NULL, GD_KV_POOL_AUTO, key, klen,
			       GD_KV_CHANGE_SET);
}

static void put_os(struct gd_agent *a)
{
	static char text[GD_OS_RELEASE_MAX];
	char v[256];

	if (gd_os_release_read(text, sizeof text) < 0)
		text[0] = '\0';
	put(a, "os.name", gd_os_release_get(text, "PRETTY_NAME", v, sizeof v)
				 ? "Linux" : v);
	put(a, "os.id", gd_os_release_get(text, "ID", v, sizeof v) ? "linux" : v);
	put(a, "os.version",
	    gd_os_release_get(text, "VERSION_ID", v, sizeof v) ? "" : v);
}

static void put_facts(struct gd_agent *a)
{
	struct utsname u;
	char v[64];

	if (uname(&u))
		memset(&u, 0, sizeof u);
	put(a, "hostname", u.nodename);
	put(a, "kernel.release", u.release);
	put(a, "kernel.version", u.version);
	put(a, "arch", u.machine);
	put(a, "agent.version", GD_AGENT_VERSION);
	put_os(a);
	if (gd_boot_id(v, sizeof v) == 0)
		put(a, "boot.id", v);
	snprintf(v, sizeof v, "%llu",
		 (unsigned long long)(gd_clock_ns(CLOCK_BOOTTIME) / 1000000000u));
	put(a, UPTIME_KEY, v);
	put(a, "workload.state", gd_kv_workload_state(a));
	gd_kv_workload_exit(a, v, sizeof v);
	put(a, "workload.exit-status", v);
}

static void collect(void *ctx, const struct gd_netaddr *na)
{
	struct addr_list *l = ctx;

	if (l->n < GD_KV_AUTO_ADDRS)
		l->v[l->n++] = *na;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "ipv4" : "ipv6";
}

/* "a/n,b/m" for one interface and family; addresses that do not fit are left out. */
static void join(const struct addr_list *l, const char *ifname, int family,
		 char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < l->n; i++) {
		size_t n = strlen(l->v[i].text);

		if (l->v[i].family != family || strcmp(l->v[i].ifname, ifname))
			continue;
		if (len + n + 2 > cap)
			break;
		if (len)
			out[len++] = ',';
		memcpy(out + len, l->v[i].text, n + 1);
		len += n;
	}
}

/* Is key "net.IF.ipv4|ipv6" for an interface and family seen in this dump? */
static int net_key_current(const struct addr_list *l, const char *key,
			   size_t klen)
{
	for (int i = 0; i < l->n; i++) {
		char want[GD_KV_KEY_MAX];
		int n = snprintf(want, sizeof want, "net.%s.%s", l->v[i].ifname,
				 family_name(l->v[i].family));

		if ((size_t)n == klen && memcmp(want, key, klen) == 0)
			return 1;
	}
	return 0;
}

static void drop_gone_interfaces(struct gd_agent *a)
{
	struct gd_kv_table *t = &a->kv->pools[GD_KV_POOL_AUTO];
	struct gd_kv_entry e;
	uint32_t cursor = 0;

	while (gd_kv_next(t, &cursor, &e)) {
		char key[GD_KV_KEY_MAX];
		size_t klen = e.klen;

		if (klen < 4 || memcmp(e.key, "net.", 4) != 0 ||
		    net_key_current(&addrs, e.key, klen))
			continue;
		memcpy(key, e.key, klen);
		gd_kv_del(t, key, klen, NULL);
		if (a->kv->auto_filled)
			gd_kv_announce(a, NULL, GD_KV_POOL_AUTO, key, klen,
				       GD_KV_CHANGE_DEL);
	}
}

static void put_addresses(struct gd_agent *a)
{
	static char val[GD_KV_VALUE_MAX + 1];

	addrs.n = 0;
	if (gd_netaddr_dump(collect, &addrs, nlbuf, sizeof nlbuf,
			    GD_KV_NETLINK_TIMEOUT_MS) < 0) {
		gd_logf(&a->log, GD_LOG_WARN, "kv: interface addresses: %s",
			strerror(errno));
		return; /* keep what the pool had */
	}
	for (int i = 0; i < addrs.n; i++) {
		const struct gd_netaddr *na = &addrs.v[i];
		char key[GD_KV_KEY_MAX];

		snprintf(key, sizeof key, "net.%s.%s", na->ifname,
			 family_name(na->family));
		join(&addrs, na->ifname, na->family, val, sizeof val);
		put(a, key, val);
	}
	drop_gone_interfaces(a);
}

/*
 * The first refresh (the first read or watch of the pool, not start-up:
 * kv_pools.c) fills the pool without announcing: nobody could have seen
 * it empty, so its keys are the baseline changes are told against.
 */
void gd_kv_auto_refresh(struct gd_agent *a)
{
	put_facts(a);
	put_addresses(a);
	a->kv->auto_filled = 1;
}
