#include "acpi_event.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>

#define ACPI_GENL_CMD_EVENT 1
#define ACPI_GENL_ATTR_EVENT 1
#define ACPI_GENL_EVENT_SIZE 44  /* 20 + 15, padded to 36, + 2 x u32 */

#define ALIGN4(n) (((n) + 3u) & ~3u)
#define HDRS (NLMSG_HDRLEN + GENL_HDRLEN)

static void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t get_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

size_t gd_genl_family_request(uint8_t *buf, size_t cap, uint32_t seq)
{
	size_t name_len = sizeof GD_ACPI_FAMILY; /* with its NUL */
	size_t len = HDRS + ALIGN4(NLA_HDRLEN + name_len);

	if (cap < len)
		return 0;
	memset(buf, 0, len);
	put_u32(buf, (uint32_t)len);                  /* nlmsg_len */
	put_u16(buf + 4, GENL_ID_CTRL);               /* nlmsg_type */
	put_u16(buf + 6, NLM_F_REQUEST);              /* nlmsg_flags */
	put_u32(buf + 8, seq);                        /* nlmsg_seq */
	buf[NLMSG_HDRLEN] = CTRL_CMD_GETFAMILY;       /* genl cmd */
	buf[NLMSG_HDRLEN + 1] = 1;                    /* genl version */
	put_u16(buf + HDRS, (uint16_t)(NLA_HDRLEN + name_len));
	put_u16(buf + HDRS + 2, CTRL_ATTR_FAMILY_NAME);
	memcpy(buf + HDRS + NLA_HDRLEN, GD_ACPI_FAMILY, name_len);
	return len;
}

/*
 * The next attribute in p[len] at or after *off of the given type (-1:
 * any): its type, with *val and *vlen set; -1 when there is none.
 */
static int next_attr(const uint8_t *p, size_t len, size_t *off, int type,
		     const uint8_t **val, size_t *vlen)
{
	while (*off + NLA_HDRLEN <= len) {
		size_t alen = get_u16(p + *off), at = *off;
		int atype = get_u16(p + *off + 2) & NLA_TYPE_MASK;

		if (alen < NLA_HDRLEN || at + alen > len)
			return -1;
		*off += ALIGN4(alen);
		if (type < 0 || atype == type) {
			*val = p + at + NLA_HDRLEN;
			*vlen = alen - NLA_HDRLEN;
			return atype;
		}
	}
	return -1;
}

/* The id of the group named GD_ACPI_GROUP in CTRL_ATTR_MCAST_GROUPS. */
static int find_group(const uint8_t *p, size_t len, uint32_t *group)
{
	const uint8_t *grp, *v;
	size_t off = 0, glen, vlen;

	while (next_attr(p, len, &off, -1, &grp, &glen) >= 0) {
		size_t goff = 0;
		int have_name = 0, have_id = 0, t;
		uint32_t id = 0;

		while ((t = next_attr(grp, glen, &goff, -1, &v, &vlen)) >= 0) {
			if (t == CTRL_ATTR_MCAST_GRP_NAME &&
			    vlen >= sizeof GD_ACPI_GROUP &&
			    memcmp(v, GD_ACPI_GROUP, sizeof GD_ACPI_GROUP) == 0)
				have_name = 1;
			if (t == CTRL_ATTR_MCAST_GRP_ID && vlen >= 4) {
				id = get_u32(v);
				have_id = 1;
			}
		}
		if (have_name && have_id) {
			*group = id;
			return 0;
		}
	}
	return -EPROTO;
}

int gd_genl_family_reply(const uint8_t *buf, size_t len, uint16_t *family,
			 uint32_t *group)
{
	const uint8_t *attrs = buf + HDRS, *v;
	size_t mlen, off = 0, vlen;

	if (len < NLMSG_HDRLEN)
		return -EPROTO;
	mlen = get_u32(buf);
	if (mlen > len || mlen < NLMSG_HDRLEN)
		return -EPROTO;
	if (get_u16(buf + 4) == NLMSG_ERROR) {
		int32_t err;

		if (mlen < NLMSG_HDRLEN + 4)
			return -EPROTO;
		memcpy(&err, buf + NLMSG_HDRLEN, 4);
		return err < 0 ? err : -EPROTO;
	}
	if (get_u16(buf + 4) != GENL_ID_CTRL || mlen < HDRS)
		return -EPROTO;
	if (next_attr(attrs, mlen - HDRS, &off, CTRL_ATTR_FAMILY_ID, &v,
		      &vlen) < 0 || vlen < 2)
		return -EPROTO;
	*family = get_u16(v);
	off = 0;
	if (next_attr(attrs, mlen - HDRS, &off, CTRL_ATTR_MCAST_GROUPS, &v,
		      &vlen) < 0)
		return -EPROTO;
	return find_group(v, vlen, group);
}

static void copy_field(char *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int gd_acpi_event_next(const uint8_t *buf, size_t len, size_t *off,
		       uint16_t family, struct gd_acpi_event *ev)
{
	while (*off + HDRS <= len) {
		const uint8_t *m = buf + *off, *v;
		size_t mlen = get_u32(m), aoff = 0, vlen;

		if (mlen < NLMSG_HDRLEN || *off + mlen > len)
			return 0;
		*off += NLMSG_ALIGN(mlen);
		if (get_u16(m + 4) != family || mlen < HDRS ||
		    m[NLMSG_HDRLEN] != ACPI_GENL_CMD_EVENT)
			continue;
		if (next_attr(m + HDRS, mlen - HDRS, &aoff, ACPI_GENL_ATTR_EVENT,
			      &v, &vlen) < 0 || vlen < ACPI_GENL_EVENT_SIZE)
			continue;
		copy_field(ev->device_class, v, GD_ACPI_CLASS_MAX);
		copy_field(ev->bus_id, v + GD_ACPI_CLASS_MAX, GD_ACPI_BUS_ID_MAX);
		ev->type = get_u32(v + 36);
		ev->data = get_u32(v + 40);
		return 1;
	}
	return 0;
}

int gd_acpi_event_is_power(const struct gd_acpi_event *ev)
{
	return strcmp(ev->device_class, "button/power") == 0;
}
