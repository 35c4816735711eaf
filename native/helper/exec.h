/* The last step of the init: a clean process image, then execve. */
#ifndef BERTH_EXEC_H
#define BERTH_EXEC_H

#include "report.h"

/* argv[0] without a '/' is looked up in envp's PATH like execvp. Returns
 * only on failure. */
int exec_command(char *const *argv, char *const *envp, struct failure *f);

#endif
