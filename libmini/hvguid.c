/*
 * GUIDs for Hyper-V sockets: VSOCK port mapping, text form, Windows byte
 * layout and the VMID wildcard table. See hvguid.h.
 */
#include "hvguid.h"

/*
 * The VSOCK template, 00000000-facb-11e6-bd58-64006a7986d3.
 * Sources: Microsoft, "Make your own integration services" (Virtualization
 * docs, hyper-v-on-windows/user-guide/make-integration-service.md: "the
 * well-known GUID is used as the service template ... change the first
 * 00000000 to the port number desired. Ex: 00000ac9 is port 2761");
 * HV_GUID_VSOCK_TEMPLATE in hvsocket.h (Windows SDK, and mingw-w64's copy);
 * srv_id_template in Linux net/vmw_vsock/hyperv_transport.c.
 */
#define VSOCK_T_DATA2 0xfacbu
#define VSOCK_T_DATA3 0x11e6u
static const uint8_t vsock_t_data4[8] = {
	0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3
};

/*
 * VMID wildcards. Values as listed in the "VMID Wildcards" table of
 * Microsoft's "Make your own integration services" page and as defined by
 * DEFINE_GUID in hvsocket.h (Windows SDK; mingw-w64 10.0.0's
 * /usr/share/mingw-w64/include/hvsocket.h has the same values, with
 * "#define HV_GUID_WILDCARD HV_GUID_ZERO"):
 *   HV_GUID_ZERO      00000000-0000-0000-0000-000000000000
 *   HV_GUID_WILDCARD  00000000-0000-0000-0000-000000000000 (= HV_GUID_ZERO)
 *   HV_GUID_BROADCAST ffffffff-ffff-ffff-ffff-ffffffffffff
 *   HV_GUID_CHILDREN  90db8b89-0d35-4f79-8ce9-49ea0ac8b7cd
 *   HV_GUID_LOOPBACK  e0e16197-dd56-4a10-9195-5ee7a155a838
 *   HV_GUID_PARENT    a42e7cda-d03f-480c-9cc2-a4de20abb878
 * hvsocket.h also has HV_GUID_SILOHOST (containers) and
 * HV_GUID_VSOCK_TEMPLATE; neither is a VMID wildcard in the docs, so
 * neither is in this table.
 */
struct wildcard {
	char name[18]; /* longest is "HV_GUID_BROADCAST", 17 + NUL */
	struct gd_guid guid;
};

static const struct wildcard wildcards[] = {
	{ "HV_GUID_ZERO",
	  { 0x00000000u, 0x0000u, 0x0000u,
	    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 } } },
	{ "HV_GUID_WILDCARD",
	  { 0x00000000u, 0x0000u, 0x0000u,
	    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 } } },
	{ "HV_GUID_BROADCAST",
	  { 0xffffffffu, 0xffffu, 0xffffu,
	    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } } },
	{ "HV_GUID_CHILDREN",
	  { 0x90db8b89u, 0x0d35u, 0x4f79u,
	    { 0x8c, 0xe9, 0x49, 0xea, 0x0a, 0xc8, 0xb7, 0xcd } } },
	{ "HV_GUID_LOOPBACK",
	  { 0xe0e16197u, 0xdd56u, 0x4a10u,
	    { 0x91, 0x95, 0x5e, 0xe7, 0xa1, 0x55, 0xa8, 0x38 } } },
	{ "HV_GUID_PARENT",
	  { 0xa42e7cdau, 0xd03fu, 0x480cu,
	    { 0x9c, 0xc2, 0xa4, 0xde, 0x20, 0xab, 0xb8, 0x78 } } },
};

#define N_WILDCARDS (sizeof wildcards / sizeof wildcards[0])

static void
copy8(uint8_t *dst, const uint8_t *src)
{
	size_t i;

	for (i = 0; i < 8; i++)
		dst[i] = src[i];
}

void
gd_guid_from_vsock_port(uint32_t port, struct gd_guid *out)
{
	out->data1 = port;
	out->data2 = VSOCK_T_DATA2;
	out->data3 = VSOCK_T_DATA3;
	copy8(out->data4, vsock_t_data4);
}

int
gd_guid_to_vsock_port(const struct gd_guid *g, uint32_t *port)
{
	size_t i;

	if (g->data2 != VSOCK_T_DATA2 || g->data3 != VSOCK_T_DATA3)
		return -1;
	for (i = 0; i < 8; i++)
		if (g->data4[i] != vsock_t_data4[i])
			return -1;
	if (port != NULL)
		*port = g->data1;
	return 0;
}

static const char hexdig[] = "0123456789abcdef";

static char *
put_hex(char *p, uint32_t v, unsigned ndig)
{
	while (ndig-- > 0)
		*p++ = hexdig[(v >> (ndig * 4)) & 0xf];
	return p;
}

size_t
gd_guid_format(const struct gd_guid *g, char out[GD_GUID_STR_SIZE])
{
	char *p = out;
	unsigned i;

	p = put_hex(p, g->data1, 8);
	*p++ = '-';
	p = put_hex(p, g->data2, 4);
	*p++ = '-';
	p = put_hex(p, g->data3, 4);
	*p++ = '-';
	p = put_hex(p, g->data4[0], 2);
	p = put_hex(p, g->data4[1], 2);
	*p++ = '-';
	for (i = 2; i < 8; i++)
		p = put_hex(p, g->data4[i], 2);
	*p = '\0';
	return (size_t)(p - out);
}

/* Value of hex digit c, or -1. ASCII only, no locale. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse exactly the 36-character canonical form at s. */
static int
parse36(const char *s, struct gd_guid *out)
{
	uint8_t b[16];
	unsigned i, nb = 0;

	for (i = 0; i < GD_GUID_STR_LEN; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			i++;
			continue;
		}
		/* Dash positions are all even, so digits pair up. */
		hi = hexval(s[i]);
		lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		b[nb++] = (uint8_t)((hi << 4) | lo);
		i += 2;
	}
	/* b is big-endian text order here, not the Windows layout. */
	out->data1 = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16)
		| ((uint32_t)b[2] << 8) | b[3];
	out->data2 = (uint16_t)((b[4] << 8) | b[5]);
	out->data3 = (uint16_t)((b[6] << 8) | b[7]);
	copy8(out->data4, b + 8);
	return 0;
}

int
gd_guid_parse_n(const char *s, size_t len, struct gd_guid *out)
{
	if (len == GD_GUID_STR_LEN)
		return parse36(s, out);
	if (len == GD_GUID_STR_LEN + 2 && s[0] == '{'
		&& s[GD_GUID_STR_LEN + 1] == '}')
		return parse36(s + 1, out);
	return -1;
}

int
gd_guid_parse(const char *s, struct gd_guid *out)
{
	size_t len = 0;

	/* Bounded strlen: anything past 38 characters is refused anyway. */
	while (len <= GD_GUID_STR_LEN + 2 && s[len] != '\0')
		len++;
	return gd_guid_parse_n(s, len, out);
}

void
gd_guid_to_bytes(const struct gd_guid *g, uint8_t out[GD_GUID_BYTES])
{
	out[0] = (uint8_t)g->data1;
	out[1] = (uint8_t)(g->data1 >> 8);
	out[2] = (uint8_t)(g->data1 >> 16);
	out[3] = (uint8_t)(g->data1 >> 24);
	out[4] = (uint8_t)g->data2;
	out[5] = (uint8_t)(g->data2 >> 8);
	out[6] = (uint8_t)g->data3;
	out[7] = (uint8_t)(g->data3 >> 8);
	copy8(out + 8, g->data4);
}

void
gd_guid_from_bytes(const uint8_t in[GD_GUID_BYTES], struct gd_guid *out)
{
	out->data1 = (uint32_t)in[0] | ((uint32_t)in[1] << 8)
		| ((uint32_t)in[2] << 16) | ((uint32_t)in[3] << 24);
	out->data2 = (uint16_t)(in[4] | (in[5] << 8));
	out->data3 = (uint16_t)(in[6] | (in[7] << 8));
	copy8(out->data4, in + 8);
}

int
gd_guid_equal(const struct gd_guid *a, const struct gd_guid *b)
{
	size_t i;

	if (a->data1 != b->data1 || a->data2 != b->data2
		|| a->data3 != b->data3)
		return 0;
	for (i = 0; i < 8; i++)
		if (a->data4[i] != b->data4[i])
			return 0;
	return 1;
}

static char
ascii_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* Look up the first len characters of name, ignoring ASCII case. */
static int
wildcard_lookup_n(const char *name, size_t len, struct gd_guid *out)
{
	size_t i, j;

	for (i = 0; i < N_WILDCARDS; i++) {
		const char *w = wildcards[i].name;

		for (j = 0; j < len && w[j] != '\0'; j++)
			if (ascii_upper(name[j]) != w[j])
				break;
		if (j == len && w[j] == '\0') {
			*out = wildcards[i].guid;
			return 0;
		}
	}
	return -1;
}

int
gd_hv_wildcard_lookup(const char *name, struct gd_guid *out)
{
	size_t len = 0;

	/* Longest name is 17 characters; stop counting soon after. */
	while (len < 32 && name[len] != '\0')
		len++;
	return wildcard_lookup_n(name, len, out);
}

size_t
gd_hv_wildcard_count(void)
{
	return N_WILDCARDS;
}

int
gd_hv_wildcard_at(size_t i, const char **name, struct gd_guid *out)
{
	if (i >= N_WILDCARDS)
		return -1;
	if (name != NULL)
		*name = wildcards[i].name;
	if (out != NULL)
		*out = wildcards[i].guid;
	return 0;
}

int
gd_hv_target_parse(const char *s, uint32_t default_port,
	struct gd_guid *vm, uint32_t *port)
{
	struct gd_guid g;
	uint32_t p = default_port;
	size_t n = 0;

	/* Bounded: the longest valid VMID is a braced GUID (38 chars). */
	while (n <= GD_GUID_STR_LEN + 2 && s[n] != '\0' && s[n] != ':')
		n++;
	if (gd_guid_parse_n(s, n, &g) != 0
		&& wildcard_lookup_n(s, n, &g) != 0)
		return -1;
	if (s[n] == ':') {
		const char *d = s + n + 1;
		uint64_t v = 0;
		size_t k;

		for (k = 0; d[k] >= '0' && d[k] <= '9'; k++) {
			if (k == 10)
				return -1;
			v = v * 10 + (uint64_t)(d[k] - '0');
		}
		if (k == 0 || d[k] != '\0' || v > 0xffffffffu)
			return -1;
		p = (uint32_t)v;
	} else if (s[n] != '\0') {
		return -1;
	}
	*vm = g;
	*port = p;
	return 0;
}
