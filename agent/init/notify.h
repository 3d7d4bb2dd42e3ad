/*
 * sd_notify to the host: "READY=1", "STATUS=...", "STOPPING=1",
 * "EXIT_STATUS=N" sent to the address in notify= (systemd's NOTIFY_SOCKET
 * forms for AF_VSOCK):
 *   vsock:CID:PORT            datagram, falling back to seqpacket
 *   vsock-dgram:CID:PORT      vsock-stream:CID:PORT   vsock-seqpacket:CID:PORT
 * so a host can wait for the guest instead of polling a port that is not
 * listening yet. Each message is one datagram, or one connection for the
 * connected types. Sending never blocks longer than GD_NOTIFY_TIMEOUT_MS.
 */
#ifndef GD_NOTIFY_H
#define GD_NOTIFY_H

#include <stdint.h>

#include "agent.h"

#define GD_NOTIFY_TIMEOUT_MS 200
#define GD_NOTIFY_MSG_MAX 512

struct gd_notify_addr {
	int type;       /* SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET; 0 = vsock: */
	uint32_t cid, port;
};

/* Parse a notify= value; 0 or -1 if malformed. */
int gd_notify_parse(const char *spec, struct gd_notify_addr *out);
/* Send one message if notify= is set; logs failures, never fatal. */
void gd_notify(struct gd_agent *a, const char *msg);

#endif
