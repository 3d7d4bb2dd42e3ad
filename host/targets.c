/* The run's target list and --targets FILE (see targets.h). */
#include "targets.h"
#include "guestctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gc_targets_add(struct gc_ctx *ctx, const struct gc_target *t)
{
	if (ctx->ntargets >= GC_MAX_TARGETS)
		return -1;
	if (ctx->ntargets == ctx->targets_cap) {
		size_t cap = ctx->targets_cap ? ctx->targets_cap * 2 : 16;
		struct gc_target *n = realloc(ctx->targets, cap * sizeof *n);

		if (!n)
			return -1;
		ctx->targets = n;
		ctx->targets_cap = cap;
	}
	ctx->targets[ctx->ntargets++] = *t;
	return 0;
}

static char *trim(char *s)
{
	size_t n = strlen(s);

	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Skip the rest of an overlong line. */
static void skip_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

static int load_lines(struct gc_ctx *ctx, FILE *f, const char *path)
{
	char line[GC_TARGET_LINE_MAX + 2]; /* the line, '\n' and NUL */
	struct gc_target t;

	for (unsigned long no = 1; fgets(line, sizeof line, f); no++) {
		size_t n = strlen(line);
		char *text;

		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			skip_line(f);
			fprintf(stderr, "guestctl: %s:%lu: line longer than %d "
				"bytes\n", path, no, GC_TARGET_LINE_MAX);
			return GC_EXIT_USAGE;
		}
		text = trim(line);
		if (!*text || *text == '#')
			continue;
		if (gc_target_parse(&t, text)) {
			fprintf(stderr, "guestctl: %s:%lu: bad target '%s' (want "
				"unix:PATH, vsock:CID[:PORT] or hybrid:PATH[:PORT])\n",
				path, no, text);
			return GC_EXIT_USAGE;
		}
		if (gc_targets_add(ctx, &t)) {
			fprintf(stderr, "guestctl: %s:%lu: more than %d targets\n",
				path, no, GC_MAX_TARGETS);
			return GC_EXIT_USAGE;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "guestctl: %s: %s\n", path, strerror(errno));
		return GC_EXIT_USAGE;
	}
	return GC_EXIT_OK;
}

int gc_targets_load(struct gc_ctx *ctx, const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	int rc;

	if (!f) {
		fprintf(stderr, "guestctl: --targets %s: %s\n", path,
			strerror(errno));
		return GC_EXIT_USAGE;
	}
	rc = load_lines(ctx, f, is_stdin ? "stdin" : path);
	if (!is_stdin)
		fclose(f);
	return rc;
}
