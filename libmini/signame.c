#include "signame.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

struct sig_name {
	int sig;
	const char *name; /* without "SIG" */
};

static const struct sig_name names[] = {
	{ SIGHUP, "HUP" },     { SIGINT, "INT" },       { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" },     { SIGTRAP, "TRAP" },     { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" },     { SIGFPE, "FPE" },       { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" },   { SIGSEGV, "SEGV" },     { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" },   { SIGALRM, "ALRM" },     { SIGTERM, "TERM" },
	{ SIGSTKFLT, "STKFLT" }, { SIGCHLD, "CHLD" },   { SIGCONT, "CONT" },
	{ SIGSTOP, "STOP" },   { SIGTSTP, "TSTP" },     { SIGTTIN, "TTIN" },
	{ SIGTTOU, "TTOU" },   { SIGURG, "URG" },       { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" },   { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" },
	{ SIGWINCH, "WINCH" }, { SIGIO, "IO" },         { SIGPWR, "PWR" },
	{ SIGSYS, "SYS" },
};

#define NNAMES (sizeof names / sizeof names[0])

const char *gd_sig_name(int sig, char *buf, size_t cap)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (names[i].sig == sig) {
			snprintf(buf, cap, "SIG%s", names[i].name);
			return buf;
		}
	if (sig >= GD_SIG_RTMIN && sig <= GD_SIG_LAST)
		snprintf(buf, cap, "SIGRTMIN+%d", sig - GD_SIG_RTMIN);
	else
		snprintf(buf, cap, "signal %d", sig);
	return buf;
}

/* A decimal number in [lo, hi] filling s[len]; -1 otherwise. */
static int small_number(const char *s, size_t len, int lo, int hi)
{
	int n = 0;

	if (len == 0 || len > 3)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n >= lo && n <= hi ? n : -1;
}

int gd_sig_parse(const char *s, size_t len)
{
	int n = small_number(s, len, 1, GD_SIG_LAST);

	if (n > 0)
		return n;
	if (len > 3 && memcmp(s, "SIG", 3) == 0) {
		s += 3;
		len -= 3;
	}
	if (len == 5 && memcmp(s, "RTMIN", 5) == 0)
		return GD_SIG_RTMIN;
	if (len > 6 && memcmp(s, "RTMIN+", 6) == 0) {
		n = small_number(s + 6, len - 6, 0, GD_SIG_LAST - GD_SIG_RTMIN);
		return n < 0 ? -1 : GD_SIG_RTMIN + n;
	}
	for (size_t i = 0; i < NNAMES; i++)
		if (strlen(names[i].name) == len &&
		    memcmp(names[i].name, s, len) == 0)
			return names[i].sig;
	return -1;
}
