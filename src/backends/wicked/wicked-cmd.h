/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macro.h"

/* The wicked commands hnv runs. */
typedef enum WickedVerb {
        WICKED_IFUP,
        WICKED_IFDOWN,
        WICKED_IFRELOAD,
        _WICKED_VERB_MAX,
        _WICKED_VERB_INVALID = -EINVAL,
} WickedVerb;

const char *wicked_verb_to_string(WickedVerb v);

/* "wicked", the verb, the interface name, NULL */
#define WICKED_ARGV_MAX 4

/* Fills argv for `wicked <verb> <ifname>`; its strings are static or
 * ifname itself. -EINVAL for a name wicked would read as something else:
 * one starting with '-' (an option) or "all" (every interface). */
int wicked_argv(WickedVerb v, const char *ifname, const char *argv[static WICKED_ARGV_MAX]);

/* Starts `wicked <verb> <ifname>` found on PATH with an argv (never a
 * shell), stdin on /dev/null, no signal blocked or ignored, and does not
 * wait: *ret_pid is the caller's to reap. -ENOENT: no wicked on PATH. */
int wicked_spawn(WickedVerb v, const char *ifname, pid_t *ret_pid);
/* What a reaped wicked's siginfo (si_code, si_status) says: its exit
 * status, 128 + the signal number when it was killed, -EPROTO otherwise. */
int wicked_exit_status(int code, int status);

/* Runs the command found on PATH, stdin on /dev/null, and waits for it.
 * Returns 0 when it exits 0, its exit status when it exits otherwise
 * (128 + the signal number when killed), or a negative errno when it
 * could not be run (-ENOENT: no wicked on PATH). Blocks until wicked
 * returns, which for ifup can be its whole wait for the link. */
int wicked_run(WickedVerb v, const char *ifname);
