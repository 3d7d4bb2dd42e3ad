#include "acpi_vmgenid.h"

#include <string.h>

#include "buf.h"

#define AML_NAME_OP 0x08
#define AML_ADD_OP 0x72
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c

/* Offset of the first "<op>VGIA" in the AML after the header, or 0. */
static size_t find_vgia(const uint8_t *t, size_t len, uint8_t op)
{
	static const uint8_t name[4] = { 'V', 'G', 'I', 'A' };

	for (size_t i = GD_ACPI_HDR_LEN; i + 5 <= len; i++)
		if (t[i] == op && memcmp(t + i + 1, name, sizeof name) == 0)
			return i;
	return 0;
}

/* The constant operand at t[at], if it is a byte or word constant. */
static int small_const(const uint8_t *t, size_t len, size_t at, uint32_t *v)
{
	if (at + 2 <= len && t[at] == AML_BYTE_PREFIX) {
		*v = t[at + 1];
		return 0;
	}
	if (at + 3 <= len && t[at] == AML_WORD_PREFIX) {
		*v = gd_get_u16(t + at + 1);
		return 0;
	}
	return -1;
}

int gd_vmgenid_locate(const uint8_t *table, size_t len, uint64_t *phys)
{
	size_t name_at, add_at;
	uint32_t base, offset;

	if (len < GD_ACPI_HDR_LEN || memcmp(table, "SSDT", 4) ||
	    gd_get_u32(table + 4) != len || memcmp(table + 16, "VMGENID", 7))
		return -1;
	name_at = find_vgia(table, len, AML_NAME_OP);
	if (!name_at || name_at + 10 > len ||
	    table[name_at + 5] != AML_DWORD_PREFIX)
		return -1;
	base = gd_get_u32(table + name_at + 6);
	add_at = find_vgia(table, len, AML_ADD_OP);
	if (!base || !add_at || small_const(table, len, add_at + 5, &offset))
		return -1;
	*phys = (uint64_t)base + offset;
	return 0;
}
