/*
 * Signal names and numbers as users write them: TERM, SIGTERM, 15,
 * RTMIN+3, SIGRTMIN+3. Real-time signals count from the kernel's first
 * one as systemd and `kill -RTMIN+4 1` do (34; musl's SIGRTMIN is 35
 * because musl keeps three for itself).
 */
#ifndef GD_SIGNAME_H
#define GD_SIGNAME_H

#include <stddef.h>

#define GD_SIG_RTMIN 34  /* the kernel's first real-time signal */
#define GD_SIG_LAST 64   /* the kernel's last signal on every Linux arch */

/* "SIGTERM", "SIGRTMIN+3" or "signal N" (written to buf[cap] if needed). */
const char *gd_sig_name(int sig, char *buf, size_t cap);
/* 1..GD_SIG_LAST for a name or number; -1 if it names no signal. */
int gd_sig_parse(const char *s, size_t len);

#endif
