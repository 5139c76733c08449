/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "group.h"
#include "wicked-cmd.h"

extern char **environ;

static const char *const wicked_verb_table[_WICKED_VERB_MAX] = {
        [WICKED_IFUP] = "ifup",
        [WICKED_IFDOWN] = "ifdown",
        [WICKED_IFRELOAD] = "ifreload",
        [NETWORKCTL_RELOAD] = "reload",
};

const char *wicked_verb_program(WickedVerb v) {
        return v == NETWORKCTL_RELOAD ? "networkctl" : "wicked";
}

const char *wicked_verb_to_string(WickedVerb v) {
        if (v < 0 || v >= _WICKED_VERB_MAX)
                return NULL;
        return wicked_verb_table[v];
}

int wicked_argv(WickedVerb v, const char *ifname, const char *argv[static WICKED_ARGV_MAX]) {
        const char *verb = wicked_verb_to_string(v);

        /* The kernel allows both names; wicked's command line does not
         * take them as one interface. */
        if (!verb || !ifname_is_valid(ifname) || ifname[0] == '-' || streq(ifname, "all"))
                return -EINVAL;

        argv[0] = wicked_verb_program(v);
        argv[1] = verb;
        argv[2] = v == NETWORKCTL_RELOAD ? NULL : ifname;
        argv[3] = NULL;
        return 0;
}

int wicked_spawn(WickedVerb v, const char *ifname, pid_t *ret_pid) {
        const char *argv[WICKED_ARGV_MAX];
        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        sigset_t none, pipe;
        int r;

        r = wicked_argv(v, ifname, argv);
        if (r < 0)
                return r;

        r = posix_spawn_file_actions_init(&actions);
        if (r != 0)
                return -r;
        r = posix_spawnattr_init(&attr);
        if (r != 0) {
                posix_spawn_file_actions_destroy(&actions);
                return -r;
        }
        /* hnvd blocks the signals its loop takes as events (SIGCHLD among
         * them) and ignores SIGPIPE; a blocked or ignored signal outlives
         * exec, and wicked must not start with ours. */
        sigemptyset(&none);
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        r = posix_spawnattr_setsigmask(&attr, &none);
        if (r == 0)
                r = posix_spawnattr_setsigdefault(&attr, &pipe);
        if (r == 0)
                r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        /* wicked must not read the daemon's stdin, whatever that is. */
        if (r == 0)
                r = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawnp(ret_pid, argv[0], &actions, &attr, (char *const *)argv, environ);
        posix_spawnattr_destroy(&attr);
        posix_spawn_file_actions_destroy(&actions);
        return -r;
}

int wicked_exit_status(int code, int status) {
        if (code == CLD_EXITED)
                return status;
        if (code == CLD_KILLED || code == CLD_DUMPED)
                return 128 + status;
        return -EPROTO; /* stopped or continued: not an end */
}

int wicked_run(WickedVerb v, const char *ifname) {
        siginfo_t si = {};
        pid_t pid;
        int r;

        r = wicked_spawn(v, ifname, &pid);
        if (r < 0)
                return r;

        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return negative_errno();
        return wicked_exit_status(si.si_code, si.si_status);
}
