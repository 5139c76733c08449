/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hcnmgr, hcncfgdrc, hcnqrydev, hcnrmdev, hcnrmhcn, hcnversion: parse as the
 * predecessor did, ask hnvd, print. When no hnvd answers (early boot), run
 * the daemon library for this one request, under the same lock hnvd takes
 * while it starts (hcnmgr(8), "Without hnvd"). */
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "control.h"
#include "hcn-cli.h"
#include "hnv-build-config.h"
#include "log.h"
#include "manager.h"
#include "run-lock.h"
#include "util.h"
#include "varlink.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* Longer than any wait hnvd does for us: its reply, not ours, ends a call. */
#define CALL_GUARD_SEC 30

static int env_timeout_sec(void) {
        const char *s = getenv("HNV_HCN_TIMEOUT");
        int v = s ? atoi(s) : 0;
        return v > 0 && v <= 86400 ? v : 0;
}

static void log_invocation(const HcnRequest *r, int argc, char **argv) {
        char line[1024] = "";
        size_t n = 0;

        for (int i = 1; i < argc && n < sizeof(line) - 1; i++)
                n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", i > 1 ? " " : "", argv[i]);
        log_info("%s %s%s%s", r->name, line, r->debug_level ? "; HMC log level " : "",
                 strempty(r->debug_level));
}

/* The child's life in direct mode: the daemon library serving fd, one
 * connection, until the parent hangs up. */
static int run_direct(int fd) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_(freep) char *error = NULL;
        ManagerOptions mo = {.rundir = getenv("HNV_RUNDIR"), .direct = true, .direct_fd = fd};
        int k;

        manager_setup_process();
        k = sd_event_new(&event);
        if (k < 0) {
                close(fd);
                return log_error_errno(k, "cannot create event loop: %m"), 1;
        }
        k = manager_new(&m, event, &mo);
        if (k < 0) {
                close(fd);
                return log_error_errno(k, "cannot create manager: %m"), 1;
        }
        k = manager_start(m, &error);
        if (k < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(k, "acting without hnvd failed: %m");
                return 1;
        }
        log_info("hnvd does not run: acting directly, backend %s", manager_backend_name(m));
        k = sd_event_loop(event);
        return k < 0 ? 1 : 0;
}

/* Connects to hnvd; failing that, takes the run lock and starts the daemon
 * library in a child on a socketpair. *ret_child is 0 when hnvd answered. */
static int connect_or_direct(const char *rundir, int lock_wait_sec, int *ret_fd, pid_t *ret_child,
                             char **ret_error) {
        _cleanup_(freep) char *sock = NULL;
        _cleanup_(closep) int lock_fd = -EBADF;
        int sv[2], k;
        bool waited;
        pid_t pid;

        *ret_child = 0;
        if (asprintf(&sock, "%s/" HNV_CONTROL_SOCKET_NAME, rundir) < 0)
                return -ENOMEM;
        k = varlink_connect(sock, VARLINK_CONNECT_TIMEOUT_MS, ret_fd);
        if (k >= 0)
                return 0;
        /* Only an hnvd that is not there is replaced: one that runs but is
         * slow to accept would have a second manager acting beside it on
         * the same bonds. */
        if (!varlink_connect_error_is_absent(k))
                return set_error(ret_error, k, "hnvd runs on %s but does not accept connections: %s", sock,
                                 strerror(-k));

        if (geteuid() != 0)
                return set_error(ret_error, -EPERM,
                                 "hnvd does not answer on %s, and only root may act without it", sock);
        k = run_lock_acquire(rundir, (unsigned)lock_wait_sec, &lock_fd, &waited);
        if (k < 0)
                return set_error(ret_error, k,
                                 "hnvd does not answer on %s and %s/" RUN_LOCK_NAME " stays taken: %s", sock,
                                 rundir, strerror(-k));
        /* Whoever held the lock may have been hnvd starting up. */
        if (waited && varlink_connect(sock, VARLINK_CONNECT_TIMEOUT_MS, ret_fd) >= 0)
                return 0;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                k = -errno;
                close(sv[0]);
                close(sv[1]);
                return k;
        }
        if (pid == 0) {
                /* The lock descriptor is shared with the parent: the lock
                 * holds until both have let go. */
                close(sv[0]);
                _exit(run_direct(sv[1]));
        }
        close(sv[1]);
        *ret_fd = sv[0];
        *ret_child = pid;
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_(json_object_putp) json_object *params = NULL, *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        _cleanup_(closep) int fd = -EBADF;
        const char *rundir = getenv("HNV_RUNDIR") ?: HNV_RUNDIR, *method;
        HcnRequest r;
        pid_t child = 0;
        int k, rc, timeout = env_timeout_sec();

        /* The console reads stdout and stderr; the journal gets the story. */
        if (access("/run/systemd/journal/socket", F_OK) == 0)
                log_setup(LOG_TARGET_JOURNAL, LOG_INFO);
        else
                log_setup(LOG_TARGET_STDERR, LOG_WARNING);

        k = hcn_parse_args(argc, argv, &r, &error);
        if (k < 0) {
                HcnRequest named = {.name = hcn_command_name(hcn_command_from_name(argv[0]))};
                log_error("%s", strna(error));
                hcn_print_error(stderr, &named, HCN_E_INVAL, error);
                hcn_usage(stderr, named.name ?: "hcnmgr");
                return HCN_EXIT_FAILED;
        }
        if (r.help) {
                hcn_usage(stdout, r.name);
                return HCN_EXIT_OK;
        }
        if (r.version || r.command == HCN_CMD_VERSION) {
                printf(HCN_FEATURES_LINE "\nhnv " HNV_VERSION "\n");
                return HCN_EXIT_OK;
        }
        if (r.trace)
                log_setup(LOG_TARGET_STDERR, LOG_DEBUG);
        log_invocation(&r, argc, argv);

        method = hcn_request_method(&r);
        params = hcn_request_params(&r, timeout);
        if (!method || !params)
                return HCN_EXIT_FAILED;

        k = connect_or_direct(rundir, timeout ?: 120, &fd, &child, &error);
        if (k < 0) {
                log_error("%s", error ? error : strerror(-k));
                hcn_print_error(stderr, &r, k == -EPERM ? HCN_E_PERM : HCN_E_NETUNREACH,
                                error ?: strerror(-k));
                return HCN_EXIT_FAILED;
        }
        if (r.trace)
                fprintf(stderr, "%s: %s %s\n", r.name, method, json_object_to_json_string(params));

        free(error);
        error = NULL;
        k = varlink_call_sync(fd, method, params, ((timeout ?: 120) + CALL_GUARD_SEC) * 1000, &reply,
                              &error);
        if (k < 0) {
                log_error_errno(k, "no answer to %s: %m", method);
                hcn_print_error(stderr, &r, HCN_E_NETUNREACH,
                                child ? "acting without hnvd failed (see the journal)"
                                      : "hnvd did not answer");
                rc = HCN_EXIT_FAILED;
        } else {
                if (r.trace)
                        fprintf(stderr, "%s: %s %s\n", r.name, error ?: "reply",
                                reply ? json_object_to_json_string(reply) : "{}");
                rc = hcn_render(stdout, stderr, &r, k > 0 ? error : NULL, reply);
                log_info("%s: %s", r.name, rc == HCN_EXIT_OK ? "done" : strna(error));
        }

        if (child > 0) {
                int status;
                close(TAKE_FD(fd));
                /* The child leaves its loop when its connection closes. */
                while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        return rc;
}
