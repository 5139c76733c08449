/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "macro.h"

/* The commands hnv runs for a connection manager that reads files: wicked's,
 * and networkd's reload (the networkd backend shares the runner: the same
 * need not to wait, the same bound and the same per-bond order). */
typedef enum WickedVerb {
        WICKED_IFUP,
        WICKED_IFDOWN,
        WICKED_IFRELOAD,
        /* `networkctl reload`: networkd reads all its files again. The
         * interface name only says for which bond, in the log. */
        NETWORKCTL_RELOAD,
        _WICKED_VERB_MAX,
        _WICKED_VERB_INVALID = -EINVAL,
} WickedVerb;

const char *wicked_verb_to_string(WickedVerb v);
/* The program the command runs: "wicked" or "networkctl". */
const char *wicked_verb_program(WickedVerb v);

/* "wicked", the verb, the interface name, NULL (networkctl: one fewer) */
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
