#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void gd_logf(const struct gd_log *log, int level, const char *fmt, ...)
{
	char line[GD_LOG_LINE_MAX];
	va_list ap;
	int n;

	if (!log || !log->sink || level > log->level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line)
		n = sizeof line - 1;
	log->sink(log->ctx, level, line, (size_t)n);
}

int gd_log_level_parse(const char *name)
{
	if (strcmp(name, "error") == 0)
		return GD_LOG_ERR;
	if (strcmp(name, "warn") == 0)
		return GD_LOG_WARN;
	if (strcmp(name, "info") == 0)
		return GD_LOG_INFO;
	if (strcmp(name, "debug") == 0)
		return GD_LOG_DEBUG;
	return -1;
}
