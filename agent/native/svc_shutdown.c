/*
 * SHUTDOWN: validate, hand to shutdown.c, acknowledge. The sequence itself
 * starts on the next loop tick, after this answer is written.
 * Also the workload and shutdown state that PING and INFO report.
 */
#include <stdio.h>
#include <sys/wait.h>

#include "native.h"
#include "pid1.h"

static int get_u8(const struct gd_frame *f, uint16_t type, uint8_t *v,
		  struct gd_req *r)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv) != 0)
		return GD_S_OK;
	if (gd_tlv_get_u8(&tv, v)) {
		r->errmsg = type == GD_T_FORCE ? "FORCE must be a u8"
					       : "SHUTDOWN_MODE must be a u8";
		return GD_S_BAD_TLV;
	}
	return GD_S_OK;
}

static int parse(struct gd_req *r, uint8_t *mode, uint32_t *grace,
		 uint8_t *force)
{
	const struct gd_frame *f = r->frame;
	struct gd_tlv_view tv;
	int st;

	st = get_u8(f, GD_T_SHUTDOWN_MODE, mode, r);
	if (st == GD_S_OK)
		st = get_u8(f, GD_T_FORCE, force, r);
	if (st != GD_S_OK)
		return st;
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_GRACE_MS, &tv) == 0 &&
	    gd_tlv_get_u32(&tv, grace)) {
		r->errmsg = "GRACE_MS must be a u32";
		return GD_S_BAD_TLV;
	}
	if (!gd_sd_mode_name(*mode)) {
		r->errmsg = "mode must be 0 poweroff, 1 reboot or 2 halt";
		return GD_S_BAD_VALUE;
	}
	if (*grace > GD_SD_GRACE_MAX_MS) {
		r->errmsg = "grace over 3600000 ms";
		return GD_S_BAD_VALUE;
	}
	if (*force > 1) {
		r->errmsg = "force must be 0 or 1";
		return GD_S_BAD_VALUE;
	}
	return GD_S_OK;
}

int gd_svc_shutdown(struct gd_req *r)
{
	const struct gd_shutdown *sd = &r->agent->init->sd;
	uint8_t mode = GD_SD_POWEROFF, force = 0;
	uint32_t grace = GD_SD_GRACE_DEFAULT_MS;
	char why[GD_SD_WHY_MAX];
	int st = parse(r, &mode, &grace, &force);

	if (st != GD_S_OK)
		return st;
	snprintf(why, sizeof why, "request from the host (%.50s)", r->conn->peer);
	st = gd_shutdown_request(r->agent, mode, grace, force, why, &r->errmsg);
	if (st != GD_S_OK)
		return st;
	if (gd_tlv_u8(r->w, GD_T_SHUTDOWN_MODE, (uint8_t)sd->mode) ||
	    gd_tlv_u32(r->w, GD_T_GRACE_MS, sd->grace_ms) ||
	    gd_tlv_u8(r->w, GD_T_FORCE, (uint8_t)sd->force) ||
	    gd_tlv_str(r->w, GD_T_SHUTDOWN_VIA, gd_init_name(sd->via)) ||
	    gd_tlv_u8(r->w, GD_T_SHUTDOWN_PHASE, (uint8_t)sd->phase))
		return GD_S_INTERNAL;
	return GD_S_OK;
}

static int put_exit(struct gd_req *r, uint32_t status)
{
	int s = (int)status;

	if (gd_tlv_u32(r->w, GD_T_EXIT_STATUS, status))
		return -1;
	if (WIFSIGNALED(s))
		return gd_tlv_u32(r->w, GD_T_EXIT_SIGNAL, (uint32_t)WTERMSIG(s));
	return gd_tlv_u32(r->w, GD_T_EXIT_CODE, (uint32_t)WEXITSTATUS(s));
}

uint64_t gd_svc_pid1_state_key(const struct gd_agent *a)
{
	const struct gd_pid1 *p = a->init;
	const struct gd_workload *wl = &p->wl;

	return (uint64_t)(wl->argc > 0) << 63 |
	       (uint64_t)(wl->have_status != 0) << 62 |
	       (uint64_t)(uint8_t)wl->state << 48 |
	       (uint64_t)(uint8_t)p->sd.phase << 40 |
	       (wl->have_status ? wl->status : 0);
}

int gd_svc_put_pid1_state(struct gd_req *r, int full)
{
	const struct gd_pid1 *p = r->agent->init;
	const struct gd_workload *wl = &p->wl;

	if (wl->argc > 0 && gd_tlv_u8(r->w, GD_T_WORKLOAD_STATE,
				      (uint8_t)wl->state))
		return -1;
	if (wl->have_status && put_exit(r, wl->status))
		return -1;
	if (gd_tlv_u8(r->w, GD_T_SHUTDOWN_PHASE, (uint8_t)p->sd.phase))
		return -1;
	if (!full)
		return 0;
	if (wl->pid > 0 && gd_tlv_u32(r->w, GD_T_WORKLOAD_PID, (uint32_t)wl->pid))
		return -1;
	if (wl->argc > 0 && gd_tlv_u32(r->w, GD_T_RESTARTS, wl->restarts))
		return -1;
	return gd_tlv_u64(r->w, GD_T_REAPED, p->reaped);
}
