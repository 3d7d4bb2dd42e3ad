/*
 * libFuzzer target for the QGA input path in libmini: bytes in any split
 * through the framer (jsonframe.c), each text through jsmn and the checks
 * (qga_req.c), then every getter, the argument rules and the QEMU-style
 * writer on what was accepted. `make fuzz` runs it with the other targets;
 * `make test` replays its seeds (gen_corpus.py) and finds (tests/fuzz/README.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json_out.h"
#include "jsonframe.h"
#include "qga_req.h"
#include "sandbox.h"

static struct gd_jf jf;
static struct gd_qga_tok tok[GD_QGA_MAX_TOKENS];
static struct gd_qga_req req;
static uint8_t out[2 * GD_JF_TEXT_MAX + 64];

static const struct gd_qga_param params[] = {
	{ "id", GD_QGA_P_INT, 0 },
	{ "mode", GD_QGA_P_STR, 1 },
};

static void use_text(const char *text, size_t len)
{
	char s[GD_JF_TEXT_MAX + 1];
	struct gd_buf b;
	struct gd_json j;
	int64_t v;

	if (gd_qga_parse(&req, text, len, tok, GD_QGA_MAX_TOKENS))
		return;
	gd_qga_get_str(&req, req.execute, s, sizeof s);
	for (int i = 0; i < req.ntok; i++) {
		gd_qga_get_int(&req, i, &v);
		gd_qga_get_str(&req, i, s, sizeof s);
	}
	gd_qga_check_args(&req, params, 2);
	if (req.id >= 0) {
		gd_buf_init(&b, out, sizeof out);
		gd_json_init_qmp(&j, &b);
		gd_qga_write_value(&req, req.id, &j);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gd_fuzz_sandbox(*argc, *argv);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	gd_jf_init(&jf);
	while (pos < size) {
		size_t room, n = 1 + data[pos] % 97; /* uneven chunks */
		char *dst = gd_jf_space(&jf, &room);
		const char *text;
		size_t len;
		int r;

		if (n > size - pos)
			n = size - pos;
		if (n > room)
			n = room;
		memcpy(dst, data + pos, n);
		gd_jf_commit(&jf, n);
		pos += n;
		while ((r = gd_jf_next(&jf, &text, &len)) != GD_JF_NEED)
			if (r == GD_JF_TEXT)
				use_text(text, len);
	}
	return 0;
}
