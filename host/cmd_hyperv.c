/*
 * hyperv-guid and hyperv-register: the Hyper-V service GUID of a vsock
 * port, and the PowerShell that registers it on the Windows host. Both run
 * locally on any platform; they need no agent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestctl.h"
#include "hvguid.h"

#define GC_HV_NAME_MAX 128
#define GC_HV_DEFAULT_NAME "guestd"

static int parse_port(const char *s, uint32_t *port)
{
	char *end;
	unsigned long long v;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > 0xffffffffull)
		return -1;
	*port = (uint32_t)v;
	return 0;
}

static int port_arg(const char *cmd, int argc, char **argv, int max_args,
		    uint32_t *port)
{
	if (argc < 2 || argc > max_args) {
		fprintf(stderr, "usage: guestctl %s PORT%s\n", cmd,
			max_args > 2 ? " [NAME]" : "");
		return GC_EXIT_USAGE;
	}
	if (parse_port(argv[1], port)) {
		fprintf(stderr, "guestctl %s: '%s' is not a port (0..4294967295)\n",
			cmd, argv[1]);
		return GC_EXIT_USAGE;
	}
	return GC_EXIT_OK;
}

static int hyperv_guid(struct gc_ctx *ctx, int argc, char **argv)
{
	struct gd_guid g;
	char text[GD_GUID_STR_SIZE];
	uint32_t port;
	int r = port_arg("hyperv-guid", argc, argv, 2, &port);

	if (r)
		return r;
	gd_guid_from_vsock_port(port, &g);
	gd_guid_format(&g, text);
	if (ctx->json)
		printf("{\"command\":\"hyperv-guid\",\"ok\":true,\"port\":%u,"
		       "\"service_guid\":\"%s\"}\n", port, text);
	else
		printf("%s\n", text);
	return GC_EXIT_OK;
}

/* ElementName goes into a single-quoted PowerShell string: ' doubles. */
static int check_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > GC_HV_NAME_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return -1;
	return 0;
}

static void print_quoted(const char *s)
{
	putchar('\'');
	for (; *s; s++) {
		if (*s == '\'')
			putchar('\'');
		putchar(*s);
	}
	putchar('\'');
}

static int hyperv_register(struct gc_ctx *ctx, int argc, char **argv)
{
	const char *name = argc > 2 ? argv[2] : GC_HV_DEFAULT_NAME;
	struct gd_guid g;
	char text[GD_GUID_STR_SIZE];
	uint32_t port;
	int r = port_arg("hyperv-register", argc, argv, 3, &port);

	(void)ctx;
	if (r)
		return r;
	if (check_name(name)) {
		fprintf(stderr, "guestctl hyperv-register: NAME must be 1..%d "
			"printable characters\n", GC_HV_NAME_MAX);
		return GC_EXIT_USAGE;
	}
	gd_guid_from_vsock_port(port, &g);
	gd_guid_format(&g, text);
	printf("# Run once, as Administrator, on the Hyper-V host: registers the\n"
	       "# service GUID of AF_VSOCK port %u so hosts can connect to it.\n",
	       port);
	printf("$services = 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\"
	       "CurrentVersion\\Virtualization\\GuestCommunicationServices'\n");
	printf("$service = New-Item -Path $services -Name '%s' -Force\n", text);
	printf("$service.SetValue('ElementName', ");
	print_quoted(name);
	printf(")\n");
	return GC_EXIT_OK;
}

const struct gc_cmd gc_cmd_hyperv_guid = {
	.name = "hyperv-guid",
	.usage = "hyperv-guid PORT      Hyper-V service GUID of a vsock port",
	.local = hyperv_guid,
};

const struct gc_cmd gc_cmd_hyperv_register = {
	.name = "hyperv-register",
	.usage = "hyperv-register PORT [NAME]  PowerShell registering that service",
	.local = hyperv_register,
};
