#include "cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define RMDIR_TRIES 100
#define RMDIR_PAUSE_NS (10 * 1000 * 1000)

static void remove_one(const char *dir, const char *id)
{
	const struct timespec pause = { 0, RMDIR_PAUSE_NS };

	for (int i = 0; i < RMDIR_TRIES; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (errno != EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	diag("%s: remove cgroup %s: %s", id, dir, strerror(errno));
}

void cgroups_remove(const struct strlist *dirs, const char *id)
{
	for (size_t i = 0; i < dirs->len; i++)
		remove_one(dirs->items[i], id);
}

/* The value of the exact key `oom_kill` (not oom_kill_disable, not
 * oom_group_kill) in a "key value" per line file. */
static long long oom_kill_count(const char *text)
{
	for (const char *line = text; line && *line;) {
		if (strncmp(line, "oom_kill ", 9) == 0)
			return strtoll(line + 9, NULL, 10);
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return -1;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = io_read(fd, buf, size - 1);
	if (close(fd) < 0 || n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int cgroups_oom_killed(const struct strlist *files, const char *id)
{
	for (size_t i = 0; i < files->len; i++) {
		char text[4096];
		long long n;

		if (read_small(files->items[i], text, sizeof(text)) < 0) {
			diag("%s: read %s: %s", id, files->items[i], strerror(errno));
			continue;
		}
		n = oom_kill_count(text);
		if (n < 0)
			diag("%s: no oom_kill counter in %s", id, files->items[i]);
		if (n > 0)
			return 1;
	}
	return 0;
}
