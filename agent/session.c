/* A connection's session, reset as a whole. */
#include <stddef.h>
#include <string.h>

#include "agent.h"

void gd_session_reset(struct gd_session *s, enum gd_proto proto)
{
	/* Everything before the input buffer's pointer, auth keys included. */
	memset(s, 0, offsetof(struct gd_session, in));
	s->proto = proto;
	s->kv_role = GD_KV_ROLE_HOST;
	if (proto == GD_PROTO_QGA)
		gd_jf_init(&s->in->qga);
	else
		gd_dec_init(&s->in->dec);
}
