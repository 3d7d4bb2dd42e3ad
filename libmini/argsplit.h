/*
 * Split a command line into argv in place, without a shell: words are
 * separated by blanks; '...' keeps everything literally, "..." keeps
 * blanks, a backslash outside single quotes takes the next character
 * literally. Used for exec= and shutdown-cmd= values.
 */
#ifndef GD_ARGSPLIT_H
#define GD_ARGSPLIT_H

#include <stddef.h>

/*
 * Rewrite buf (NUL-terminated) in place and point argv[0..n-1] into it,
 * argv[n] = NULL. Returns n, or -1 with *err set when there are more than
 * max words or a quote is left open. max + 1 entries of argv are used.
 */
int gd_argv_split(char *buf, char **argv, int max, const char **err);

#endif
