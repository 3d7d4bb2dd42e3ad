/* Disk addresses from sysfs paths (blkaddr.h), after qemu-ga 7.2. */
#include "blkaddr.h"

#include <string.h>

void gd_blk_addr_init(struct gd_blk_addr *a)
{
	a->pci = (struct gd_blk_pci){ -1, -1, -1, -1 };
	a->bus_type = "unknown";
	a->bus = a->target = a->unit = 0;
}

/* Digits in base (10 or 16) at *s into *v, *s moved past: 0, or -1. */
static int num(const char **s, unsigned base, unsigned *v)
{
	const char *p = *s;
	unsigned long n = 0;

	for (;; p++) {
		unsigned d = *p >= '0' && *p <= '9' ? (unsigned)(*p - '0')
			   : base == 16 && *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10)
			   : base == 16 && *p >= 'A' && *p <= 'F' ? (unsigned)(*p - 'A' + 10)
			   : 99;

		if (d >= base || n > 0xffffffful)
			break;
		n = n * base + d;
	}
	if (p == *s)
		return -1;
	*v = (unsigned)n;
	*s = p;
	return 0;
}

/* strlen(seps) + 1 numbers in base, separated by seps in turn. */
static int nums(const char **s, unsigned base, const char *seps, unsigned *v)
{
	size_t n = strlen(seps);

	for (size_t i = 0; i <= n; i++) {
		if (num(s, base, &v[i]))
			return -1;
		if (i < n && *(*s)++ != seps[i])
			return -1;
	}
	return 0;
}

static int pci_at(const char *s, struct gd_blk_pci *pci)
{
	const char *p = s + 1;
	unsigned v[4];

	if (s[0] != '/' || nums(&p, 16, "::.", v))
		return -1;
	*pci = (struct gd_blk_pci){ (int)v[0], (int)v[1], (int)v[2], (int)v[3] };
	return (int)(p - s);
}

int gd_blk_prefixed_num(const char *s, const char *prefix, unsigned *v)
{
	size_t n = strlen(prefix);

	s += n;
	return strncmp(s - n, prefix, n) == 0 ? num(&s, 10, v) : -1;
}

int gd_blk_pci_first(const char *path, struct gd_blk_pci *pci)
{
	const char *p = strstr(path, "/devices/pci");
	const char *slash;
	int len;

	if (!p || !(slash = strchr(p + 12, '/')))
		return -1;
	len = pci_at(slash, pci);
	return len < 0 ? -1 : (int)(slash - path) + len;
}

int gd_blk_pci_next(const char *s, struct gd_blk_pci *pci)
{
	return pci_at(s, pci);
}

static const char *const drivers[] = {
	"ata_piix", "sym53c8xx", "virtio-pci", "ahci", "nvme", "xhci_hcd",
	"ehci-pci",
};

int gd_blk_driver_known(const char *driver)
{
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++)
		if (strcmp(driver, drivers[i]) == 0)
			return 1;
	return 0;
}

int gd_blk_target(const char *path, unsigned tgt[3])
{
	const char *p = strstr(path, "/target");
	unsigned skip[4];

	if (!p)
		return -1;
	p += 7; /* H:C:T/H:C:T:L */
	if (nums(&p, 10, "::/", skip) || *p++ != ':')
		return -1;
	return nums(&p, 10, "::", tgt) ? -1 : 0;
}

int gd_blk_host(const char *path, unsigned *num_out, int *is_ata,
		size_t *dir_len)
{
	const char *p = strstr(path, "/ata");

	*is_ata = p != NULL;
	if (!p)
		p = strstr(path, "/host");
	if (!p || gd_blk_prefixed_num(p, *is_ata ? "/ata" : "/host", num_out))
		return -1;
	*dir_len = (size_t)(p - path);
	return 0;
}

int gd_blk_fill(struct gd_blk_addr *a, const char *driver,
		const unsigned *tgt, int host_index)
{
	if (strcmp(driver, "ata_piix") == 0) { /* a host per IDE bus */
		if (!tgt || host_index < 0)
			return -1;
		a->bus_type = "ide";
		a->bus = host_index;
		a->unit = (int)tgt[1];
	} else if (strcmp(driver, "sym53c8xx") == 0) {
		if (!tgt)
			return -1;
		a->bus_type = "scsi";
		a->unit = (int)tgt[1];
	} else if (strcmp(driver, "virtio-pci") == 0) {
		a->bus_type = tgt ? "scsi" : "virtio"; /* virtio-scsi : -blk */
		if (tgt)
			a->unit = (int)tgt[2];
	} else if (strcmp(driver, "ahci") == 0) { /* a host per unit */
		if (!tgt || host_index < 0)
			return -1;
		a->bus_type = "sata";
		a->unit = host_index;
	} else if (strcmp(driver, "nvme") == 0) {
		a->bus_type = "nvme";
	} else if (strcmp(driver, "xhci_hcd") == 0 ||
		   strcmp(driver, "ehci-pci") == 0) {
		a->bus_type = "usb";
	} else {
		return -1;
	}
	return 0;
}
