/* keygen PATH: a new shared key for guestd's key-file= and --key-file. */
#include <stdio.h>

#include "guestctl.h"
#include "keyfile.h"

static int keygen(struct gc_ctx *ctx, int argc, char **argv)
{
	uint8_t key[GD_AUTH_KEY_LEN];
	char err[256];
	int r;

	(void)ctx;
	if (argc != 2) {
		fprintf(stderr, "usage: guestctl keygen PATH\n");
		return GC_EXIT_USAGE;
	}
	if (gd_random(key, sizeof key)) {
		perror("guestctl keygen: getrandom");
		return GC_EXIT_USAGE;
	}
	r = gd_key_file_create(argv[1], key, err, sizeof err);
	gd_wipe(key, sizeof key);
	if (r) {
		fprintf(stderr, "guestctl keygen: %s\n", err);
		return GC_EXIT_USAGE;
	}
	printf("wrote a new key to %s (mode 0600): guestd key-file=%s, "
	       "guestctl --key-file %s\n", argv[1], argv[1], argv[1]);
	return GC_EXIT_OK;
}

const struct gc_cmd gc_cmd_keygen = {
	.name = "keygen",
	.usage = "keygen PATH           write a new authentication key (0600)",
	.local = keygen,
};
