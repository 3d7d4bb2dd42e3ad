/*
 * ~/.ssh/authorized_keys edited as qemu-ga 7.2 edits it: the file is its
 * text split at every '\n' (an empty file has no lines, a final newline
 * makes a last empty one), keys are added or removed as whole lines, and
 * the lines are joined with '\n' again (no newline after the last).
 * Pure functions on caller buffers; nothing allocates.
 */
#ifndef GD_AUTHKEYS_H
#define GD_AUTHKEYS_H

#include <stddef.h>

#define GD_AK_TOO_BIG (-1) /* the result does not fit in out[cap] */

/* qemu-ga's check: not empty-pointer, no leading '#', no newline. */
int gd_ak_key_ok(const char *key, size_t len);
/*
 * Lines of text[len] (none when have is 0: no file, or reset) followed by
 * each of keys[n] that is not a line yet, into out[cap]: the new length
 * or GD_AK_TOO_BIG.
 */
long gd_ak_add(const char *text, size_t len, int have,
	       const char *const *keys, size_t n, char *out, size_t cap);
/* The lines of text[len] equal to none of keys[n], into out[cap]. */
long gd_ak_remove(const char *text, size_t len, const char *const *keys,
		  size_t n, char *out, size_t cap);
/*
 * The keys guest-ssh-get-authorized-keys lists, last line first (qemu-ga
 * prepends): from *end (start with len + 1) back, each line with blanks
 * trimmed, skipping empty and '#' ones. Returns the key's length with
 * *key set, or -1 when no line is left.
 */
long gd_ak_prev_key(const char *text, size_t *end, const char **key);

#endif
