/*
 * guest-shutdown on guestd's shutdown sequence (shutdown.c): as PID 1 the
 * ordered one (workload SIGTERM, the --shutdown-grace wait, SIGKILL,
 * sync, reboot(2)), otherwise a request to the running init. Success has
 * no answer, as with qemu-ga: the host sees the guest go away. The
 * sequence starts on the next loop tick, after this pass's output is
 * written (a guest-sync-delimited answer sent with it still leaves).
 */
#include <stdio.h>
#include <string.h>

#include "pid1.h"
#include "qga.h"

int gd_qga_cmd_shutdown(struct gd_qga_call *call)
{
	static const struct { const char *name; int mode; } modes[] = {
		{ "powerdown", GD_SD_POWEROFF },
		{ "halt", GD_SD_HALT },
		{ "reboot", GD_SD_REBOOT },
	};
	struct gd_qga_req *req = call->req;
	int tok = gd_qga_member(req, req->arguments, "mode");
	const char *err = NULL;
	char why[GD_SD_WHY_MAX];
	int mode = -1;

	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (tok < 0 ? i == 0 : gd_qga_str_eq(req, tok, modes[i].name))
			mode = modes[i].mode;
	if (mode < 0) /* qemu-ga's text, its missing parenthesis included */
		return gd_qga_fail(call, "GenericError",
				   "mode is invalid (valid values are: "
				   "halt|powerdown|reboot");
	snprintf(why, sizeof why, "guest-shutdown from the host (%.50s)",
		 call->conn->peer);
	if (gd_shutdown_request(call->agent, mode,
				call->agent->cfg.shutdown_grace_ms, 0, why,
				&err) != GD_S_OK)
		return gd_qga_fail(call, "GenericError", "%s",
				   err ? err : "shutdown refused");
	call->no_response = 1;
	return 0;
}
