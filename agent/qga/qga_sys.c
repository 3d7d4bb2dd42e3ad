/*
 * The guest's processors, load and memory blocks for QGA, read as
 * qemu-ga reads them: /sys/devices/system/cpu/cpuN/online,
 * /proc/loadavg, /proc/stat, /sys/devices/system/memory. guest-set-vcpus
 * writes the online files. Lists are bounded by the response line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirscan.h"
#include "procstat.h"
#include "qga_ops.h"
#include "sysinfo.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define MEM_DIR "/sys/devices/system/memory"
#define QGA_PROC_STAT_MAX 65536  /* /proc/stat bytes read (about 400 CPUs) */
#define SYS_PATH_MAX 96

/* A "cpuN" or "memoryN" entry's N; -1 for any other name. */
static long numbered(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) != 0)
		return -1;
	return gd_dir_number(name + n);
}

/*
 * One vCPU's state from cpuN/online; no such file (cpu0, usually): online
 * and not removable. With set, write want instead when it differs.
 */
static int vcpu_io(struct gd_qga_call *call, long id, int set, int *online,
		   int *can_offline)
{
	char dir[SYS_PATH_MAX];
	unsigned char st;
	int dfd, fd, rc = 0;
	ssize_t n;

	snprintf(dir, sizeof dir, CPU_DIR "/cpu%ld/", id);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return gd_qga_fail(call, "GenericError", "open(\"%s\"): %s", dir,
				   strerror(errno));
	fd = openat(dfd, "online", (set ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*can_offline = 0;
		if (!set)
			*online = 1;
		else if (!*online)
			rc = gd_qga_fail(call, "GenericError",
					 "logical processor #%ld can't be offlined", id);
	} else if (fd < 0) {
		rc = gd_qga_fail(call, "GenericError", "open(\"%s/online\"): %s",
				 dir, strerror(errno));
	} else if ((n = pread(fd, &st, 1, 0)) != 1) {
		rc = gd_qga_fail(call, "GenericError", "pread(\"%s/online\"): %s",
				 dir, n ? strerror(errno) : "unexpected EOF");
	} else if (!set) {
		*online = st != '0';
		*can_offline = 1;
	} else if (*online != (st != '0')) {
		st = (unsigned char)('0' + *online);
		if (pwrite(fd, &st, 1, 0) != 1)
			rc = gd_qga_fail(call, "GenericError",
					 "pwrite(\"%s/online\"): %s", dir,
					 strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	close(dfd);
	return rc;
}

int gd_qga_cmd_get_vcpus(struct gd_qga_call *call)
{
	struct gd_dirscan d;
	const char *name;
	int rc = 0;

	if (gd_dir_open(&d, CPU_DIR))
		return gd_qga_fail(call, "GenericError",
				   "failed to list entries: " CPU_DIR ": %s",
				   strerror(errno));
	gd_json_arr_begin(call->j);
	while (rc == 0 && (name = gd_dir_next(&d))) {
		long id = numbered(name, "cpu");
		int online = 0, can_offline = 0;

		if (id < 0)
			continue;
		rc = vcpu_io(call, id, 0, &online, &can_offline);
		gd_json_obj_begin(call->j); /* qemu-ga's member order */
		gd_json_key(call->j, "online");
		gd_json_bool(call->j, online);
		gd_json_key(call->j, "can-offline");
		gd_json_bool(call->j, can_offline);
		gd_json_key(call->j, "logical-id");
		gd_json_i64(call->j, id);
		gd_json_obj_end(call->j);
	}
	gd_dir_close(&d);
	gd_json_arr_end(call->j);
	return rc;
}

static const struct gd_qga_param vcpu_params[] = {
	{ "logical-id", GD_QGA_P_INT, 0 },
	{ "online", GD_QGA_P_BOOL, 0 },
	{ "can-offline", GD_QGA_P_BOOL, 1 },
};

/* The count of leading entries done; an error only when the first fails. */
int gd_qga_cmd_set_vcpus(struct gd_qga_call *call)
{
	struct gd_qga_req *r = call->req;
	int list = gd_qga_arg(r, "vcpus"), k = list + 1, done = 0;

	if (gd_qga_check_list(r, list, "vcpus", vcpu_params, 3))
		return gd_qga_fail(call, "GenericError", "%s", r->desc);
	for (int m = 0; m < r->tok[list].size; m++, k = gd_qga_skip(r, k)) {
		int64_t id = 0;
		int online = 0, ignored = 0;

		gd_qga_get_int(r, gd_qga_member(r, k, "logical-id"), &id);
		gd_qga_get_bool(r, gd_qga_member(r, k, "online"), &online);
		if (vcpu_io(call, (long)id, 1, &online, &ignored)) {
			if (done == 0)
				return -1;
			break;
		}
		done++;
	}
	gd_json_i64(call->j, done);
	return 0;
}

int gd_qga_cmd_get_load(struct gd_qga_call *call)
{
	char text[128];
	double load[3];

	if (gd_read_small_file("/proc/loadavg", text, sizeof text) < 0 ||
	    gd_loadavg_parse(text, load))
		return gd_qga_fail(call, "GenericError",
				   "cannot query load average: %s",
				   strerror(errno ? errno : EINVAL));
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "load5");
	gd_json_f64(call->j, load[1]);
	gd_json_key(call->j, "load1");
	gd_json_f64(call->j, load[0]);
	gd_json_key(call->j, "load15");
	gd_json_f64(call->j, load[2]);
	gd_json_obj_end(call->j);
	return 0;
}

/* Milliseconds from clock ticks, as qemu-ga converts them. */
static void stat_ms(struct gd_json *j, const char *key,
		    const struct gd_cpustat *s, int i, long tck)
{
	if (i >= s->nfields)
		return; /* an older kernel's line: left out */
	gd_json_key(j, key);
	gd_json_u64(j, s->f[i] * 1000 / (uint64_t)tck);
}

/* One GuestCpuStats, members in qemu-ga's order. */
static void cpustat(struct gd_json *j, const struct gd_cpustat *s, long tck)
{
	gd_json_obj_begin(j);
	gd_json_key(j, "cpu");
	gd_json_i64(j, s->cpu);
	stat_ms(j, "guestnice", s, 9, tck);
	stat_ms(j, "idle", s, 3, tck);
	stat_ms(j, "steal", s, 7, tck);
	stat_ms(j, "iowait", s, 4, tck);
	stat_ms(j, "system", s, 2, tck);
	stat_ms(j, "guest", s, 8, tck);
	stat_ms(j, "nice", s, 1, tck);
	stat_ms(j, "irq", s, 5, tck);
	gd_json_key(j, "type");
	gd_json_str(j, "linux");
	stat_ms(j, "user", s, 0, tck);
	stat_ms(j, "softirq", s, 6, tck);
	gd_json_obj_end(j);
}

int gd_qga_cmd_get_cpustats(struct gd_qga_call *call)
{
	static char text[QGA_PROC_STAT_MAX];
	long len = gd_read_small_file("/proc/stat", text, sizeof text);
	long tck = sysconf(_SC_CLK_TCK);
	struct gd_cpustat s;
	size_t pos = 0;

	if (len < 0)
		return gd_qga_fail(call, "GenericError", "open(\"/proc/stat\"): %s",
				   strerror(errno));
	if ((size_t)len + 1 >= sizeof text)
		return gd_qga_fail(call, "GenericError",
				   "/proc/stat is over %d bytes", QGA_PROC_STAT_MAX);
	if (tck <= 0)
		tck = 100;
	gd_json_arr_begin(call->j);
	while (gd_cpustat_next(text, (size_t)len, &pos, &s) == 1)
		cpustat(call->j, &s, tck);
	gd_json_arr_end(call->j);
	return 0;
}

/* qemu-ga's ga_read_sysfs_file: up to cap - 1 bytes of dir/name. */
static int sysfs_read(struct gd_qga_call *call, int dfd, const char *name,
		      char *buf, size_t cap)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return gd_qga_fail(call, "GenericError",
				   "open sysfs file \"%s\": %s", name,
				   strerror(errno));
	n = pread(fd, buf, cap - 1, 0);
	close(fd);
	if (n <= 0)
		return gd_qga_fail(call, "GenericError",
				   "pread sysfs file \"%s\": %s", name,
				   n ? strerror(errno) : "unexpected EOF");
	buf[n] = '\0';
	return 0;
}

static int memblk(struct gd_qga_call *call, long idx)
{
	char dir[SYS_PATH_MAX], state[10], removable[2] = "0";
	int dfd, online = 1, can_offline = 0;

	snprintf(dir, sizeof dir, MEM_DIR "/memory%ld/", idx);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return gd_qga_fail(call, "GenericError", "open(\"%s\"): %s", dir,
				   strerror(errno));
	if (sysfs_read(call, dfd, "state", state, sizeof state) == 0) {
		online = strncmp(state, "online", 6) == 0;
		can_offline = sysfs_read(call, dfd, "removable", removable,
					 sizeof removable) == 0 &&
			      removable[0] != '0';
	} else if (errno != ENOENT) {
		close(dfd);
		return -1;
	}
	close(dfd);
	gd_json_obj_begin(call->j); /* qemu-ga's member order */
	gd_json_key(call->j, "online");
	gd_json_bool(call->j, online);
	gd_json_key(call->j, "can-offline");
	gd_json_bool(call->j, can_offline);
	gd_json_key(call->j, "phys-index");
	gd_json_u64(call->j, (uint64_t)idx);
	gd_json_obj_end(call->j);
	return 0;
}

int gd_qga_cmd_get_memory_blocks(struct gd_qga_call *call)
{
	struct gd_dirscan d;
	const char *name;
	int n = 0;

	gd_json_arr_begin(call->j);
	if (gd_dir_open(&d, MEM_DIR)) {
		gd_json_arr_end(call->j);
		return errno == ENOENT ? 0 /* no hotplug memory: an empty list */
			: gd_qga_fail(call, "GenericError",
				      "Can't open directory\"" MEM_DIR "/\": %s",
				      strerror(errno));
	}
	while ((name = gd_dir_next(&d))) {
		long idx = numbered(name, "memory");

		if (idx < 0)
			continue;
		if (memblk(call, idx)) {
			gd_dir_close(&d);
			return -1;
		}
		n++;
	}
	gd_dir_close(&d);
	gd_json_arr_end(call->j);
	return n ? 0 : gd_qga_fail(call, "GenericError",
				    "guest reported zero memory blocks!");
}

int gd_qga_cmd_get_memory_block_info(struct gd_qga_call *call)
{
	char buf[20];
	int dfd = open(MEM_DIR "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (dfd < 0)
		return gd_qga_fail(call, "GenericError",
				   "open(\"" MEM_DIR "/\"): %s", strerror(errno));
	rc = sysfs_read(call, dfd, "block_size_bytes", buf, sizeof buf);
	close(dfd);
	if (rc)
		return -1;
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "size");
	gd_json_u64(call->j, strtoull(buf, NULL, 16));
	gd_json_obj_end(call->j);
	return 0;
}
