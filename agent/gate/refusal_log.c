/*
 * The one logger for refusals (peer gate, guest-local socket, auth): any
 * peer can cause them, so at most GD_REFUSAL_LOG_BURST lines are written
 * per GD_REFUSAL_LOG_WINDOW_NS and the rest are counted, then summed in
 * one line when the window ends (gd_refusal_log_tick).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "gate.h"
#include "sysinfo.h"

#define GD_REFUSAL_TEXT_MAX 224

static void summarise(struct gd_agent *a)
{
	if (a->refusals_unlogged)
		gd_logf(&a->log, GD_LOG_WARN,
			"%u more refusals not logged one by one (%llu in all)",
			a->refusals_unlogged,
			(unsigned long long)a->refusals);
	a->refusals_unlogged = 0;
}

void gd_refusal_log(struct gd_agent *a, const char *fmt, ...)
{
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);
	char text[GD_REFUSAL_TEXT_MAX];
	va_list ap;

	a->refusals++;
	if (!a->refusals_window || now - a->refusals_window >=
					   GD_REFUSAL_LOG_WINDOW_NS) {
		summarise(a);
		a->refusals_window = now;
		a->refusals_logged = 0;
	}
	if (a->refusals_logged >= GD_REFUSAL_LOG_BURST) {
		a->refusals_unlogged++;
		return;
	}
	a->refusals_logged++;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	gd_logf(&a->log, GD_LOG_WARN, "refused %s", text);
}

uint64_t gd_refusal_log_due(const struct gd_agent *a)
{
	return a->refusals_unlogged ? a->refusals_window +
					      GD_REFUSAL_LOG_WINDOW_NS
				    : GD_DUE_NEVER;
}

void gd_refusal_log_tick(struct gd_agent *a, uint64_t now)
{
	uint64_t due = gd_refusal_log_due(a);

	if (now >= due) {
		summarise(a);
		a->refusals_window = 0;
	}
}
