#include "console.h"

#include <errno.h>
#include <unistd.h>

#include "fdpass.h"
#include "io.h"
#include "pty.h"

int console_setup(int sock, struct failure *f)
{
	int master = -1, slave = -1, rc;

	rc = pty_open(&master, &slave, f);
	if (rc == 0) {
		rc = pty_attach(slave, f);
		/* Now fds 0-2; pty_attach closed the original (it is above 2). */
		if (rc == 0)
			slave = -1;
	}
	if (rc == 0)
		rc = fdpass_send(sock, master, "tty", f);
	io_close(&slave);
	io_close(&master);
	if (close(sock) < 0 && rc == 0)
		rc = fail(f, "tty", errno, "close the console socket");
	return rc;
}

int console_receive(int *sock, int *master, struct failure *f)
{
	int rc = fdpass_receive(*sock, master, "tty", f);

	io_close(sock);
	return rc;
}
