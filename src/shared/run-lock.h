/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* <rundir>/lock: who may act on the groups without going through hnvd's
 * control socket. hnvd holds it while it starts (until its socket answers);
 * an hcn command that finds no hnvd holds it for as long as it does the
 * work itself (hcnmgr(8), "Without hnvd"). So a command never acts beside a
 * starting hnvd, and two commands without hnvd run one after the other. */
#define RUN_LOCK_NAME "lock"

/* Opens (creating rundir and the file) and locks it. With timeout_sec 0 it
 * waits as long as it takes; otherwise -ETIMEDOUT when the holder does not
 * let go in time. *ret_waited says whether someone else held it first.
 * The lock lives as long as the returned descriptor (and its copies in
 * children). */
int run_lock_acquire(const char *rundir, unsigned timeout_sec, int *ret_fd, bool *ret_waited);
