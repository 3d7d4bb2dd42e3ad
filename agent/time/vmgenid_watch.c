#include "vmgenid_watch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Read a whole small ACPI table; its length, or 0 if it is not one. */
static size_t read_table(const char *path, uint8_t *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, cap); /* sysfs hands a table over in one read */
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* The id's address from the first SSDT that is QEMU's VMGENID table. */
static int find_id(uint64_t *phys)
{
	static uint8_t table[GD_VMGENID_TABLE_MAX];
	char path[sizeof GD_ACPI_TABLES_DIR + 16];

	for (int i = 0; i < GD_ACPI_SSDT_FILES; i++) {
		size_t len;

		if (i == 0)
			snprintf(path, sizeof path, "%s/SSDT", GD_ACPI_TABLES_DIR);
		else
			snprintf(path, sizeof path, "%s/SSDT%d",
				 GD_ACPI_TABLES_DIR, i);
		len = read_table(path, table, sizeof table);
		if (len && gd_vmgenid_locate(table, len, phys) == 0)
			return 0;
	}
	return -1;
}

static void copy_id(const struct gd_vmgenid_watch *w, uint8_t *id)
{
	for (int i = 0; i < GD_VMGENID_LEN; i++)
		id[i] = w->at[i];
}

void gd_vmgenid_open(struct gd_vmgenid_watch *w, const struct gd_log *log)
{
	uint64_t page;
	void *map;
	int fd;

	w->map = NULL;
	if (find_id(&w->phys))
		return; /* no VMGENID table: nothing to watch, nothing to say */
	w->map_len = (size_t)sysconf(_SC_PAGESIZE);
	page = w->phys & ~(uint64_t)(w->map_len - 1);
	if (w->phys + GD_VMGENID_LEN > page + w->map_len) {
		gd_logf(log, GD_LOG_WARN, "VM generation id at 0x%llx crosses "
			"a page: not watched", (unsigned long long)w->phys);
		return;
	}
	fd = open(GD_DEV_MEM, O_RDONLY | O_CLOEXEC);
	map = fd < 0 ? MAP_FAILED :
		       mmap(NULL, w->map_len, PROT_READ, MAP_SHARED, fd,
			    (off_t)page);
	if (map == MAP_FAILED) {
		gd_logf(log, GD_LOG_WARN, "VM generation id at 0x%llx: cannot "
			"map it from %s (%s); restores go unnoticed",
			(unsigned long long)w->phys, GD_DEV_MEM, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd); /* the mapping stays */
	w->map = map;
	w->at = w->map + (w->phys - page);
	copy_id(w, w->id);
	gd_logf(log, GD_LOG_INFO, "watching the VM generation id at 0x%llx "
		"(ACPI VMGENID table)", (unsigned long long)w->phys);
}

int gd_vmgenid_changed(struct gd_vmgenid_watch *w)
{
	uint8_t id[GD_VMGENID_LEN];

	if (!w->map)
		return 0;
	copy_id(w, id);
	if (memcmp(id, w->id, sizeof id) == 0)
		return 0;
	memcpy(w->id, id, sizeof id);
	return 1;
}

void gd_vmgenid_close(struct gd_vmgenid_watch *w)
{
	if (w->map)
		munmap((void *)(uintptr_t)w->map, w->map_len);
	w->map = NULL;
}
