/* The container spec read from fd 3 (see PROTOCOL.md, "Spec"). */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

#define SPEC_FD 3

/* NULL-terminated so arg and env can go to execve as they are. */
struct strlist {
	const char **items;
	size_t len;
	size_t cap;
};

struct spec {
	char *buf; /* owns every string below */
	const char *id;
	const char *mountpoint;
	const char *lowerbase;
	const char *upper;
	const char *work;
	const char *hostname;
	const char *cwd;
	const char *log;
	const char *exitfile;
	const char *netns;
	const char *orphan_cleanup;
	struct strlist lower;
	struct strlist env;
	struct strlist arg;
	bool lifeline;
	bool wait_for_go;
	/* Bytes that arrived after `end\0`; the go byte may be among them. */
	const char *rest;
	size_t rest_len;
	char default_hostname[13];
};

int spec_read(int fd, struct spec *s, struct failure *f);
void spec_free(struct spec *s);

#endif
