/* /proc/self/mountinfo lines parsed in place (mountinfo.h). */
#include "mountinfo.h"

#include <string.h>

char *gd_mount_next_line(char *text, size_t len, size_t *pos)
{
	char *line, *nl;

	if (*pos >= len)
		return NULL;
	line = text + *pos;
	nl = memchr(line, '\n', len - *pos);
	if (nl) {
		*nl = '\0';
		*pos = (size_t)(nl - text) + 1;
	} else {
		text[len] = '\0'; /* the caller's text is NUL-terminated */
		*pos = len;
	}
	return line;
}

/* The next space-separated field, NUL-terminated; NULL when none. */
static char *field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	e = strchr(s, ' ');
	if (e) {
		*e = '\0';
		*p = e + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int octal3(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s[i] < '0' || s[i] > '7')
			return -1;
	return (s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0');
}

/* The kernel's escapes (\ooo) decoded in place. */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		int c = s[0] == '\\' ? octal3(s + 1) : -1;

		if (c > 0 && c < 256) {
			*out++ = (char)c;
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

static int parse_dev(const char *s, unsigned *major, unsigned *minor)
{
	unsigned long v[2] = { 0, 0 };
	int k = 0, digits = 0;

	for (; *s; s++) {
		if (*s == ':' && k == 0 && digits) {
			k = 1;
			digits = 0;
		} else if (*s >= '0' && *s <= '9' && v[k] < 0x10000000ul) {
			v[k] = v[k] * 10 + (unsigned long)(*s - '0');
			digits++;
		} else {
			return -1;
		}
	}
	if (k != 1 || !digits)
		return -1;
	*major = (unsigned)v[0];
	*minor = (unsigned)v[1];
	return 0;
}

int gd_mount_has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	while (opts && *opts) {
		const char *e = strchr(opts, ',');
		size_t len = e ? (size_t)(e - opts) : strlen(opts);

		if (len == n && memcmp(opts, opt, n) == 0)
			return 1;
		opts = e ? e + 1 : NULL;
	}
	return 0;
}

int gd_mount_parse(char *line, struct gd_mount *m)
{
	char *p = line, *f[6], *sep;

	/* id, parent, major:minor, root, mount point, mount options */
	for (int i = 0; i < 6; i++)
		if (!(f[i] = field(&p)))
			return -1;
	if (parse_dev(f[2], &m->major, &m->minor))
		return -1;
	do { /* optional fields up to the "-" separator */
		sep = field(&p);
	} while (sep && strcmp(sep, "-") != 0);
	if (!sep || !(m->fstype = field(&p)) || !(m->source = field(&p)))
		return -1;
	m->mountpoint = f[4];
	unescape(m->mountpoint);
	unescape(m->source);
	m->ro = gd_mount_has_opt(f[5], "ro");
	sep = field(&p); /* super options (absent on some old kernels) */
	m->sb_ro = sep ? gd_mount_has_opt(sep, "ro") : 0;
	return 0;
}
