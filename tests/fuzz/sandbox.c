#include "sandbox.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define X32_SYSCALL_BIT 0x40000000u

/* From the sanitizer runtime when there is one (not in release replays). */
void __sanitizer_symbolize_pc(void *pc, const char *fmt, char *out,
			      size_t cap) __attribute__((weak));

/* System calls that act on the machine rather than on guestd. */
static const unsigned denied[] = {
	SYS_reboot, SYS_kexec_load, SYS_kexec_file_load,
	SYS_clock_settime, SYS_clock_adjtime, SYS_settimeofday, SYS_adjtimex,
	SYS_kill, SYS_tkill, SYS_pidfd_send_signal, SYS_rt_sigqueueinfo,
	SYS_execve, SYS_execveat,
	SYS_sethostname, SYS_setdomainname,
	SYS_mount, SYS_umount2, SYS_pivot_root, SYS_chroot,
	SYS_swapon, SYS_swapoff,
	SYS_init_module, SYS_finit_module, SYS_delete_module,
};
#define NDENIED (sizeof denied / sizeof denied[0])

static void die(const char *why)
{
	fprintf(stderr, "fuzz sandbox: %s\n", why);
	abort();
}

/*
 * ioctls that act on the machine's filesystems: guest-fsfreeze-freeze and
 * guest-fstrim issue them, every agent file is linked into the targets,
 * and a fuzzer runs as root with this machine's mounts in view. None of
 * today's targets dispatches QGA commands; one that does stays harmless.
 */
static const unsigned denied_ioctls[] = { FIFREEZE, FITHAW, FITRIM };
#define NIOCTLS (sizeof denied_ioctls / sizeof denied_ioctls[0])

static void install(void)
{
	static struct sock_filter f[9 + NDENIED + NIOCTLS];
	size_t n = 0, deny = 8 + NDENIED + NIOCTLS; /* the EPERM return */
	struct sock_fprog prog;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, nr));
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
		X32_SYSCALL_BIT, (uint8_t)(deny - n - 1), 0);
	n++;
	for (size_t i = 0; i < NDENIED; i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			denied[i], (uint8_t)(deny - n - 1), 0);
	/* ioctl: its request number (the low word of args[1]) */
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		SYS_ioctl, 0, (uint8_t)(deny - 1 - n - 1));
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		offsetof(struct seccomp_data, args[1]));
	for (size_t i = 0; i < NIOCTLS; i++, n++)
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			denied_ioctls[i], (uint8_t)(deny - n - 1), 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		SECCOMP_RET_ERRNO | EPERM);
	if (n != sizeof f / sizeof f[0] || deny != n - 1)
		die("filter layout");
	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("PR_SET_NO_NEW_PRIVS failed");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		die("seccomp filter refused");
}

/*
 * Probes that do nothing without the filter: signal 0 checks a pid, and
 * reboot with bad magic numbers is EINVAL (EPERM only through the filter,
 * since we are root).
 */
static void prove(void)
{
	errno = 0;
	if (syscall(SYS_kill, getpid(), 0) != -1 || errno != EPERM)
		die("kill() is not blocked");
	errno = 0;
	if (syscall(SYS_reboot, 0, 0, 0, 0) != -1 || errno != EPERM)
		die("reboot() is not blocked");
	/* fd -1: EBADF without the filter, never a real filesystem */
	for (size_t i = 0; i < NIOCTLS; i++) {
		errno = 0;
		if (syscall(SYS_ioctl, -1, denied_ioctls[i], 0) != -1 ||
		    errno != EPERM)
			die("FIFREEZE, FITHAW or FITRIM is not blocked");
	}
	errno = 0;
	if (syscall(SYS_ioctl, -1, FIONREAD, 0) != -1 || errno != EBADF)
		die("other ioctls are blocked");
}

/*
 * The sanitizers start llvm-symbolizer on first use and keep it running;
 * start it now, since execve is denied from here on.
 */
static void start_symbolizer(void)
{
	if (__sanitizer_symbolize_pc) {
		char where[256];

		__sanitizer_symbolize_pc(__builtin_return_address(0), "%F",
					 where, sizeof where);
	}
}

static int merge_parent(int argc, char **argv)
{
	int merge = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-merge_inner=1") == 0)
			return 0;
		if (strcmp(argv[i], "-merge=1") == 0)
			merge = 1;
	}
	return merge;
}

void gd_fuzz_sandbox(int argc, char **argv)
{
	static int done;

	if (done || merge_parent(argc, argv))
		return;
	start_symbolizer();
	install();
	prove();
	done = 1;
}
