#include "config.h"

#include <stdio.h>
#include <string.h>

static int parse_uint(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		unsigned d;
		char ch = s[i];

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		v = v * base + d;
		if (v > 0xffffffffu)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncmp(s, w, n) == 0;
}

static int parse_bool(const char *s, size_t n, uint32_t *out)
{
	if (word_is(s, n, "1") || word_is(s, n, "yes") ||
	    word_is(s, n, "true") || word_is(s, n, "on")) {
		*out = 1;
		return 0;
	}
	if (word_is(s, n, "0") || word_is(s, n, "no") ||
	    word_is(s, n, "false") || word_is(s, n, "off")) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int list_append(char *list, size_t cap, const char *v, size_t n)
{
	size_t len = strlen(list);
	size_t need = n + (len ? 1 : 0);

	if (n == 0 || memchr(v, '\n', n))
		return -1;
	if (len + need + 1 > cap)
		return -1;
	if (len)
		list[len++] = '\n';
	memcpy(list + len, v, n);
	list[len + n] = '\0';
	return 0;
}

static int set_list(const struct gd_cfg_key *k, char *field, const char *v,
		    size_t n)
{
	size_t start = 0;

	if (!k->split_commas)
		return list_append(field, k->size, v, n);
	for (size_t i = 0; i <= n; i++) {
		if (i == n || v[i] == ',') {
			if (i > start &&
			    list_append(field, k->size, v + start, i - start))
				return -1;
			start = i + 1;
		}
	}
	return 0;
}

static int set_value(const struct gd_cfg_key *k, void *field, const char *v,
		     size_t n, char *err, size_t errcap)
{
	uint32_t u;

	switch (k->type) {
	case GD_CT_BOOL:
		if (parse_bool(v, n, &u))
			goto bad;
		*(uint32_t *)field = u;
		return 0;
	case GD_CT_UINT:
		if (parse_uint(v, n, &u) || u < k->min || u > k->max)
			goto bad;
		*(uint32_t *)field = u;
		return 0;
	case GD_CT_STR:
		if (n >= k->size || memchr(v, '\0', n)) {
			snprintf(err, errcap, "%s: value longer than %zu bytes",
				 k->name, k->size - 1);
			return -1;
		}
		memcpy(field, v, n);
		((char *)field)[n] = '\0';
		return 0;
	case GD_CT_LIST:
		if (set_list(k, field, v, n)) {
			snprintf(err, errcap, "%s: list full or bad entry",
				 k->name);
			return -1;
		}
		return 0;
	}
bad:
	if (k->type == GD_CT_UINT)
		snprintf(err, errcap, "%s: '%.*s' is not a number in %u..%u",
			 k->name, (int)(n > 64 ? 64 : n), v, k->min, k->max);
	else
		snprintf(err, errcap, "%s: '%.*s' is not a boolean", k->name,
			 (int)(n > 64 ? 64 : n), v);
	return -1;
}

/* A list value is all or nothing: on error the list is as it was. */
static int set_list_value(struct gd_config *c, const struct gd_cfg_key *k,
			  size_t idx, const char *val, int src, char *err,
			  size_t errcap)
{
	char saved[GD_CFG_LIST_MAX];
	char *field = (char *)c + k->offset;

	if (k->size > sizeof saved) {
		snprintf(err, errcap, "%s: list field over %d bytes", k->name,
			 GD_CFG_LIST_MAX);
		return -1;
	}
	memcpy(saved, field, k->size);
	if (c->src[idx] < src)
		field[0] = '\0'; /* a higher source replaces the whole list */
	if (set_value(k, field, val, strlen(val), err, errcap)) {
		memcpy(field, saved, k->size);
		return -1;
	}
	c->src[idx] = (uint8_t)src;
	return 0;
}

int gd_config_set(struct gd_config *c, const char *key, size_t keylen,
		  const char *val, int src, char *err, size_t errcap)
{
	size_t count;
	const struct gd_cfg_key *base = gd_cfg_keys(&count);
	const struct gd_cfg_key *k = gd_cfg_find(key, keylen);
	char *field;
	size_t idx;

	if (!k) {
		snprintf(err, errcap, "unknown key '%.*s'",
			 (int)(keylen > 64 ? 64 : keylen), key);
		return -1;
	}
	idx = (size_t)(k - base);
	if (c->src[idx] > src)
		return 1;
	field = (char *)c + k->offset;
	if (k->type == GD_CT_LIST)
		return set_list_value(c, k, idx, val, src, err, errcap);
	if (set_value(k, field, val, strlen(val), err, errcap))
		return -1;
	c->src[idx] = (uint8_t)src;
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
		      (*s)[*n - 1] == '\r'))
		(*n)--;
}

static int set_pair(struct gd_config *c, const char *k, size_t kn,
		    const char *v, size_t vn, int src, const char *where,
		    int line, gd_cfg_report_fn report, void *ctx)
{
	char val[GD_CFG_LINE_MAX];
	char err[160];

	if (vn >= sizeof val) {
		snprintf(err, sizeof err, "%.*s: value too long",
			 (int)(kn > 64 ? 64 : kn), k);
		report(ctx, where, line, err);
		return 1;
	}
	memcpy(val, v, vn);
	val[vn] = '\0';
	if (gd_config_set(c, k, kn, val, src, err, sizeof err) < 0) {
		report(ctx, where, line, err);
		return 1;
	}
	return 0;
}

int gd_config_parse_file(struct gd_config *c, const char *text, size_t len,
			 gd_cfg_report_fn report, void *ctx)
{
	int errors = 0, line = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *s = text + pos, *eq, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		const char *k, *v;
		size_t kn, vn;

		pos += n + (nl ? 1 : 0);
		line++;
		trim(&s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		eq = memchr(s, '=', n);
		if (!eq) {
			report(ctx, "config", line, "expected KEY=VALUE");
			errors++;
			continue;
		}
		k = s;
		kn = (size_t)(eq - s);
		v = eq + 1;
		vn = n - kn - 1;
		trim(&k, &kn);
		trim(&v, &vn);
		errors += set_pair(c, k, kn, v, vn, GD_SRC_FILE, "config", line,
				   report, ctx);
	}
	return errors;
}

/* Copy one cmdline token into out, dropping double quotes. */
static size_t next_token(const char *text, size_t len, size_t *pos, char *out,
			 size_t cap, int *overflow)
{
	size_t n = 0;
	int quoted = 0;

	*overflow = 0;
	while (*pos < len && (text[*pos] == ' ' || text[*pos] == '\n' ||
			      text[*pos] == '\t'))
		(*pos)++;
	while (*pos < len) {
		char ch = text[*pos];

		if (!quoted && (ch == ' ' || ch == '\n' || ch == '\t'))
			break;
		(*pos)++;
		if (ch == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 < cap)
			out[n++] = ch;
		else
			*overflow = 1;
	}
	out[n] = '\0';
	return n;
}

int gd_config_parse_cmdline(struct gd_config *c, const char *text, size_t len,
			    gd_cfg_report_fn report, void *ctx)
{
	static const char prefix[] = "guestd.";
	char tok[GD_CFG_LINE_MAX];
	size_t pos = 0;
	int errors = 0, overflow;

	while (pos < len) { /* not "while a token": "" is an empty one */
		const char *k, *eq;
		size_t n = next_token(text, len, &pos, tok, sizeof tok,
				      &overflow);

		if (n == 0 || strncmp(tok, prefix, sizeof prefix - 1) != 0)
			continue;
		if (overflow) {
			report(ctx, "cmdline", 0, "parameter too long");
			errors++;
			continue;
		}
		k = tok + sizeof prefix - 1;
		eq = strchr(k, '=');
		if (eq)
			errors += set_pair(c, k, (size_t)(eq - k), eq + 1,
					   strlen(eq + 1), GD_SRC_CMDLINE,
					   "cmdline", 0, report, ctx);
		else
			errors += set_pair(c, k, strlen(k), "1", 1,
					   GD_SRC_CMDLINE, "cmdline", 0, report,
					   ctx);
	}
	return errors;
}

static int flag_error(gd_cfg_report_fn report, void *ctx, const char *msg,
		      const char *flag)
{
	char err[160];

	snprintf(err, sizeof err, "%s: %.100s", msg, flag);
	report(ctx, "flags", 0, err);
	return 1;
}

int gd_config_parse_args(struct gd_config *c, int argc, char **argv,
			 int *argi, gd_cfg_report_fn report, void *ctx)
{
	int errors = 0;

	while (*argi < argc) {
		const char *a = argv[*argi], *name, *eq, *val;
		const struct gd_cfg_key *k;
		size_t nlen;
		int negated = 0;

		if (strcmp(a, "--") == 0) {
			(*argi)++;
			break;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
			break;
		(*argi)++;
		name = a + 2;
		eq = strchr(name, '=');
		nlen = eq ? (size_t)(eq - name) : strlen(name);
		k = gd_cfg_find(name, nlen);
		if (!k && nlen > 3 && strncmp(name, "no-", 3) == 0 && !eq) {
			k = gd_cfg_find(name + 3, nlen - 3);
			negated = k && k->type == GD_CT_BOOL;
			if (!negated)
				k = NULL;
		}
		if (!k) {
			errors += flag_error(report, ctx, "unknown flag", a);
			continue;
		}
		if (k->type == GD_CT_BOOL)
			val = negated ? "0" : (eq ? eq + 1 : "1");
		else if (eq)
			val = eq + 1;
		else if (*argi < argc)
			val = argv[(*argi)++];
		else {
			errors += flag_error(report, ctx, "missing value", a);
			continue;
		}
		errors += set_pair(c, k->name, strlen(k->name), val,
				   strlen(val), GD_SRC_FLAG, "flags", 0, report,
				   ctx);
	}
	return errors;
}

int gd_cfg_list_next(const char *list, size_t *pos, const char **entry)
{
	const char *s = list + *pos, *nl;
	size_t n;

	if (*s == '\0')
		return -1;
	nl = strchr(s, '\n');
	n = nl ? (size_t)(nl - s) : strlen(s);
	*entry = s;
	*pos += n + (nl ? 1 : 0);
	return (int)n;
}
