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

/* Little-endian loads and stores on raw memory. */
uint16_t gd_get_u16(const uint8_t *p);
uint32_t gd_get_u32(const uint8_t *p);
uint64_t gd_get_u64(const uint8_t *p);
void gd_set_u16(uint8_t *p, uint16_t v);
void gd_set_u32(uint8_t *p, uint32_t v);
void gd_set_u64(uint8_t *p, uint64_t v);

/*
 * Copy the NUL-terminated src into dst[cap], always terminating.
 * Returns the length of src; a result >= cap means it was truncated.
 */
size_t gd_strlcpy(char *dst, const char *src, size_t cap);

/*
 * 1 when the n bytes at p and q are equal, else 0: eight bytes a step,
 * where musl's memcmp takes one (KV keys and values are compared on
 * every request that names them).
 */
int gd_mem_eq(const void *p, const void *q, size_t n);

#endif
