#include "procscan.h"
#include "dirscan.h"
#include "sysinfo.h"

#include <stdio.h>
#include <string.h>

/* A decimal after spaces at *s; advances *s. 0 or -1. */
static int next_number(const char **s, const char *end, long *out)
{
	const char *p = *s;
	int neg = 0;
	long v = 0;

	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	while (p < end && *p >= '0' && *p <= '9' && v < 0x7fffffffL)
		v = v * 10 + (*p++ - '0');
	*s = p;
	*out = neg ? -v : v;
	return 0;
}

int gd_proc_stat_parse(const char *text, size_t len, struct gd_proc *p)
{
	const char *end = text + len, *s = text, *close = NULL;
	long pid, ppid, pgid;

	for (const char *q = text; q < end; q++)
		if (*q == ')')
			close = q;
	if (next_number(&s, end, &pid) || !close || close + 3 >= end ||
	    close[1] != ' ')
		return -1;
	s = close + 3; /* ") S" */
	if (next_number(&s, end, &ppid) || next_number(&s, end, &pgid))
		return -1;
	p->pid = (pid_t)pid;
	p->ppid = (pid_t)ppid;
	p->pgid = (pid_t)pgid;
	p->state = close[2];
	return 0;
}

static int read_one(const char *proc, long pid, struct gd_proc *p)
{
	char path[64], text[GD_PROC_STAT_MAX];
	long n;

	snprintf(path, sizeof path, "%s/%ld/stat", proc, pid);
	n = gd_read_small_file(path, text, sizeof text);
	return n <= 0 ? -1 : gd_proc_stat_parse(text, (size_t)n, p);
}

int gd_proc_scan(const char *proc, struct gd_proc *tab, int cap)
{
	struct gd_dirscan d;
	const char *name;
	int n = 0;

	if (gd_dir_open(&d, proc))
		return -1;
	while (n < cap && (name = gd_dir_next(&d))) {
		long pid = gd_dir_number(name);

		/* a process may end between the listing and the read */
		if (pid > 0 && read_one(proc, pid, &tab[n]) == 0)
			n++;
	}
	gd_dir_close(&d);
	return n;
}

static int is_marked(const struct gd_proc *tab, const char *mark, int n,
		     pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (mark[i] && tab[i].pid == pid)
			return 1;
	return 0;
}

int gd_proc_descendants(struct gd_proc *tab, int n, pid_t root)
{
	static char mark[GD_PROC_SCAN_MAX];
	int changed = 1, kept = 0;

	if (n > GD_PROC_SCAN_MAX)
		n = GD_PROC_SCAN_MAX;
	memset(mark, 0, (size_t)n);
	/* a pass per generation: a child is marked once its parent is */
	while (changed) {
		changed = 0;
		for (int i = 0; i < n; i++)
			if (!mark[i] && (tab[i].ppid == root ||
			    is_marked(tab, mark, n, tab[i].ppid))) {
				mark[i] = 1;
				changed = 1;
			}
	}
	for (int i = 0; i < n; i++)
		if (mark[i])
			tab[kept++] = tab[i];
	return kept;
}
