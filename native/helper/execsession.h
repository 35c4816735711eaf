/* `berth-helper exec`: one more process in a running container. */
#ifndef BERTH_EXECSESSION_H
#define BERTH_EXECSESSION_H

#include "spec.h"

/* Joins the container of s->target_pid, runs the command and waits for
 * it; returns the helper's exit status. */
int exec_session(const struct spec *s, int sigfd);

#endif
