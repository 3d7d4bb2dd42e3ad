#include "argsplit.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copy one word from *src to *dst (dst never passes src); 0 or -1. */
static int copy_word(char **src, char **dst)
{
	char *s = *src, *d = *dst, quote = 0;

	for (; *s; s++) {
		if (quote == '\'') {
			if (*s == '\'')
				quote = 0;
			else
				*d++ = *s;
			continue;
		}
		if (*s == '\\' && s[1]) {
			*d++ = *++s;
			continue;
		}
		if (quote == '"' && *s == '"') {
			quote = 0;
			continue;
		}
		if (!quote && (*s == '\'' || *s == '"')) {
			quote = *s;
			continue;
		}
		if (!quote && is_blank(*s))
			break;
		*d++ = *s;
	}
	*src = *s ? s + 1 : s;
	*dst = d;
	return quote ? -1 : 0;
}

int gd_argv_split(char *buf, char **argv, int max, const char **err)
{
	char *s = buf;
	int n = 0;

	for (;;) {
		char *d;

		while (is_blank(*s))
			s++;
		if (!*s)
			break;
		if (n == max) {
			*err = "too many words";
			return -1;
		}
		argv[n++] = d = s;
		if (copy_word(&s, &d)) {
			*err = "unterminated quote";
			return -1;
		}
		/* d <= s - 1 when a separator was consumed, else d <= s. */
		*d = '\0';
	}
	argv[n] = NULL;
	return n;
}
