/* A connection's session, reset as a whole. */
#include <stddef.h>
#include <string.h>

#include "conn.h"
#include "kv.h"

void gd_session_reset(struct gd_session *s, enum gd_proto proto)
{
	/* Everything before the input buffer's pointer, auth keys included. */
	memset(s, 0, offsetof(struct gd_session, in));
	s->proto = proto;
	s->kv_role = GD_KV_ROLE_HOST;
	s->ops = gd_proto_ops(proto);
	s->ops->in_reset(s->in);
}
