/*
 * guest-get-diskstats: every /proc/diskstats line qemu-ga 7.2 lists, with
 * its members and their order (QEMU's QDict hash order): the counters a
 * line has (4 for the old 7-field partition lines, 11, 15 or 17) and no
 * others. The tick counters are 32-bit, as qemu-ga scans them.
 */
#include <errno.h>
#include <string.h>

#include "diskstats.h"
#include "qga_ops.h"
#include "wholefile.h"

#define QGA_DISKSTATS_MAX 65536 /* bytes of /proc/diskstats read */

/* The member, counter index in the file, 32-bit or not, fields needed. */
static const struct { const char *name; uint8_t idx, u32, min; } members[] = {
	{ "discard-sectors", 13, 0, 18 }, { "write-ios", 4, 0, 14 },
	{ "discard-ios", 11, 0, 18 },     { "discard-ticks", 14, 1, 18 },
	{ "weight-ticks", 10, 1, 14 },    { "read-ios", 0, 0, 14 },
	{ "flush-ios", 15, 0, 20 },       { "write-sectors", 6, 0, 14 },
	{ "write-merges", 5, 0, 14 },     { "write-ticks", 7, 1, 14 },
	{ "ios-pgr", 8, 1, 14 },          { "read-sectors", 2, 0, 14 },
	{ "read-merges", 1, 0, 14 },      { "total-ticks", 9, 1, 14 },
	{ "discard-merges", 12, 0, 18 },  { "flush-ticks", 16, 1, 20 },
	{ "read-ticks", 3, 0, 14 },
};

/* The 7-field form: read ios, read sectors, write ios, write sectors. */
static int short_form(const char *name, int *idx)
{
	static const char *const f[] = { "read-ios", "read-sectors",
					 "write-ios", "write-sectors" };

	for (int i = 0; i < 4; i++)
		if (strcmp(name, f[i]) == 0)
			return *idx = i, 1;
	return 0;
}

static void stats(struct gd_json *j, const struct gd_diskstat *d)
{
	gd_json_obj_begin(j);
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		int idx = members[i].idx;
		uint64_t v;

		if (d->n == 7 ? !short_form(members[i].name, &idx)
			      : d->n < members[i].min)
			continue;
		v = d->v[idx];
		gd_json_key(j, members[i].name);
		gd_json_u64(j, members[i].u32 ? (uint32_t)v : v);
	}
	gd_json_obj_end(j);
}

int gd_qga_cmd_get_diskstats(struct gd_qga_call *call)
{
	static char text[QGA_DISKSTATS_MAX];
	static struct gd_diskstat d;
	long n = gd_wf_read("/proc/diskstats", text, sizeof text);
	size_t pos = 0;

	if (n == GD_WF_TOO_BIG)
		return gd_qga_fail(call, "GenericError", "/proc/diskstats is over "
				   "%d bytes", QGA_DISKSTATS_MAX - 1);
	if (n < 0)
		return gd_qga_fail(call, "GenericError", "open(\"/proc/diskstats\")"
				   ": %s", strerror(errno));
	gd_json_arr_begin(call->j);
	while (gd_diskstat_next(text, (size_t)n, &pos, &d) == 1) {
		gd_json_obj_begin(call->j);
		gd_json_key(call->j, "name");
		gd_json_str(call->j, d.name);
		gd_json_key(call->j, "stats");
		stats(call->j, &d);
		gd_json_key(call->j, "minor");
		gd_json_u64(call->j, d.minor);
		gd_json_key(call->j, "major");
		gd_json_u64(call->j, d.major);
		gd_json_obj_end(call->j);
	}
	gd_json_arr_end(call->j);
	return 0;
}
