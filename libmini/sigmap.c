#include "sigmap.h"
#include "config.h"

#include <stdio.h>
#include <string.h>

void gd_sigmap_init(struct gd_sigmap *m)
{
	for (int i = 0; i <= GD_SIG_LAST; i++)
		m->to[i] = (uint8_t)i;
}

void gd_exitmap_init(struct gd_exitmap *m)
{
	for (int i = 0; i <= GD_EXIT_CODE_MAX; i++)
		m->to[i] = (uint8_t)i;
}

static void bad_entry(char *err, size_t cap, const char *entry, int n,
		      const char *why)
{
	snprintf(err, cap, "'%.*s': %s", n > 32 ? 32 : n, entry, why);
}

/* Split "FROM:TO"; the colon's offset, or -1 when there is none. */
static int colon_at(const char *entry, int n)
{
	const char *colon = memchr(entry, ':', (size_t)n);

	return colon ? (int)(colon - entry) : -1;
}

int gd_sigmap_parse(struct gd_sigmap *m, const char *list, char *err,
		    size_t cap)
{
	const char *entry;
	size_t pos = 0;
	int n;

	while ((n = gd_cfg_list_next(list, &pos, &entry)) >= 0) {
		int c = colon_at(entry, n), from, to;

		if (c < 0) {
			bad_entry(err, cap, entry, n, "not FROM:TO");
			return -1;
		}
		from = gd_sig_parse(entry, (size_t)c);
		to = c + 2 == n && entry[c + 1] == '0'
			     ? 0
			     : gd_sig_parse(entry + c + 1, (size_t)(n - c - 1));
		if (from < 0 || to < 0) {
			bad_entry(err, cap, entry, n, from < 0 ? "FROM is no signal"
							      : "TO is no signal (0 drops)");
			return -1;
		}
		m->to[from] = (uint8_t)to;
	}
	return 0;
}

int gd_sigmap_apply(const struct gd_sigmap *m, int sig)
{
	return sig > 0 && sig <= GD_SIG_LAST ? m->to[sig] : sig;
}

/* A decimal exit code 0..GD_EXIT_CODE_MAX; -1 otherwise. */
static int exit_code_parse(const char *s, int n)
{
	int v = 0;

	if (n < 1 || n > 3)
		return -1;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= GD_EXIT_CODE_MAX ? v : -1;
}

int gd_exitmap_parse(struct gd_exitmap *m, const char *list, char *err,
		     size_t cap)
{
	const char *entry;
	size_t pos = 0;
	int n;

	while ((n = gd_cfg_list_next(list, &pos, &entry)) >= 0) {
		int c = colon_at(entry, n), from, to = 0;

		from = exit_code_parse(entry, c < 0 ? n : c);
		if (c >= 0)
			to = exit_code_parse(entry + c + 1, n - c - 1);
		if (from < 0 || to < 0) {
			bad_entry(err, cap, entry, n, "not N or FROM:TO with "
				  "codes 0..255");
			return -1;
		}
		m->to[from] = (uint8_t)to;
	}
	return 0;
}

int gd_exitmap_apply(const struct gd_exitmap *m, int code)
{
	return code >= 0 && code <= GD_EXIT_CODE_MAX ? m->to[code] : code;
}
