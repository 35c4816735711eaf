/* Control frames (PROTOCOL.md, "Attach"): what an attach client sends the
 * monitor, and what the engine sends an exec helper on fd 3 after the
 * spec. A 5-byte header (type, u32 LE length) and a payload. */
#ifndef BERTH_FRAME_H
#define BERTH_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HDR 5
#define FRAME_DATA 'd'   /* bytes for the container's stdin */
#define FRAME_CLOSE 'c'  /* end of stdin; no payload */
#define FRAME_RESIZE 'r' /* u16 LE columns, u16 LE rows */
#define FRAME_ACK 'a'    /* monitor to client: u32 LE errno, 0 = done */

enum frame_step {
	FRAME_AGAIN,   /* nothing complete yet (or EAGAIN) */
	FRAME_PAYLOAD, /* *n bytes of a data frame are in buf; r->left remain */
	FRAME_CONTROL, /* a close or resize frame is complete: r->type, r->arg */
	FRAME_EOF,     /* the peer closed between frames */
	FRAME_ERROR,   /* errno set; EPROTO for a malformed frame or EOF inside one */
};

struct frame_reader {
	unsigned char hdr[FRAME_HDR];
	size_t hdr_len;
	bool in_body;
	unsigned char type;
	uint32_t left;         /* payload bytes still to come */
	unsigned char arg[4];  /* a resize frame's payload */
	size_t arg_len;
	const char *pre;       /* bytes already read from fd by someone else */
	size_t pre_len;
};

/* Does at most one read() on fd (none while pre holds bytes). A data
 * frame's payload goes to buf, at most cap bytes at a time. */
enum frame_step frame_read(struct frame_reader *r, int fd, void *buf, size_t cap, size_t *n);

/* Little-endian fields of the header and payloads. */
void frame_put_u32(unsigned char *p, uint32_t v);
uint32_t frame_get_u32(const unsigned char *p);
uint16_t frame_get_u16(const unsigned char *p);

#endif
