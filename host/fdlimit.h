/*
 * Open-file budget for a fleet: every target in flight holds one socket.
 * gc_fd_slots raises RLIMIT_NOFILE's soft limit to the hard limit when
 * `want` sockets would not fit, and returns how many fit (at least 1,
 * at most want), keeping GC_FD_RESERVE descriptors for everything else.
 */
#ifndef GC_FDLIMIT_H
#define GC_FDLIMIT_H

#include <stddef.h>

#define GC_FD_RESERVE 16

size_t gc_fd_slots(size_t want);

#endif
