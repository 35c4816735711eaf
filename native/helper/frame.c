#include "frame.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void frame_put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t frame_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint16_t frame_get_u16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* One read, from the leftover bytes first. Returns bytes, 0 at EOF, -1
 * with errno (EAGAIN included: the caller polls). */
static ssize_t take(struct frame_reader *r, int fd, void *buf, size_t len)
{
	ssize_t n;

	if (r->pre_len > 0) {
		size_t k = len < r->pre_len ? len : r->pre_len;

		memcpy(buf, r->pre, k);
		r->pre += k;
		r->pre_len -= k;
		return (ssize_t)k;
	}
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static enum frame_step protocol_error(void)
{
	errno = EPROTO;
	return FRAME_ERROR;
}

/* A short read is not an error: EOF only counts between frames. */
static enum frame_step short_or_fail(const struct frame_reader *r, ssize_t n)
{
	if (n < 0)
		return errno == EAGAIN ? FRAME_AGAIN : FRAME_ERROR;
	if (r->hdr_len == 0 && !r->in_body)
		return FRAME_EOF;
	return protocol_error();
}

static enum frame_step begin_body(struct frame_reader *r, size_t *n)
{
	r->type = r->hdr[0];
	r->left = frame_get_u32(r->hdr + 1);
	r->hdr_len = 0;
	r->arg_len = 0;
	if ((r->type == FRAME_CLOSE && r->left != 0) ||
	    (r->type == FRAME_RESIZE && r->left != sizeof(r->arg)) ||
	    (r->type != FRAME_DATA && r->type != FRAME_CLOSE && r->type != FRAME_RESIZE))
		return protocol_error();
	if (r->left > 0) {
		r->in_body = true;
		return FRAME_AGAIN;
	}
	*n = 0;
	/* An empty data frame is acknowledged like any other. */
	return r->type == FRAME_DATA ? FRAME_PAYLOAD : FRAME_CONTROL;
}

static enum frame_step read_body(struct frame_reader *r, int fd, void *buf, size_t cap, size_t *n)
{
	ssize_t got;

	if (r->type == FRAME_DATA) {
		got = take(r, fd, buf, r->left < cap ? r->left : cap);
		if (got <= 0)
			return short_or_fail(r, got);
		r->left -= (uint32_t)got;
		r->in_body = r->left > 0;
		*n = (size_t)got;
		return FRAME_PAYLOAD;
	}
	got = take(r, fd, r->arg + r->arg_len, r->left);
	if (got <= 0)
		return short_or_fail(r, got);
	r->arg_len += (size_t)got;
	r->left -= (uint32_t)got;
	r->in_body = r->left > 0;
	return r->in_body ? FRAME_AGAIN : FRAME_CONTROL;
}

enum frame_step frame_read(struct frame_reader *r, int fd, void *buf, size_t cap, size_t *n)
{
	ssize_t got;

	*n = 0;
	if (r->in_body)
		return read_body(r, fd, buf, cap, n);
	got = take(r, fd, r->hdr + r->hdr_len, FRAME_HDR - r->hdr_len);
	if (got <= 0)
		return short_or_fail(r, got);
	r->hdr_len += (size_t)got;
	if (r->hdr_len < FRAME_HDR)
		return FRAME_AGAIN;
	return begin_body(r, n);
}
