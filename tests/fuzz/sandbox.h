/*
 * The request fuzzer runs guestd's real services as root on a shared
 * machine, so a handler that powers off, sets the clock or signals every
 * process must not reach the kernel. gd_fuzz_sandbox() installs a seccomp
 * filter that fails those system calls with EPERM, proves it works with
 * harmless probes, and aborts if it cannot. libFuzzer's -merge=1 parent
 * only starts children (which run the inputs, sandboxed): it is left alone
 * so that it can exec them.
 */
#ifndef GD_FUZZ_SANDBOX_H
#define GD_FUZZ_SANDBOX_H

void gd_fuzz_sandbox(int argc, char **argv);

#endif
