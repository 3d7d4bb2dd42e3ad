/*
 * notify-listen on Windows: it listens on AF_VSOCK (cmd_notify.c), which
 * Windows lacks, so the command is listed but says so.
 */
#include <stdio.h>

#include "guestctl.h"

static int notify_listen_unavailable(struct gc_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	fprintf(stderr, "guestctl notify-listen: not available on Windows (it "
		"listens on AF_VSOCK, which Windows lacks)\n");
	return GC_EXIT_CONNECT;
}

const struct gc_cmd gc_cmd_notify_listen = {
	.name = "notify-listen",
	.usage = "notify-listen --port N [--type T] [--wait-for LINE]  wait for a guest's sd_notify (not on Windows)",
	.local = notify_listen_unavailable,
};
