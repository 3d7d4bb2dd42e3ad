#include "moddep.h"

#include <string.h>

static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

static int same_char(char a, char b)
{
	return a == b || ((a == '-' || a == '_') && (b == '-' || b == '_'));
}

size_t gd_moddep_match(const char *line, size_t n, const char *name)
{
	const char *colon = memchr(line, ':', n);
	size_t plen, base = 0, nlen = strlen(name);

	if (!colon || nlen == 0)
		return 0;
	plen = (size_t)(colon - line);
	for (size_t i = 0; i < plen; i++)
		if (line[i] == '/')
			base = i + 1;
	if (plen - base <= nlen)
		return 0;
	for (size_t i = 0; i < nlen; i++)
		if (!same_char(line[base + i], name[i]))
			return 0;
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);

		if (plen - base - nlen == sl &&
		    memcmp(line + base + nlen, suffixes[i], sl) == 0)
			return plen;
	}
	return 0;
}

int gd_module_compressed(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 1; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);

		if (n > sl && strcmp(path + n - sl, suffixes[i]) == 0)
			return 1;
	}
	return 0;
}

unsigned gd_mod_waves(const uint32_t *needs, const uint8_t *known,
		      unsigned n, unsigned *wave)
{
	unsigned floor = 0, waves = 0;

	for (unsigned i = 0; i < n && i < GD_MODWAVE_MAX; i++) {
		unsigned w = known[i] ? floor : waves;

		if (!known[i])
			floor = w + 1;
		for (unsigned j = 0; j < i; j++)
			if ((needs[i] >> j & 1) && wave[j] >= w)
				w = wave[j] + 1;
		wave[i] = w;
		if (w + 1 > waves)
			waves = w + 1;
	}
	return waves;
}
