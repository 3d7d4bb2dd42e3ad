/* passwd and shadow lines (pwfile.h). */
#include "pwfile.h"

#include <string.h>

/* The line of text[len] whose first field is user; NULL when none. */
static const char *find_line(const char *text, size_t len, const char *user,
			     size_t *line_len)
{
	size_t ulen = strlen(user), pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text) - pos : len - pos;

		if (n > ulen && text[pos + ulen] == ':' &&
		    memcmp(text + pos, user, ulen) == 0) {
			*line_len = n;
			return text + pos;
		}
		pos += n + 1;
	}
	return NULL;
}

/* Field i (0-based, ':'-separated) of line[n]: its start and length. */
static int field(const char *line, size_t n, int i, size_t *start,
		 size_t *flen)
{
	const char *e;
	size_t s = 0;

	for (; i > 0; i--) {
		const char *c = memchr(line + s, ':', n - s);

		if (!c)
			return -1;
		s = (size_t)(c - line) + 1;
	}
	e = memchr(line + s, ':', n - s);
	*start = s;
	*flen = e ? (size_t)(e - line) - s : n - s;
	return 0;
}

static int get_id(const char *line, size_t n, int i, uint32_t *v)
{
	size_t s, len;
	uint64_t x = 0;

	if (field(line, n, i, &s, &len) || len == 0 || len > 10)
		return -1;
	for (size_t k = 0; k < len; k++) {
		if (line[s + k] < '0' || line[s + k] > '9')
			return -1;
		x = x * 10 + (uint64_t)(line[s + k] - '0');
	}
	if (x > 0xffffffffu)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

int gd_pw_find(const char *text, size_t len, const char *user,
	       struct gd_pw *pw)
{
	size_t n, s, hl;
	const char *line = user[0] ? find_line(text, len, user, &n) : NULL;

	if (!line)
		return GD_PW_NO_USER;
	if (get_id(line, n, 2, &pw->uid) || get_id(line, n, 3, &pw->gid) ||
	    field(line, n, 5, &s, &hl))
		return GD_PW_BAD_LINE;
	if (hl >= sizeof pw->home)
		return GD_PW_TOO_BIG;
	memcpy(pw->home, line + s, hl);
	pw->home[hl] = '\0';
	return 0;
}

/* Append p[n] to out[cap] at *o; -1 when it does not fit. */
static int put(char *out, size_t cap, size_t *o, const char *p, size_t n)
{
	if (n > cap - *o)
		return -1;
	memcpy(out + *o, p, n);
	*o += n;
	return 0;
}

long gd_shadow_set(const char *text, size_t len, const char *user,
		   const char *hash, long days, char *out, size_t cap)
{
	size_t n, s, hl, s2, dl, o = 0;
	const char *line = user[0] ? find_line(text, len, user, &n) : NULL;
	char day[24];
	int dn = 0;

	if (!line)
		return GD_PW_NO_USER;
	if (field(line, n, 1, &s, &hl) || field(line, n, 2, &s2, &dl))
		return GD_PW_BAD_LINE;
	do
		day[sizeof day - 1 - dn++] = (char)('0' + days % 10);
	while ((days /= 10) > 0 && dn < (int)sizeof day);
	if (put(out, cap, &o, text, (size_t)(line - text) + s) ||
	    put(out, cap, &o, hash, strlen(hash)) || put(out, cap, &o, ":", 1) ||
	    put(out, cap, &o, day + sizeof day - dn, (size_t)dn) ||
	    put(out, cap, &o, line + s2 + dl,
		len - (size_t)(line - text) - s2 - dl))
		return GD_PW_TOO_BIG;
	return (long)o;
}

static int crypt_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '/';
}

int gd_crypt_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (s[0] != '$') {
		for (i = 0; i < n && crypt_char(s[i]); i++)
			;
		return n == 13 && i == n;
	}
	if (n < 4 || !crypt_char(s[1]) || !strchr(s + 2, '$'))
		return 0;
	for (i = 1; i < n; i++)
		if (!crypt_char(s[i]) && !strchr("$=,-", s[i]))
			return 0;
	return 1;
}
