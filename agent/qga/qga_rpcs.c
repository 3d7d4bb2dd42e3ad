/*
 * qemu-ga's --allow-rpcs and --block-rpcs (-b) as the config keys
 * qga-allow-rpcs and qga-block-rpcs: a command is served when the allow
 * list is empty or names it, and the block list does not name it.
 */
#include <string.h>

#include "qga_ops.h"

static int listed(const char *list, const char *name)
{
	size_t pos = 0, n = strlen(name);
	const char *e;
	int len;

	while ((len = gd_cfg_list_next(list, &pos, &e)) >= 0)
		if ((size_t)len == n && memcmp(e, name, n) == 0)
			return 1;
	return 0;
}

int gd_qga_rpc_enabled(const struct gd_agent *a, const char *name)
{
	if (a->cfg.qga_allow_rpcs[0] && !listed(a->cfg.qga_allow_rpcs, name))
		return 0;
	return !listed(a->cfg.qga_block_rpcs, name);
}
