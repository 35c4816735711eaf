/* Status events on fd 4 and the failure record every setup step fills. */
#ifndef BERTH_REPORT_H
#define BERTH_REPORT_H

#include <stddef.h>
#include <sys/types.h>

#define STATUS_FD 4

/* A failed step, carried back up the call chain and finally reported as
 * `error\t<step>\t<errno>\t<message>`. */
struct failure {
	const char *step;
	int err;
	char msg[1024];
};

/* Fills *f and returns -1, so callers can `return fail(...)`. The message is
 * the printf context followed by ": strerror(err)" when err is not 0. */
int fail(struct failure *f, const char *step, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Renders the complete `error\t...\n` event line; returns its length. */
size_t failure_line(const struct failure *f, char *buf, size_t size);

void report_failure(const struct failure *f);

/* A forked child's failure travels to its parent as the raw record over
 * a CLOEXEC pipe; the step pointer stays valid because the child is a
 * copy of the parent's address space. EOF without a record means execve
 * succeeded: failure_receive returns 0 then, -1 with *f filled. */
void failure_send(int fd, const struct failure *f);
int failure_receive(int fd, struct failure *f);
void report_raw(const char *line, size_t len);
void report_pid(pid_t pid);
void report_started(void);
/* oom < 0 leaves the OOM field out (exec has none). */
void report_exit(int code, int sig, int oom);
/* `ack\t<errno>`: an exec's control frame took effect (0) or why not. */
void report_ack(int err);

/* The helper's own diagnostics on stderr, never container output. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
