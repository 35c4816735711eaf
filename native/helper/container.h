/* Creating the container's init process and taking it through setup. */
#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H

#include <sys/types.h>

#include "report.h"
#include "spec.h"

struct container {
	pid_t pid;
	int out_fd;  /* read end of the init's stdout */
	int err_fd;  /* read end of the init's stderr */
	int exec_fd; /* CLOEXEC report pipe: EOF without data = execve done */
	int go_fd;   /* write end the blocked init waits on */
	int in_fd;   /* open_stdin without tty: the stdin pipe's write end (non-blocking), else -1 */
	int console_fd; /* tty: where the init sends the terminal's master, else -1 */
	int tty_fd;  /* tty: the master, once received (console_receive) */
};

/* Joins s->netns if given, then clones the init into new namespaces. The
 * init blocks until container_release(). */
int container_spawn(const struct spec *s, struct container *c, struct failure *f);

/* Lets the init run its setup and exec the command. */
int container_release(struct container *c, struct failure *f);

/* Waits until the init has exec'd (0) or failed; on failure *f holds the
 * step the init reported. */
int container_await_exec(struct container *c, struct failure *f);

/* The init ended before its release: its setup failed (*f gets the
 * step it reported) or it was killed. Always -1. */
int container_setup_failure(struct container *c, struct failure *f);

/* Kills and reaps an init that never got to run the command. */
void container_abort(struct container *c);

void container_close_fds(struct container *c);

#endif
