/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "group.h"
#include "wicked-cmd.h"

extern char **environ;

static const char *const wicked_verb_table[_WICKED_VERB_MAX] = {
        [WICKED_IFUP] = "ifup",
        [WICKED_IFDOWN] = "ifdown",
        [WICKED_IFRELOAD] = "ifreload",
};

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

        argv[0] = "wicked";
        argv[1] = verb;
        argv[2] = ifname;
        argv[3] = NULL;
        return 0;
}

int wicked_run(WickedVerb v, const char *ifname) {
        const char *argv[WICKED_ARGV_MAX];
        posix_spawn_file_actions_t actions;
        pid_t pid;
        int r, status;

        r = wicked_argv(v, ifname, argv);
        if (r < 0)
                return r;

        r = posix_spawn_file_actions_init(&actions);
        if (r != 0)
                return -r;
        /* wicked must not read the daemon's stdin, whatever that is. */
        r = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        if (r != 0)
                return -r;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();

        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return -EPROTO;
}
