/*
 * GUIDs for Hyper-V sockets (AF_HYPERV) and their mapping to AF_VSOCK ports.
 *
 * A Windows host reaches a Linux guest's AF_VSOCK port through AF_HYPERV
 * with two GUIDs: the VM id and a service id. Linux's hv_sock transport
 * (net/vmw_vsock/hyperv_transport.c) only accepts service ids built from
 * the VSOCK template 00000000-facb-11e6-bd58-64006a7986d3 with Data1 set
 * to the port: port 2761 is 00000ac9-facb-11e6-bd58-64006a7986d3.
 *
 * struct gd_guid holds the four GUID fields as numbers, so it means the
 * same thing on every host. gd_guid_to_bytes()/gd_guid_from_bytes()
 * convert to and from the 16-byte in-memory layout of a Windows GUID
 * (Data1..Data3 little-endian, Data4 as is), which is what SOCKADDR_HV
 * carries on the wire.
 *
 * Nothing here allocates, prints or keeps state; every function is safe
 * to call from any thread. Pointers must be non-NULL unless stated.
 */
#ifndef GD_HVGUID_H
#define GD_HVGUID_H

#include <stddef.h>
#include <stdint.h>

struct gd_guid {
	uint32_t data1;
	uint16_t data2, data3;
	uint8_t data4[8];
};

/* Length of the canonical text form, without braces or NUL. */
#define GD_GUID_STR_LEN 36
/* Buffer size for gd_guid_format(): the text form plus its NUL. */
#define GD_GUID_STR_SIZE 37
/* Size of the Windows in-memory GUID layout. */
#define GD_GUID_BYTES 16

/*
 * Set *out to the VSOCK template with Data1 = port: the service GUID under
 * which a Linux guest's AF_VSOCK listener on that port is reached.
 */
void gd_guid_from_vsock_port(uint32_t port, struct gd_guid *out);

/*
 * If g equals the VSOCK template apart from Data1, store Data1 in *port
 * (when port is not NULL) and return 0. Otherwise return -1 and leave
 * *port alone.
 */
int gd_guid_to_vsock_port(const struct gd_guid *g, uint32_t *port);

/*
 * Write g as lowercase canonical text, 8-4-4-4-12 hex digits with dashes
 * and no braces, NUL-terminated, into out[GD_GUID_STR_SIZE]. Returns
 * GD_GUID_STR_LEN (36), the number of characters before the NUL.
 */
size_t gd_guid_format(const struct gd_guid *g, char out[GD_GUID_STR_SIZE]);

/*
 * Parse the NUL-terminated s: exactly 36 characters in the canonical
 * 8-4-4-4-12 form, or the same wrapped in one pair of braces ("{...}").
 * Hex digits may be either case. Anything else (spaces, missing or
 * misplaced dashes, other lengths, trailing characters) is refused.
 * Returns 0 and sets *out, or -1 with *out untouched. Reads at most 39
 * characters of s.
 */
int gd_guid_parse(const char *s, struct gd_guid *out);

/*
 * Like gd_guid_parse() on the first len characters of s, which need not
 * be NUL-terminated (for a GUID embedded in a longer argument).
 */
int gd_guid_parse_n(const char *s, size_t len, struct gd_guid *out);

/*
 * Store g into out[16] in the Windows in-memory GUID layout: Data1, Data2
 * and Data3 little-endian, then the eight Data4 bytes. memcpy() of these
 * bytes into a GUID (e.g. SOCKADDR_HV.VmId) gives the same GUID.
 */
void gd_guid_to_bytes(const struct gd_guid *g, uint8_t out[GD_GUID_BYTES]);

/* Inverse of gd_guid_to_bytes(). */
void gd_guid_from_bytes(const uint8_t in[GD_GUID_BYTES], struct gd_guid *out);

/* 1 if a and b are the same GUID, 0 otherwise. */
int gd_guid_equal(const struct gd_guid *a, const struct gd_guid *b);

/*
 * Hyper-V's well-known VM ids ("VMID wildcards"): HV_GUID_ZERO,
 * HV_GUID_WILDCARD, HV_GUID_BROADCAST, HV_GUID_CHILDREN, HV_GUID_LOOPBACK
 * and HV_GUID_PARENT, with the values of Microsoft's hvsocket.h.
 * HV_GUID_ZERO and HV_GUID_WILDCARD have the same value.
 *
 * gd_hv_wildcard_lookup() matches name against the full names, ignoring
 * ASCII case; it returns 0 and sets *out, or -1 with *out untouched.
 */
int gd_hv_wildcard_lookup(const char *name, struct gd_guid *out);

/* Number of entries in the wildcard table. */
size_t gd_hv_wildcard_count(void);

/*
 * Entry i (0 <= i < gd_hv_wildcard_count()) of the wildcard table, in a
 * fixed order: *name gets a static string (when name is not NULL) and
 * *out its GUID (when out is not NULL). Returns 0, or -1 if i is out of
 * range (nothing stored).
 */
int gd_hv_wildcard_at(size_t i, const char **name, struct gd_guid *out);

/*
 * Parse a host-side Hyper-V target "VMID[:PORT]" (guestctl --hyperv):
 * VMID is a GUID as gd_guid_parse() takes it, or a wildcard name;
 * PORT is 1 to 10 decimal digits, at most 4294967295. Without ":PORT",
 * *port gets default_port. Returns 0 and sets *vm and *port, or -1 with
 * both untouched.
 */
int gd_hv_target_parse(const char *s, uint32_t default_port,
	struct gd_guid *vm, uint32_t *port);

#endif
