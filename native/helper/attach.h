/* The monitor's attach socket (PROTOCOL.md, "Attach"): any process may
 * connect and send the container's stdin, close it, or resize its
 * terminal; each frame is acknowledged once it took effect. */
#ifndef BERTH_ATTACH_H
#define BERTH_ATTACH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "frame.h"
#include "report.h"

#define ATTACH_CLIENTS 8
/* The listener, the stdin sink, then one per client. */
#define ATTACH_SLOTS (2 + ATTACH_CLIENTS)
#define ATTACH_BUF 65536

struct attach_client {
	int fd;
	struct frame_reader in;
};

struct attach {
	const char *id;
	const char *name; /* the socket's name in its directory */
	int dir_fd;       /* the socket's directory (O_PATH), for bind and unlink */
	int listen_fd;
	int tty;          /* a dup of the terminal's master, -1 without tty */
	int sink;         /* the stdin pipe, or tty; -1 without open_stdin or once closed */
	int stdin_err;    /* what a data frame gets while sink is -1 */
	struct attach_client clients[ATTACH_CLIENTS];
	int owner;        /* the client whose bytes are pending, -1 if none (or gone) */
	bool owner_ends;  /* the pending bytes end its frame: ack when written */
	size_t len, off;
	unsigned char buf[ATTACH_BUF];
};

/* Sets every descriptor to -1. */
void attach_init(struct attach *a, const char *id);

/* Binds and listens on path (any length: it is bound through
 * /proc/self/fd/<dir>/<name>), replacing a stale socket there. */
int attach_listen(struct attach *a, const char *path, struct failure *f);

/* Where stdin goes (in_fd: the pipe, or -1) and the terminal's master
 * (-1 without tty; dup'ed, the caller keeps its own). Takes in_fd. */
int attach_set_stdio(struct attach *a, int in_fd, int master, bool open_stdin,
		     struct failure *f);

/* What to poll for, into ATTACH_SLOTS entries. */
void attach_events(const struct attach *a, struct pollfd *slots);

void attach_handle(struct attach *a, const struct pollfd *slots);

/* Closes every descriptor (clients see EOF) and removes the socket. */
void attach_close(struct attach *a);

#endif
