/* Base64 arguments of QGA commands (qga_ops.h), decoded as qemu-ga does. */
#include "base64.h"
#include "qga_ops.h"

long gd_qga_arg_b64(struct gd_qga_call *call, const char *name, uint8_t *out,
		    size_t cap)
{
	static char text[GD_JF_TEXT_MAX + 1]; /* the unescaped string */
	long n = gd_qga_get_str(call->req, gd_qga_arg(call->req, name), text,
				sizeof text);
	long len;

	if (n < 0)
		return gd_qga_fail(call, "GenericError",
				   "Invalid parameter type for '%s', expected: string",
				   name);
	len = gd_b64_decode(text, (size_t)n, out, cap);
	if (len == GD_B64_BAD_CHAR)
		return gd_qga_fail(call, "GenericError",
				   "Base64 data contains invalid characters");
	if (len == GD_B64_TOO_BIG)
		return gd_qga_fail(call, "GenericError",
				   "%s decodes to more than %zu bytes", name, cap);
	return len;
}
