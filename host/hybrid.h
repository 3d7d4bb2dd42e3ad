/*
 * Hybrid vsock handshake, as Firecracker and Cloud Hypervisor expose a
 * guest's vsock on the host (their docs/vsock.md): connect to the VM's
 * unix socket, send "CONNECT <port>\n", read "OK <host-side port>\n",
 * then the stream belongs to the guest's listener on <port>. When nothing
 * listens on the port, the relay closes the connection without a word.
 *
 * guestctl accepts exactly "OK", one space, 1..10 decimal digits whose
 * value fits in 32 bits and "\n" (at most GC_HYBRID_REPLY_MAX bytes);
 * anything else is refused with the relay's words quoted in r->error.
 */
#ifndef GC_HYBRID_H
#define GC_HYBRID_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define GC_HYBRID_REPLY_MAX 14 /* "OK 4294967295\n" */

enum gc_hybrid_result {
	GC_HY_MORE = 0,   /* keep reading */
	GC_HY_OK = 1,     /* answer consumed; the protocol may start */
	GC_HY_FAIL = -1   /* r->error says why; *code the exit code */
};

/* Queue "CONNECT <port>\n" for r's target on r->out. */
void gc_hybrid_begin(struct gc_run *r);
/*
 * Read from r->fd into r->hs_buf and judge the answer. Bytes after the
 * OK line already belong to the protocol: they go to r->dec.
 */
int gc_hybrid_read(struct gc_run *r, int *code);
/*
 * Judge buf[len]: GC_HY_OK with *line_len set, GC_HY_MORE for a prefix
 * of a valid answer, GC_HY_FAIL otherwise.
 */
int gc_hybrid_check(const uint8_t *buf, size_t len, size_t *line_len);

#endif
