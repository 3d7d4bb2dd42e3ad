#include "tzinfo.h"

#include <string.h>

#define TZIF_HDR_LEN 44
#define SECS_PER_DAY 86400
#define RULE_TIME_MAX (167 * 3600) /* TZif v3 allows -167..167 hours */

/* ---- POSIX TZ rules ---------------------------------------------------- */

struct tz_rule {
	char kind;    /* 'J' (1..365, no Feb 29), 'D' (0..365), 'M' */
	int month, week, day;
	int32_t time; /* seconds after local midnight */
};

struct tz_posix {
	char std[GD_TZ_ABBR_MAX], dst[GD_TZ_ABBR_MAX];
	int32_t std_off, dst_off; /* seconds east of UTC */
	int has_dst;
	struct tz_rule start, end;
};

struct cursor {
	const char *s;
	size_t n, p;
};

static int peek(const struct cursor *c)
{
	return c->p < c->n ? (unsigned char)c->s[c->p] : -1;
}

static int is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int number(struct cursor *c, int max, int *v)
{
	int digits = 0;

	*v = 0;
	while (is_digit(peek(c)) && digits < 4) {
		*v = *v * 10 + (c->s[c->p++] - '0');
		digits++;
	}
	return digits && *v <= max ? 0 : -1;
}

/* "EST" or "<+0530>": the abbreviation of one half of the rule. */
static int name(struct cursor *c, char *out)
{
	size_t len = 0, quoted = peek(c) == '<';

	c->p += quoted;
	while (c->p < c->n && (quoted ? c->s[c->p] != '>' : is_alpha(peek(c)))) {
		if (len + 1 < GD_TZ_ABBR_MAX)
			out[len++] = c->s[c->p];
		c->p++;
	}
	out[len] = '\0';
	if (quoted && peek(c) != '>')
		return -1;
	c->p += quoted;
	return len ? 0 : -1;
}

/* [+|-]hh[:mm[:ss]] in seconds, hours up to max_h. */
static int hms(struct cursor *c, int max_h, int32_t *secs)
{
	int sign = 1, h, m = 0, s = 0;

	if (peek(c) == '+' || peek(c) == '-')
		sign = c->s[c->p++] == '-' ? -1 : 1;
	if (number(c, max_h, &h))
		return -1;
	if (peek(c) == ':' && (c->p++, number(c, 59, &m)))
		return -1;
	if (peek(c) == ':' && (c->p++, number(c, 59, &s)))
		return -1;
	*secs = sign * (h * 3600 + m * 60 + s);
	return 0;
}

static int rule(struct cursor *c, struct tz_rule *r)
{
	int ok;

	r->time = 2 * 3600;
	if (peek(c) == 'M') {
		c->p++;
		r->kind = 'M';
		ok = !number(c, 12, &r->month) && r->month >= 1 &&
		     peek(c) == '.' && (c->p++, !number(c, 5, &r->week)) &&
		     r->week >= 1 && peek(c) == '.' &&
		     (c->p++, !number(c, 6, &r->day));
	} else if (peek(c) == 'J') {
		c->p++;
		r->kind = 'J';
		ok = !number(c, 365, &r->day) && r->day >= 1;
	} else {
		r->kind = 'D';
		ok = !number(c, 365, &r->day);
	}
	if (!ok)
		return -1;
	if (peek(c) == '/')
		return c->p++, hms(c, RULE_TIME_MAX / 3600, &r->time);
	return 0;
}

static int parse_posix(const char *s, size_t n, struct tz_posix *z)
{
	struct cursor c = { s, n, 0 };
	int32_t off;

	memset(z, 0, sizeof *z);
	if (name(&c, z->std) || hms(&c, 24, &off))
		return -1;
	z->std_off = -off; /* POSIX counts west of UTC */
	if (c.p == n)
		return 0;
	if (name(&c, z->dst))
		return -1;
	z->has_dst = 1;
	z->dst_off = z->std_off + 3600;
	if (peek(&c) != ',' && c.p < n) {
		if (hms(&c, 24, &off))
			return -1;
		z->dst_off = -off;
	}
	if (c.p == n) { /* no rule: the US one, as glibc assumes */
		z->start = (struct tz_rule){ 'M', 3, 2, 0, 2 * 3600 };
		z->end = (struct tz_rule){ 'M', 11, 1, 0, 2 * 3600 };
		return 0;
	}
	if (peek(&c) != ',' || (c.p++, rule(&c, &z->start)) ||
	    peek(&c) != ',' || (c.p++, rule(&c, &z->end)))
		return -1;
	return c.p == n ? 0 : -1;
}

/* ---- calendar ---------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t year_of_day(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The day (since the epoch) a rule names in year y. */
static int64_t rule_day(const struct tz_rule *r, int64_t y)
{
	int64_t first, day, next;

	if (r->kind == 'J')
		return days_from_civil(y, 1, 1) + r->day - 1 +
		       (is_leap(y) && r->day >= 60);
	if (r->kind == 'D')
		return days_from_civil(y, 1, 1) + r->day;
	first = days_from_civil(y, r->month, 1);
	day = first + ((r->day - (first + 4) % 7) + 7 + 7) % 7 + (r->week - 1) * 7;
	next = r->month == 12 ? days_from_civil(y + 1, 1, 1)
			      : days_from_civil(y, r->month + 1, 1);
	while (day >= next)
		day -= 7;
	return day;
}

static void fill(struct gd_tz_info *out, int32_t off, int isdst, const char *abbr)
{
	out->utoff = off;
	out->isdst = isdst;
	memset(out->abbr, 0, sizeof out->abbr);
	strncpy(out->abbr, abbr, sizeof out->abbr - 1);
}

static void posix_at(const struct tz_posix *z, int64_t t, struct gd_tz_info *out)
{
	int64_t y, start, end;
	int dst;

	if (!z->has_dst) {
		fill(out, z->std_off, 0, z->std);
		return;
	}
	y = year_of_day(floor_div(t + z->std_off, SECS_PER_DAY));
	start = rule_day(&z->start, y) * SECS_PER_DAY + z->start.time - z->std_off;
	end = rule_day(&z->end, y) * SECS_PER_DAY + z->end.time - z->dst_off;
	if (start < end)
		dst = t >= start && t < end;
	else
		dst = !(t >= end && t < start);
	if (dst)
		fill(out, z->dst_off, 1, z->dst);
	else
		fill(out, z->std_off, 0, z->std);
}

int gd_tz_posix(const char *tz, size_t len, int64_t t, struct gd_tz_info *out)
{
	struct tz_posix z;

	if (parse_posix(tz, len, &z))
		return -1;
	posix_at(&z, t, out);
	return 0;
}

/* ---- TZif ---------------------------------------------------------------- */

struct tzif {
	uint32_t isut, isstd, leap, time, type, chars;
	int tsize;            /* 4 (version 1 block) or 8 */
	const uint8_t *times, *idx, *types, *abbrs;
	const char *footer;   /* POSIX rule after the last transition */
	size_t footer_len;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int64_t transition(const struct tzif *z, uint32_t i)
{
	const uint8_t *p = z->times + (size_t)i * (size_t)z->tsize;

	if (z->tsize == 4)
		return (int32_t)be32(p);
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

static int header(const uint8_t *d, size_t len, size_t off, struct tzif *z)
{
	if (len < off || len - off < TZIF_HDR_LEN || memcmp(d + off, "TZif", 4))
		return -1;
	z->isut = be32(d + off + 20);
	z->isstd = be32(d + off + 24);
	z->leap = be32(d + off + 28);
	z->time = be32(d + off + 32);
	z->type = be32(d + off + 36);
	z->chars = be32(d + off + 40);
	return z->type >= 1 && z->type <= 256 && z->chars >= 1 ? 0 : -1;
}

static uint64_t block_len(const struct tzif *z, int tsize)
{
	return (uint64_t)z->time * (uint64_t)(tsize + 1) + (uint64_t)z->type * 6 +
	       z->chars + (uint64_t)z->leap * (uint64_t)(tsize + 4) + z->isstd +
	       z->isut;
}

static void footer(const uint8_t *d, size_t len, size_t at, struct tzif *z)
{
	const uint8_t *nl;

	if (at >= len || d[at] != '\n')
		return;
	nl = memchr(d + at + 1, '\n', len - at - 1);
	if (nl) {
		z->footer = (const char *)d + at + 1;
		z->footer_len = (size_t)(nl - (d + at + 1));
	}
}

static int layout(const uint8_t *d, size_t len, struct tzif *z)
{
	size_t body;

	memset(z, 0, sizeof *z);
	if (header(d, len, 0, z))
		return -1;
	z->tsize = 4;
	body = TZIF_HDR_LEN;
	if (d[4] >= '2') { /* skip the 32-bit block for the 64-bit one */
		uint64_t v1 = block_len(z, 4);

		if (v1 > len - body || header(d, len, body + (size_t)v1, z))
			return -1;
		body += (size_t)v1 + TZIF_HDR_LEN;
		z->tsize = 8;
	}
	if (block_len(z, z->tsize) > len - body)
		return -1;
	z->times = d + body;
	z->idx = z->times + (size_t)z->time * (size_t)z->tsize;
	z->types = z->idx + z->time;
	z->abbrs = z->types + (size_t)z->type * 6;
	if (z->tsize == 8)
		footer(d, len, body + (size_t)block_len(z, 8), z);
	return 0;
}

static int type_at(const struct tzif *z, uint32_t type, struct gd_tz_info *out)
{
	const uint8_t *rec;
	char abbr[GD_TZ_ABBR_MAX];
	size_t n = 0;
	uint32_t a;

	if (type >= z->type)
		return -1;
	rec = z->types + (size_t)type * 6;
	a = rec[5];
	if (a >= z->chars)
		return -1;
	while (a + n < z->chars && z->abbrs[a + n] && n + 1 < sizeof abbr) {
		abbr[n] = (char)z->abbrs[a + n];
		n++;
	}
	abbr[n] = '\0';
	fill(out, (int32_t)be32(rec), rec[4] != 0, abbr);
	return 0;
}

int gd_tz_tzif(const uint8_t *data, size_t len, int64_t t,
	       struct gd_tz_info *out)
{
	struct tzif z;
	uint32_t lo = 0, hi;

	if (layout(data, len, &z))
		return -1;
	if (z.time == 0 || t < transition(&z, 0)) {
		if (z.time == 0 && z.footer_len)
			return gd_tz_posix(z.footer, z.footer_len, t, out);
		return type_at(&z, 0, out);
	}
	hi = z.time; /* the last transition at or before t is in [lo, hi) */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (transition(&z, mid) <= t)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == z.time - 1 && z.footer_len &&
	    gd_tz_posix(z.footer, z.footer_len, t, out) == 0)
		return 0;
	return type_at(&z, z.idx[lo], out);
}
