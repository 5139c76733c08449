/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include <systemd/sd-event.h>

#include "macro.h"

/* The manager owns hnvd's state: the devices the kernel and udev report,
 * the groups, the configuration, and the connections to the outside world
 * (rtnetlink, udev, the backend, the control socket), all on one sd-event
 * loop. Events mark groups dirty; one deferred pass reconciles each dirty
 * group by running the pure policy over a fresh snapshot. */
typedef struct Manager Manager;

typedef struct ManagerOptions {
        const char *config_file;   /* default HNV_CONFIG_FILE */
        const char *config_dropin; /* default HNV_CONFIG_DROPIN */
        const char *rundir;        /* default /run/hnv: socket and state file */
        /* Direct mode (an hcn command that found no hnvd, hcnmgr(8)): the
         * caller holds the run lock (run-lock.h) and the manager serves
         * only direct_fd, one end of a socketpair, instead of listening,
         * and leaves the event loop when that connection closes. */
        bool direct;
        int direct_fd;
        /* Test mode (tests/unit/test-manager.c): the kernel and the backend,
         * instead of rtnetlink, udev and hnv.conf's backend=. The manager
         * takes both, on success and on error. */
        struct Platform *platform;
        struct Backend *backend;
        /* Called once, when the first reconcile pass after manager_start()
         * is done: the groups whose devices are present have their bonds,
         * or have them on the way through the connection manager. hnvd
         * tells systemd it is ready then, so the units ordered after it
         * (network-pre.target, the connection managers) find the bonds. */
        void (*ready)(void *userdata);
        void *ready_userdata;
} ManagerOptions;

/* What a process that runs a manager must set up before its event loop
 * exists, shared by hnvd and the hcn commands acting without it: SIGCHLD
 * blocked (sd-event takes the exit of the wicked backend's commands as an
 * event only then) and SIGPIPE ignored (a client that hangs up mid-reply
 * must not kill the process). */
void manager_setup_process(void);

/* The event loop's exit code when hnvd must execute itself again to take
 * another backend (NetworkManager started after hnvd chose without it). */
#define MANAGER_EXIT_REEXEC 75

int manager_new(Manager **ret, sd_event *event, const ManagerOptions *o);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Loads the configuration (a bad one fails the start with file:line),
 * connects to the kernel and udev, adopts what exists, opens the control
 * socket. */
int manager_start(Manager *m, char **ret_error);

/* Direct mode, the caller gone: leaves the event loop once the backend has
 * nothing left to do (the wicked backend's files and commands, which the
 * reply did not wait for), bounded by wicked's own timeout. */
void manager_exit_when_idle(Manager *m);

/* Parses the configuration anew; on error keeps the old one and returns
 * -EINVAL with the message in *ret_error. Returns the number of groups. */
int manager_reload(Manager *m, char **ret_error);
/* Looks at a group again (name: a group or its bond; NULL: every group), as
 * after an event: what drifted is put back. Returns how many groups. */
int manager_reconcile(Manager *m, const char *name, char **ret_error);

/* How an operation that may wait answers its caller (control.c turns it
 * into a Varlink reply). error is 0 with the reply's params, or -errno
 * with a message and perhaps params: -ENOENT no such group, -ENODEV no
 * such device, -EEXIST exists, -EINVAL bad argument, -EBUSY not safe,
 * -ETIMEDOUT the wait ran out, anything else internal. done and drop
 * (no answer will come: the manager is going away) both end userdata's
 * use. An operation that takes a ManagerReply answers through it and
 * returns 0, or returns -errno having not answered. */
typedef struct ManagerReply {
        void (*done)(void *userdata, int error, const char *message, json_object *params);
        void (*drop)(void *userdata);
        void *userdata;
} ManagerReply;

/* Takes params. */
void manager_reply(const ManagerReply *r, int error, const char *message, json_object *params);
/* An error answer; takes params (may be NULL). Returns 0. */
int manager_reply_errorf(const ManagerReply *r, int error, json_object *params, const char *fmt, ...)
        _printf_(4, 5);
void manager_reply_drop(const ManagerReply *r);

/* Control operations. Errors: -ENOENT no such group, -ENODEV no such
 * device, -EEXIST group exists, -EINVAL bad argument; *ret_error says which. */
int manager_status(Manager *m, const char *group, json_object **ret, char **ret_error);
int manager_add_group(Manager *m, const char *name, const char *primary, const char *backup,
                      const char *bond, json_object **ret_group, char **ret_error);
int manager_remove_group(Manager *m, const char *name, char **ret_error);
int manager_remove_port(Manager *m, const char *device, char **ret_group, char **ret_error);

const char *manager_backend_name(const Manager *m);
