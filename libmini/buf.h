/*
 * Bounded byte buffers and little-endian field helpers.
 *
 * A gd_buf is a caller-owned array with a fill length; nothing here
 * allocates. Appends that would overflow fail with -1 and leave the buffer
 * untouched, so a partial write never corrupts what is already there.
 */
#ifndef GD_BUF_H
#define GD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct gd_buf {
	uint8_t *data;
	size_t cap;
	size_t len;
};

/* Point b at storage[cap], empty. */
void gd_buf_init(struct gd_buf *b, void *storage, size_t cap);
/* Free room left at the end. */
size_t gd_buf_room(const struct gd_buf *b);
/* Append n bytes; 0 on success, -1 (nothing written) if they do not fit. */
int gd_buf_put(struct gd_buf *b, const void *src, size_t n);
int gd_buf_put_u8(struct gd_buf *b, uint8_t v);
int gd_buf_put_u16(struct gd_buf *b, uint16_t v);
int gd_buf_put_u32(struct gd_buf *b, uint32_t v);
int gd_buf_put_u64(struct gd_buf *b, uint64_t v);
/* Drop the first n bytes (n <= len), moving the rest to the front. */
void gd_buf_consume(struct gd_buf *b, size_t n);

/*
 * Little-endian loads and stores on raw memory. Each is one move on x86;
 * -Os left them as calls, which cost more than the move on every header
 * and TLV, so they are inlined by force.
 */
#define GD_INLINE static inline __attribute__((always_inline))

GD_INLINE uint16_t gd_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

GD_INLINE uint32_t gd_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

GD_INLINE uint64_t gd_get_u64(const uint8_t *p)
{
	return (uint64_t)gd_get_u32(p) | ((uint64_t)gd_get_u32(p + 4) << 32);
}

GD_INLINE void gd_set_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

GD_INLINE void gd_set_u32(uint8_t *p, uint32_t v)
{
	gd_set_u16(p, (uint16_t)v);
	gd_set_u16(p + 2, (uint16_t)(v >> 16));
}

GD_INLINE void gd_set_u64(uint8_t *p, uint64_t v)
{
	gd_set_u32(p, (uint32_t)v);
	gd_set_u32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Copy the NUL-terminated src into dst[cap], always terminating.
 * Returns the length of src; a result >= cap means it was truncated.
 */
size_t gd_strlcpy(char *dst, const char *src, size_t cap);

/*
 * 1 when the n bytes at p and q are equal, else 0: 16 bytes a step,
 * where musl's memcmp takes one (KV keys and values are compared on
 * every request that names them).
 */
int gd_mem_eq(const void *p, const void *q, size_t n);

/*
 * memcpy of n bytes, 16 a step: -Os makes a memcpy of unknown length one
 * rep movsb, which took three to four times as long on the 64 to 69
 * bytes of a PING template or a KV value (AMD EPYC; callgrind counts it
 * one instruction a byte).
 */
void gd_copy(void *dst, const void *src, size_t n);

#endif
