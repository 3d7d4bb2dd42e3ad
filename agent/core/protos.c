/* Which front end speaks each protocol: the one place that knows them all. */
#include "buildopts.h"
#include "conn.h"
#include "native.h"
#include "qga.h"

const struct gd_proto_ops *gd_proto_ops(enum gd_proto proto)
{
#if GD_QGA
	if (proto == GD_PROTO_QGA)
		return &gd_qga_ops;
#else
	(void)proto;
#endif
	return &gd_native_ops;
}
