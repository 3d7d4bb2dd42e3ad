/*
 * Logging through a caller-supplied sink. libmini never writes to a fixed
 * place: the program decides (stderr, /dev/kmsg, nothing).
 */
#ifndef GD_LOG_H
#define GD_LOG_H

#include <stddef.h>

enum gd_log_level { GD_LOG_ERR = 3, GD_LOG_WARN = 4, GD_LOG_INFO = 6,
		    GD_LOG_DEBUG = 7 };

#define GD_LOG_LINE_MAX 512

typedef void (*gd_log_sink_fn)(void *ctx, int level, const char *msg,
			       size_t len);

struct gd_log {
	gd_log_sink_fn sink;
	void *ctx;
	int level; /* messages above this level are dropped */
};

/* Format a message (truncated to GD_LOG_LINE_MAX) and hand it to the sink. */
void gd_logf(const struct gd_log *log, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Map "error", "warn", "info", "debug" to a level; -1 if unknown. */
int gd_log_level_parse(const char *name);

#endif
