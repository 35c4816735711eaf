/* exec with tty=1: copies the helper's stdin to the pty master and the
 * master to the helper's stdout, without ever blocking on the master. */
#ifndef BERTH_TTYRELAY_H
#define BERTH_TTYRELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

struct relay {
	int in_fd;
	int master;
	int out_fd;
	char in_buf[4096];
	size_t in_len;
	size_t in_off;
	bool in_done;     /* stdin ended or failed: stop reading it */
	bool out_done;    /* the master said EOF/EIO: the terminal is gone */
	bool out_broken;  /* stdout failed: output is read and dropped */
};

void relay_init(struct relay *r, int in_fd, int master, int out_fd);

/* What to poll for on stdin and the master. */
void relay_events(const struct relay *r, struct pollfd *in, struct pollfd *master);

void relay_handle(struct relay *r, const struct pollfd *in, const struct pollfd *master);

/* Copies whatever the terminal still holds (after the command ended). */
void relay_drain(struct relay *r);

#endif
