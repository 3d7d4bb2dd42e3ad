/*
 * Debian's libbearssl.a was compiled with _FORTIFY_SOURCE and calls the
 * glibc checking variants of memcpy, memmove and memset, which musl does
 * not provide. These do the same check: an overflow of the destination is
 * memory corruption, so trap rather than continue. Linked into the musl
 * build only.
 */
#include <stddef.h>
#include <string.h>

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t n, size_t dstlen);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dstlen)
{
	if (n > dstlen)
		__builtin_trap();
	return memset(dst, c, n);
}
