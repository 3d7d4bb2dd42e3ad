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
#include "json_out.h"

#define GC_HV_NAME_MAX 128
#define GC_HV_DEFAULT_NAME "guestd"
#define GC_HV_SCRIPT_MAX 1024 /* the script with a NAME of GC_HV_NAME_MAX */

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

static void print_register_json(uint32_t port, const char *guid,
				const char *name, const char *script)
{
	static uint8_t storage[GC_HV_SCRIPT_MAX * 6 + 512];
	struct gd_buf b;
	struct gd_json j;

	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "command");
	gd_json_str(&j, "hyperv-register");
	gd_json_key(&j, "ok");
	gd_json_bool(&j, 1);
	gd_json_key(&j, "port");
	gd_json_u64(&j, port);
	gd_json_key(&j, "service_guid");
	gd_json_str(&j, guid);
	gd_json_key(&j, "name");
	gd_json_str(&j, name);
	gd_json_key(&j, "script");
	gd_json_str(&j, script);
	gd_json_obj_end(&j);
	if (gd_json_ok(&j))
		printf("%.*s\n", (int)b.len, (const char *)b.data);
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

/* Append s to out as a single-quoted PowerShell string. */
static size_t put_quoted(char *out, size_t len, size_t cap, const char *s)
{
	if (len + 1 < cap)
		out[len] = '\'';
	len++;
	for (; *s; s++) {
		if (*s == '\'' && len + 1 < cap)
			out[len++] = '\'';
		if (len + 1 < cap)
			out[len] = *s;
		len++;
	}
	if (len + 1 < cap)
		out[len] = '\'';
	len++;
	if (cap)
		out[len < cap ? len : cap - 1] = '\0';
	return len;
}

/* The registration script into out[cap]; its length (>= cap: cut short). */
static size_t register_script(char *out, size_t cap, uint32_t port,
			      const char *guid, const char *name)
{
	size_t len = (size_t)snprintf(out, cap,
		"# Run once, as Administrator, on the Hyper-V host: registers the\n"
		"# service GUID of AF_VSOCK port %u so hosts can connect to it.\n"
		"$services = 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\"
		"CurrentVersion\\Virtualization\\GuestCommunicationServices'\n"
		"$service = New-Item -Path $services -Name '%s' -Force\n"
		"$service.SetValue('ElementName', ", port, guid);

	len = put_quoted(out, len, cap, name);
	if (len < cap)
		len += (size_t)snprintf(out + len, cap - len, ")\n");
	return len;
}

static int hyperv_register(struct gc_ctx *ctx, int argc, char **argv)
{
	const char *name = argc > 2 ? argv[2] : GC_HV_DEFAULT_NAME;
	struct gd_guid g;
	char text[GD_GUID_STR_SIZE];
	char script[GC_HV_SCRIPT_MAX];
	uint32_t port;
	int r = port_arg("hyperv-register", argc, argv, 3, &port);

	if (r)
		return r;
	if (check_name(name)) {
		fprintf(stderr, "guestctl hyperv-register: NAME must be 1..%d "
			"printable characters\n", GC_HV_NAME_MAX);
		return GC_EXIT_USAGE;
	}
	gd_guid_from_vsock_port(port, &g);
	gd_guid_format(&g, text);
	if (register_script(script, sizeof script, port, text, name) >=
	    sizeof script)
		return GC_EXIT_USAGE; /* cannot happen: NAME is bounded */
	if (ctx->json)
		print_register_json(port, text, name, script);
	else
		fputs(script, stdout);
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
