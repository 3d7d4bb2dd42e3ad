/*
 * Where guestctl connects: a unix socket path, an AF_VSOCK CID:PORT, a
 * hybrid vsock (Firecracker / Cloud Hypervisor: a unix socket on the host
 * that forwards to a guest vsock port after "CONNECT <port>\n"), or a
 * Hyper-V socket (AF_HYPERV, Windows hosts: VM id and the service GUID of
 * a guest vsock port), parsed from the same text forms the flags take.
 * Parsing is the same everywhere; which kinds connect depends on the
 * platform (gc_target_unavailable).
 */
#ifndef GC_TARGET_H
#define GC_TARGET_H

#include <stdint.h>

#include "hvguid.h"
#include "proto.h"

/* guestctl exit codes (README and docs/guestctl-json.md list them). */
enum gc_exit {
	GC_EXIT_OK = 0,
	GC_EXIT_AGENT = 1,    /* the agent answered with an error status */
	GC_EXIT_USAGE = 2,
	GC_EXIT_CONNECT = 3,  /* could not reach the agent */
	GC_EXIT_TIMEOUT = 4,
	GC_EXIT_PROTOCOL = 5, /* the peer broke the protocol or hung up */
	GC_EXIT_SOME_FAILED = 6 /* several targets, one or more failed */
};

enum gc_target_kind { GC_T_UNIX, GC_T_VSOCK, GC_T_HYBRID, GC_T_HYPERV };

#define GC_TARGET_DESC_MAX 140

struct gc_target {
	enum gc_target_kind kind;
	char path[108];
	uint32_t cid, port;
	char desc[GC_TARGET_DESC_MAX]; /* "unix:/run/x.sock", "vsock:3:2761" */
	/* GC_T_HYBRID uses path (the relay's socket) and port (guest port). */
	struct gd_guid hv_vm; /* GC_T_HYPERV: the VM id; port is the guest's */
};

/* Parse "PATH" for unix, "CID[:PORT]" for vsock into t; -1 if malformed. */
int gc_target_unix(struct gc_target *t, const char *path);
int gc_target_vsock(struct gc_target *t, const char *spec);
/*
 * Parse "PATH[:PORT]" for a hybrid vsock relay socket (port 2761 when
 * absent). The text after the last ':' is the port only when it is all
 * digits, so paths with ':' still work.
 */
int gc_target_hybrid(struct gc_target *t, const char *spec);
/*
 * Parse "VMID[:PORT]" for a Hyper-V socket (gd_hv_target_parse: VMID a
 * GUID or an HV_GUID_* name, PORT 2761 when absent).
 */
int gc_target_hyperv(struct gc_target *t, const char *spec);
/*
 * Parse "unix:PATH", "vsock:CID[:PORT]", "hybrid:PATH[:PORT]" or
 * "hyperv:VMID[:PORT]".
 */
int gc_target_parse(struct gc_target *t, const char *text);

/*
 * The platform's side (connect.c on Linux, connect_win.c on Windows).
 * gc_target_unavailable: NULL when this build can reach t's kind, else a
 * one-line reason naming the transport to use instead.
 */
const char *gc_target_unavailable(const struct gc_target *t);
/*
 * Start a non-blocking connect to t. Returns the socket (connection may
 * still be in progress: wait for POLLOUT and check gc_sock_error), or -1
 * with errno.
 */
int gc_target_connect(const struct gc_target *t);

#endif
