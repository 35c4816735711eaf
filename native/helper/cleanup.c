#include "cleanup.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

/* Enough open directories for deep trees without risking EMFILE. */
#define NFTW_FDS 32

/* nftw has no user pointer, so the errno travels back as the return value
 * (a non-zero return stops the walk and becomes nftw's result). */
static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0 && errno != ENOENT)
		return errno;
	return 0;
}

int cleanup_tree(const char *path, struct failure *f)
{
	int rc;

	/* Checked at parse time too; a recursive delete gets a second look. */
	if (path[0] != '/' || path[strspn(path, "/")] == '\0')
		return fail(f, "orphan-cleanup", EINVAL, "refusing to remove '%s'", path);
	/* FTW_PHYS: never follow symlinks out of the tree. FTW_MOUNT: never
	 * descend into something mounted inside it. FTW_DEPTH: children first. */
	rc = nftw(path, remove_entry, NFTW_FDS, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (rc < 0 && errno == ENOENT)
		return 0;
	if (rc < 0)
		return fail(f, "orphan-cleanup", errno, "walk %s", path);
	if (rc > 0)
		return fail(f, "orphan-cleanup", rc, "remove below %s", path);
	return 0;
}
