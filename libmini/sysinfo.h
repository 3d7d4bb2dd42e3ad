/*
 * Facts about the running system, read from the kernel without allocating:
 * clocks in nanoseconds, boot id, os-release PRETTY_NAME.
 */
#ifndef GD_SYSINFO_H
#define GD_SYSINFO_H

#include <stddef.h>
#include <stdint.h>

#define GD_BOOT_ID_LEN 36

/* clock_gettime(clk) in ns; 0 if the clock is unavailable. */
uint64_t gd_clock_ns(int clk);
/* Read a small file into buf[cap] (NUL-terminated); bytes read or -1. */
long gd_read_small_file(const char *path, char *buf, size_t cap);
/* Boot id without newline into out[GD_BOOT_ID_LEN + 1]; -1 if unknown. */
int gd_boot_id(char *out, size_t cap);
/*
 * PRETTY_NAME from os-release text (quotes and escapes removed) into
 * out[cap]; -1 when the key is absent.
 */
int gd_os_release_pretty(const char *text, char *out, size_t cap);
/* Same, reading /etc/os-release then /usr/lib/os-release. */
int gd_os_pretty_name(char *out, size_t cap);

#endif
