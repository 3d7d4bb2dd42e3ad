/*
 * guestctl kv get|set|del|list|wait: the host side of the KV exchange.
 * The host writes the host pool and reads what the guest published, so
 * set and del default to --pool host, get, list and wait to --pool guest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guestctl.h"
#include "json_out.h"
#include "kvtable.h"
#include "proto_kv.h"
#include "sysinfo.h"
#include "utf8.h"

enum kv_sub { KV_GET, KV_SET, KV_DEL, KV_LIST, KV_WAIT };
enum kv_phase { PH_WATCH, PH_GET, PH_WAITING, PH_LIST, PH_ONE };

struct kv_args {
	enum kv_sub sub;
	int pool, keys_only, change, wait_ms;
	const char *key;
	const uint8_t *value; /* set: the value; wait: the value waited for */
	size_t vlen;
	uint8_t stdin_value[GD_KV_VALUE_MAX + 1];
};

struct kv_run { /* in gc_run.scratch */
	enum kv_phase phase;
	uint32_t cursor, listed;
};

static struct kv_args args;
static const char *const pool_names[GD_KV_NPOOLS] = { "host", "guest", "auto" };
static const char *const sub_names[] = { "get", "set", "del", "list", "wait" };

static const char usage_text[] =
	"usage: guestctl kv get  [--pool P] KEY\n"
	"       guestctl kv set  [--pool P] KEY [VALUE]   (no VALUE: stdin)\n"
	"       guestctl kv del  [--pool P] KEY\n"
	"       guestctl kv list [--pool P] [--keys]\n"
	"       guestctl kv wait [--pool P] [--change] [--for MS] KEY [VALUE]\n"
	"pools: host (set/del default), guest (get/list/wait default), auto\n";

static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "guestctl kv: %s%s%s\n%s", what, arg ? ": " : "",
		arg ? arg : "", usage_text);
	return GC_EXIT_USAGE;
}

static int read_stdin(void)
{
	size_t len = 0;

	while (len < sizeof args.stdin_value) {
		ssize_t n = read(STDIN_FILENO, args.stdin_value + len,
				 sizeof args.stdin_value - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return usage("cannot read stdin", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	args.value = args.stdin_value;
	args.vlen = len; /* one byte over the limit lets the agent say TOO_BIG */
	return GC_EXIT_OK;
}

static int parse_flag(int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	char *end;

	if (strcmp(a, "--keys") == 0) {
		args.keys_only = 1;
	} else if (strcmp(a, "--change") == 0) {
		args.change = 1;
	} else if (strcmp(a, "--pool") == 0 && *i + 1 < argc) {
		args.pool = -1;
		for (int p = 0; p < GD_KV_NPOOLS; p++)
			if (strcmp(argv[*i + 1], pool_names[p]) == 0)
				args.pool = p;
		if (args.pool < 0)
			return usage("unknown pool", argv[*i + 1]);
		(*i)++;
	} else if (strcmp(a, "--for") == 0 && *i + 1 < argc) {
		long v = strtol(argv[++*i], &end, 10);

		if (*end || end == argv[*i] || v <= 0 || v > 86400000L)
			return usage("bad --for", argv[*i]);
		args.wait_ms = (int)v;
	} else {
		return usage("unknown or incomplete flag", a);
	}
	return GC_EXIT_OK;
}

static int kv_parse(struct gc_ctx *ctx, int argc, char **argv)
{
	const char *pos[3] = { NULL, NULL, NULL };
	int npos = 0, r;

	(void)ctx;
	args.pool = -2; /* not given */
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			if ((r = parse_flag(argc, argv, &i)))
				return r;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			return usage("too many arguments", argv[i]);
		}
	}
	if (!pos[0])
		return usage("no subcommand", NULL);
	r = -1;
	for (size_t s = 0; s < sizeof sub_names / sizeof sub_names[0]; s++)
		if (strcmp(pos[0], sub_names[s]) == 0)
			r = (int)s;
	if (r < 0)
		return usage("unknown subcommand", pos[0]);
	args.sub = (enum kv_sub)r;
	args.key = pos[1];
	if (args.pool == -2)
		args.pool = args.sub == KV_SET || args.sub == KV_DEL
				    ? GD_KV_POOL_HOST : GD_KV_POOL_GUEST;
	if (args.sub != KV_LIST && !args.key)
		return usage("KEY is required", NULL);
	if (args.sub == KV_LIST && args.key)
		return usage("list takes no KEY", args.key);
	if (pos[2] && args.sub != KV_SET && args.sub != KV_WAIT)
		return usage("too many arguments", pos[2]);
	if (pos[2]) {
		args.value = (const uint8_t *)pos[2];
		args.vlen = strlen(pos[2]);
	} else if (args.sub == KV_SET) {
		return read_stdin();
	}
	return GC_EXIT_OK;
}

static struct gd_frame_writer *request(struct gc_run *r, uint16_t op)
{
	struct gd_frame_writer *w = gc_req_begin(r, op);

	gd_tlv_u8(w, GD_T_KV_POOL, (uint8_t)args.pool);
	if (args.key && op != GD_OP_KV_LIST && op != GD_OP_KV_WATCH)
		gd_tlv_str(w, GD_T_KV_KEY, args.key);
	return w;
}

static int send_get(struct gc_run *r, struct kv_run *k)
{
	k->phase = PH_GET;
	request(r, GD_OP_KV_GET);
	return GC_STEP_SEND;
}

static int send_list(struct gc_run *r, struct kv_run *k)
{
	struct gd_frame_writer *w = request(r, GD_OP_KV_LIST);

	k->phase = PH_LIST;
	gd_tlv_u32(w, GD_T_KV_CURSOR, k->cursor);
	if (args.keys_only)
		gd_tlv_u8(w, GD_T_KV_KEYS_ONLY, 1);
	return GC_STEP_SEND;
}

static int first_step(struct gc_run *r, struct kv_run *k)
{
	struct gd_frame_writer *w;

	memset(k, 0, sizeof *k);
	if (!(r->agent_caps & GD_CAP_KV))
		return gc_done_fail(r, GC_EXIT_AGENT, "the agent has no KV");
	switch (args.sub) {
	case KV_GET:
		return send_get(r, k);
	case KV_LIST:
		return send_list(r, k);
	case KV_WAIT:
		k->phase = PH_WATCH; /* watch first: no change slips between */
		request(r, GD_OP_KV_WATCH);
		return GC_STEP_SEND;
	default:
		k->phase = PH_ONE;
		w = request(r, args.sub == KV_SET ? GD_OP_KV_SET : GD_OP_KV_DEL);
		if (args.sub == KV_SET &&
		    gd_tlv_bytes(w, GD_T_KV_VALUE, args.value, args.vlen))
			return gc_done_fail(r, GC_EXIT_USAGE,
					    "key and value do not fit a frame");
		return GC_STEP_SEND;
	}
}

/* A value as JSON: a string when it is UTF-8, else hex. */
static void json_value(struct gd_json *j, const uint8_t *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	static char text[2 * GD_KV_VALUE_MAX + 1];

	if (gd_utf8_valid(v, n)) {
		gd_json_key(j, "value");
		gd_json_strn(j, (const char *)v, n);
		return;
	}
	for (size_t i = 0; i < n && i < GD_KV_VALUE_MAX; i++) {
		text[2 * i] = hex[v[i] >> 4];
		text[2 * i + 1] = hex[v[i] & 15];
	}
	gd_json_key(j, "value_hex");
	gd_json_strn(j, text, 2 * (n < GD_KV_VALUE_MAX ? n : GD_KV_VALUE_MAX));
}

/* One entry; a get/wait result also says "command" and "ok". */
static void print_json_entry(const struct gc_run *r, const struct gd_tlv_view *key,
			     const struct gd_tlv_view *val)
{
	static uint8_t storage[GD_MAX_PAYLOAD * 3];
	struct gd_buf b;
	struct gd_json j;

	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "target");
	gd_json_str(&j, r->target->desc);
	if (args.sub != KV_LIST) {
		gd_json_key(&j, "command");
		gd_json_str(&j, "kv");
		gd_json_key(&j, "subcommand");
		gd_json_str(&j, sub_names[args.sub]);
		gd_json_key(&j, "ok");
		gd_json_bool(&j, 1);
	}
	gd_json_key(&j, "pool");
	gd_json_str(&j, pool_names[args.pool]);
	gd_json_key(&j, "key");
	gd_json_strn(&j, (const char *)key->val, key->len);
	if (val)
		json_value(&j, val->val, val->len);
	gd_json_obj_end(&j);
	if (gd_json_ok(&j))
		printf("%.*s\n", (int)b.len, (const char *)b.data);
}

/* Values may hold any byte: escape what would break a line. */
static void print_escaped(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\')
			fputs("\\\\", stdout);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else if (p[i] == '\t')
			fputs("\\t", stdout);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			printf("\\x%02x", p[i]);
		else
			fputc(p[i], stdout);
	}
}

static void print_entry(const struct gc_run *r, const struct gd_tlv_view *key,
			const struct gd_tlv_view *val)
{
	if (r->ctx->json) {
		print_json_entry(r, key, val);
		return;
	}
	if (r->ctx->ntargets > 1)
		printf("%s\t", r->target->desc);
	fwrite(key->val, 1, key->len, stdout);
	if (val) {
		fputc('\t', stdout);
		print_escaped(val->val, val->len);
	}
	fputc('\n', stdout);
}

/* Print one LIST page; returns 1 when the answer says more follow. */
static int list_page(struct gc_run *r, struct kv_run *k, const struct gd_frame *f)
{
	struct gd_tlv_view tv, key = { 0 };
	size_t off = 0;
	int have_key = 0, more = 0;

	while (gd_tlv_next(f->payload, f->hdr.length, &off, &tv) == 1) {
		if (have_key && tv.type != GD_T_KV_VALUE) {
			print_entry(r, &key, NULL); /* --keys */
			k->listed++;
			have_key = 0;
		}
		if (tv.type == GD_T_KV_KEY) {
			key = tv;
			have_key = 1;
		} else if (tv.type == GD_T_KV_VALUE && have_key) {
			print_entry(r, &key, &tv);
			k->listed++;
			have_key = 0;
		} else if (tv.type == GD_T_KV_CURSOR &&
			   gd_tlv_get_u32(&tv, &k->cursor) == 0) {
			more = 1;
		}
	}
	if (have_key) {
		print_entry(r, &key, NULL);
		k->listed++;
	}
	fflush(stdout);
	return more;
}

static int event_concerns(const struct gd_frame *f, uint8_t *change)
{
	struct gd_tlv_view tv;
	uint8_t pool;

	if (f->hdr.op != GD_EV_KV_CHANGED ||
	    gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_CHANGE, &tv) ||
	    gd_tlv_get_u8(&tv, change))
		return 0;
	if (*change == GD_KV_CHANGE_OVERFLOW)
		return 1; /* missed events may hide ours: look again */
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_POOL, &tv) ||
	    gd_tlv_get_u8(&tv, &pool) || pool != args.pool ||
	    gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_KEY, &tv))
		return 0;
	return tv.len == strlen(args.key) && memcmp(tv.val, args.key, tv.len) == 0;
}

static int go_wait(struct gc_run *r, struct kv_run *k)
{
	k->phase = PH_WAITING;
	if (args.wait_ms && !r->wake_at)
		r->wake_at = r->started + (uint64_t)args.wait_ms * 1000000u;
	return GC_STEP_WAIT;
}

/* wait: a GET answer arrived. */
static int wait_got(struct gc_run *r, struct kv_run *k, const struct gd_frame *f)
{
	struct gd_tlv_view tv;

	if (f->hdr.status == GD_S_NOT_FOUND)
		return go_wait(r, k);
	if (f->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, f);
	if (!args.change && args.value &&
	    (gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_VALUE, &tv) ||
	     tv.len != args.vlen || memcmp(tv.val, args.value, tv.len)))
		return go_wait(r, k);
	return gc_done_ok(r, f);
}

static int wait_step(struct gc_run *r, struct kv_run *k, const struct gd_frame *f)
{
	uint8_t change;

	if (!f) /* r->woke: the --for time is up */
		return gc_done_fail(r, GC_EXIT_TIMEOUT, "timed out waiting for %s",
				    args.key);
	if (k->phase == PH_WATCH) {
		if (f->hdr.status != GD_S_OK)
			return gc_done_agent_error(r, f);
		return args.change ? go_wait(r, k) : send_get(r, k);
	}
	if (k->phase == PH_GET)
		return wait_got(r, k, f);
	if (!(f->hdr.flags & GD_F_EVENT) || !event_concerns(f, &change))
		return GC_STEP_WAIT;
	if (args.change && change == GD_KV_CHANGE_DEL)
		return gc_done_fail(r, GC_EXIT_AGENT, "%s was deleted", args.key);
	args.change = 0; /* a change happened: now any value will do */
	return send_get(r, k);
}

static int kv_step(struct gc_run *r, const struct gd_frame *f)
{
	struct kv_run *k = (struct kv_run *)r->scratch.bytes;

	if (!f && !r->woke)
		return first_step(r, k);
	if (args.sub == KV_WAIT)
		return wait_step(r, k, f);
	if (!f) /* only kv wait ever waits: a wake-up here is a bug */
		return gc_done_fail(r, GC_EXIT_PROTOCOL, "unexpected wake-up");
	if (f->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, f);
	if (k->phase == PH_LIST && list_page(r, k, f))
		return send_list(r, k);
	return gc_done_ok(r, f);
}

static void report_value(const struct gc_run *r)
{
	struct gd_tlv_view tv, key = { .val = (const uint8_t *)args.key };

	key.len = (uint16_t)strlen(args.key);
	if (gd_tlv_find(r->result, r->result_len, GD_T_KV_VALUE, &tv))
		return;
	if (r->ctx->json) {
		print_json_entry(r, &key, &tv);
		return;
	}
	if (r->ctx->ntargets > 1)
		printf("%s\t", r->target->desc);
	fwrite(tv.val, 1, tv.len, stdout);
	fputc('\n', stdout);
}

/* set, del, list: one JSON object per target ("count" for list). */
static void json_done(const struct gc_run *r, const struct kv_run *k)
{
	uint8_t storage[512];
	struct gd_buf b;
	struct gd_json j;

	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "target");
	gd_json_str(&j, r->target->desc);
	gd_json_key(&j, "command");
	gd_json_str(&j, "kv");
	gd_json_key(&j, "subcommand");
	gd_json_str(&j, sub_names[args.sub]);
	gd_json_key(&j, "ok");
	gd_json_bool(&j, 1);
	gd_json_key(&j, "pool");
	gd_json_str(&j, pool_names[args.pool]);
	if (args.sub == KV_LIST) {
		gd_json_key(&j, "count");
		gd_json_u64(&j, k->listed);
	}
	gd_json_obj_end(&j);
	if (gd_json_ok(&j))
		printf("%.*s\n", (int)b.len, (const char *)b.data);
}

static void kv_report(struct gc_run *r)
{
	const struct kv_run *k = (const struct kv_run *)r->scratch.bytes;

	if (r->exit_code != GC_EXIT_OK) {
		r->result_len = 0;
		gc_report_run(r); /* the error, human or JSON */
		return;
	}
	if (args.sub == KV_GET || args.sub == KV_WAIT)
		report_value(r);
	else if (r->ctx->json)
		json_done(r, k);
	else if (r->ctx->ntargets > 1 && args.sub != KV_LIST)
		printf("%s ok\n", r->target->desc);
	fflush(stdout);
}

const struct gc_cmd gc_cmd_kv = {
	.name = "kv",
	.usage = "kv get|set|del|list|wait [--pool host|guest|auto] ...   "
		 "key-value exchange",
	.parse = kv_parse,
	.step = kv_step,
	.report = kv_report,
};
