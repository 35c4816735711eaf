#include "fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

union cmsg_space {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int))];
};

int fdpass_send(int sock, int fd, const char *step, struct failure *f)
{
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union cmsg_space space;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = space.buf, .msg_controllen = sizeof(space.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(&space, 0, sizeof(space));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(f, step, errno, "send fd %d over socket %d", fd, sock);
	return 0;
}

int fdpass_receive(int sock, int *fd, const char *step, struct failure *f)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union cmsg_space space;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = space.buf, .msg_controllen = sizeof(space.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(f, step, errno, "receive a fd over socket %d", sock);
	cm = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return fail(f, step, ENODATA, "no fd arrived over socket %d", sock);
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}
