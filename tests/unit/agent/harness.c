/* The agent unit tests' shared setup (harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"
#include "kv.h"

struct gd_agent th_agent;
struct gd_net th_net;
struct gd_time_state th_time;
struct gd_pid1 th_pid1;
struct gd_kv th_kv;
struct gd_fsf_state th_fsfreeze;

static char last_line[GD_LOG_LINE_MAX + 1];

static void capture(void *ctx, int level, const char *msg, size_t len)
{
	(void)ctx;
	if (level > GD_LOG_INFO)
		return;
	if (len > GD_LOG_LINE_MAX)
		len = GD_LOG_LINE_MAX;
	memcpy(last_line, msg, len);
	last_line[len] = '\0';
}

const char *th_last_log(void)
{
	return last_line;
}

static int fixed_nonce(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)(0x40 + i);
	return 0;
}

void th_setup(void)
{
	struct gd_agent *a = &th_agent;

	memset(a, 0, sizeof *a);
	memset(&th_net, 0, sizeof th_net);
	memset(&th_time, 0, sizeof th_time);
	memset(&th_pid1, 0, sizeof th_pid1);
	memset(&th_kv, 0, sizeof th_kv);
	memset(&th_fsfreeze, 0, sizeof th_fsfreeze);
	a->net = &th_net;
	a->time = &th_time;
	a->init = &th_pid1;
	a->kv = &th_kv;
	a->fsfreeze = &th_fsfreeze;
	gd_config_defaults(&a->cfg);
	a->cfg.vsock = 0;
	a->cfg.local_sock[0] = '\0';
	a->cfg.state_dir[0] = '\0';
	a->cfg.serial[0] = '\0';
	a->cfg.qga_serial[0] = '\0';
	a->log.sink = capture;
	a->log.level = GD_LOG_DEBUG;
	a->sigfd = -1;
	a->uevent_fd = -1;
	a->time->jump_fd = -1;
	a->time->krun_fd = -1;
	a->fill_random = fixed_nonce;
	last_line[0] = '\0';
	gd_conns_init(a);
	gd_kv_start(a);
}

void th_setup_key(void)
{
	th_setup();
	th_agent.auth_on = 1;
	th_agent.key_ok = 1;
	for (size_t i = 0; i < GD_AUTH_KEY_LEN; i++)
		th_agent.key[i] = (uint8_t)i;
}

struct gd_conn *th_attach(int i, enum gd_proto proto)
{
	struct gd_conn *c = &th_net.conns[i];
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	gd_conn_attach(&th_agent, c, fd, "test", proto);
	return c;
}

void th_teardown(void)
{
	for (int i = 0; i < GD_MAX_CONNS; i++)
		gd_conn_close(&th_agent, &th_net.conns[i], "test over");
	if (th_agent.kv->dirfd >= 0)
		close(th_agent.kv->dirfd);
	th_agent.kv->dirfd = -1;
}

void th_req_begin(struct th_req *r, uint16_t op, uint32_t id, uint8_t flags)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .flags = flags,
			    .op = op, .id = id };

	gd_buf_init(&r->b, r->buf, sizeof r->buf);
	assert_int_equal(gd_frame_begin(&r->w, &r->b, &h), 0);
	r->len = 0;
}

size_t th_req_end(struct th_req *r)
{
	assert_int_equal(gd_frame_end(&r->w), 0);
	r->len = r->b.len;
	return r->len;
}

size_t th_bare(uint8_t *out, uint16_t op, uint32_t id, uint8_t flags)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .flags = flags,
			    .op = op, .id = id };

	gd_hdr_pack(&h, out);
	return GD_HDR_LEN;
}

void th_feed(struct gd_conn *c, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		size_t room, k;
		uint8_t *dst = c->sess.ops->in_space(c->sess.in, &room);

		assert_true(room > 0); /* processed input always frees room */
		k = n < room ? n : room;
		memcpy(dst, b, k);
		c->sess.ops->in_commit(c, k);
		b += k;
		n -= k;
		gd_conn_process(&th_agent, c);
	}
}

void th_send(struct gd_conn *c, struct th_req *r)
{
	th_feed(c, r->buf, r->len);
}

size_t th_drain(struct gd_conn *c, struct th_answer *ans, size_t max)
{
	static struct gd_decoder dec;
	const uint8_t *p = gd_out_data(c);
	size_t len = gd_out_len(c), n = 0;
	struct gd_frame f;

	gd_dec_init(&dec);
	while (len) {
		size_t k = gd_dec_feed(&dec, p, len);
		int r;

		p += k;
		len -= k;
		while ((r = gd_dec_next(&dec, &f)) == GD_DEC_FRAME) {
			assert_true(n < max);
			ans[n].hdr = f.hdr;
			memcpy(ans[n].payload, f.payload, f.hdr.length);
			ans[n].has_mac = f.mac != NULL;
			if (f.mac)
				memcpy(ans[n].mac, f.mac, GD_MAC_LEN);
			assert_int_equal(gd_tlv_check(f.payload, f.hdr.length), 0);
			n++;
		}
		assert_int_equal(r, GD_DEC_NEED); /* no garbage, no bad header */
	}
	assert_false(gd_dec_partial(&dec)); /* whole frames only */
	gd_out_reset(c);
	return n;
}

void th_one(struct gd_conn *c, struct th_answer *ans)
{
	assert_int_equal(th_drain(c, ans, 1), 1);
}

int th_tlv(const struct th_answer *a, uint16_t type, struct gd_tlv_view *tv)
{
	return gd_tlv_find(a->payload, a->hdr.length, type, tv);
}

const char *th_message(const struct th_answer *a)
{
	static char msg[GD_MAX_STR + 1];
	struct gd_tlv_view tv;

	msg[0] = '\0';
	if (th_tlv(a, GD_T_MESSAGE, &tv) == 0)
		assert_int_equal(gd_tlv_get_str(&tv, msg, sizeof msg), 0);
	return msg;
}

int th_fixture_setup(void **state)
{
	(void)state;
	th_setup();
	return 0;
}

int th_fixture_setup_key(void **state)
{
	(void)state;
	th_setup_key();
	return 0;
}

int th_fixture_teardown(void **state)
{
	(void)state;
	th_teardown();
	return 0;
}
