#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int pty_open(int *master, int *slave, struct failure *f)
{
	int unlock = 0;

	*slave = -1;
	*master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (*master < 0)
		return fail(f, "tty", errno, "open the container's /dev/ptmx");
	if (ioctl(*master, TIOCSPTLCK, &unlock) < 0)
		return fail(f, "tty", errno, "unlock the pty");
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0)
		return fail(f, "tty", errno, "open the pty's peer");
	return 0;
}

int pty_attach(int slave, struct failure *f)
{
	if (setsid() < 0)
		return fail(f, "tty", errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return fail(f, "tty", errno, "make the pty the controlling terminal");
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return fail(f, "tty", errno, "dup2 the pty onto fd %d", fd);
	if (slave > 2 && close(slave) < 0)
		return fail(f, "tty", errno, "close the pty fd");
	return 0;
}

int pty_resize(int master, unsigned cols, unsigned rows)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		return errno;
	return 0;
}
