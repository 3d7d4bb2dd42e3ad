/*
 * Where guestctl connects: a unix socket path, an AF_VSOCK CID:PORT, or a
 * hybrid vsock (Firecracker / Cloud Hypervisor: a unix socket on the host
 * that forwards to a guest vsock port after "CONNECT <port>\n"), parsed
 * from the same text forms the flags take.
 */
#ifndef GC_TARGET_H
#define GC_TARGET_H

#include <stdint.h>

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

enum gc_target_kind { GC_T_UNIX, GC_T_VSOCK, GC_T_HYBRID };

#define GC_TARGET_DESC_MAX 140

struct gc_target {
	enum gc_target_kind kind;
	char path[108];
	uint32_t cid, port;
	char desc[GC_TARGET_DESC_MAX]; /* "unix:/run/x.sock", "vsock:3:2761" */
	/* GC_T_HYBRID uses path (the relay's socket) and port (guest port). */
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
/* Parse "unix:PATH", "vsock:CID[:PORT]" or "hybrid:PATH[:PORT]". */
int gc_target_parse(struct gc_target *t, const char *text);
/*
 * Start a non-blocking connect to t. Returns the fd (connection may still
 * be in progress: wait for POLLOUT and check SO_ERROR), or -1 with errno.
 */
int gc_target_connect(const struct gc_target *t);

#endif
