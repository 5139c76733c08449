/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "control.h"
#include "devicetree.h"
#include "log.h"
#include "hcn.h"
#include "migration.h"

#define IO_HNV_DESCRIPTION                                                                                  \
        "interface io.hnv\n"                                                                                \
        "method GetStatus(group: ?string) -> (backend: string, version: string, groups: []object)\n"        \
        "method Add(group: string, primary: string, backup: string, bond: ?string) -> (group: object)\n"    \
        "method Remove(group: string) -> ()\n"                                                              \
        "method RemovePort(device: string) -> (group: string)\n"                                            \
        "method Reload() -> (groups: int)\n"                                                                \
        "method Reconcile(group: ?string) -> (groups: int)\n"                                               \
        "method QueryMigration(group: ?string, all: ?bool) -> (safe: bool, groups: []object)\n"             \
        "method PrepareMigration(group: ?string, all: ?bool, timeout_ms: ?int) -> (groups: []object)\n"     \
        "method CompleteMigration(group: ?string, all: ?bool, timeout_ms: ?int) -> (groups: []object)\n"    \
        "error NotSafe (message: string, groups: []object)\n"                                               \
        "error Timeout (message: string, groups: []object)\n"                                               \
        "error NoSuchGroup (message: string)\n"                                                             \
        "error NoSuchDevice (message: string)\n"                                                            \
        "error GroupExists (message: string)\n"                                                             \
        "error InvalidArgument (message: string)\n"                                                         \
        "error ConfigError (message: string)\n"                                                             \
        "error InternalError (message: string)\n"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* A missing optional string is NULL; a present one of the wrong type is an error. */
static int get_string(json_object *params, const char *key, bool required, const char **ret) {
        json_object *v;

        *ret = NULL;
        if (!params || !json_object_object_get_ex(params, key, &v) || json_object_is_type(v, json_type_null))
                return required ? -ENOENT : 0;
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        *ret = json_object_get_string(v);
        return 0;
}

/* The one table of -errno to io.hnv error names (manager.h). */
static const char *error_name(int k) {
        switch (-k) {
        case ENOENT:
                return "io.hnv.NoSuchGroup";
        case ENODEV:
                return "io.hnv.NoSuchDevice";
        case EEXIST:
                return "io.hnv.GroupExists";
        case EINVAL:
        case ENAMETOOLONG:
                return "io.hnv.InvalidArgument";
        case EBUSY:
                return "io.hnv.NotSafe";
        case ETIMEDOUT:
                return "io.hnv.Timeout";
        default:
                return "io.hnv.InternalError";
        }
}

/* An error with {message} and, for some, more parameters (groups). */
static int reply_error(VarlinkCall *call, int k, const char *message, json_object *params) {
        json_object *o = params ?: json_object_new_object();

        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "message", json_object_new_string(message ? message : strerror(-k)));
        return varlink_call_error(call, error_name(k), o);
}

static int reply_errno(VarlinkCall *call, int k, const char *message) {
        return reply_error(call, k, message, NULL);
}

/* A ManagerReply answering on a call (manager.h). */
static void on_done(void *userdata, int error, const char *message, json_object *params) {
        VarlinkCall *call = userdata;

        if (error >= 0)
                (void)varlink_call_reply(call, params);
        else
                (void)reply_error(call, error, message, params);
        varlink_call_unref(call);
}

static void on_drop(void *userdata) {
        varlink_call_unref(userdata);
}

/* Runs an operation that answers through a ManagerReply; one that could
 * not even start is answered here. */
#define CALL_WITH_REPLY(call, op, ...)                                                                      \
        ({                                                                                                  \
                ManagerReply _r = {on_done, on_drop, varlink_call_ref(call)};                               \
                int _k = op(__VA_ARGS__, &_r);                                                              \
                if (_k < 0) {                                                                               \
                        varlink_call_unref(call);                                                           \
                        _k = reply_errno(call, _k, NULL);                                                   \
                }                                                                                           \
                _k;                                                                                         \
        })

#define REQUIRE_STRING(call, params, key, var)                                                              \
        do {                                                                                                \
                if (get_string(params, key, true, &(var)) < 0)                                              \
                        return varlink_call_errorf(call, VARLINK_ERROR_INVALID_PARAMETER,                   \
                                                   "parameter '%s' must be a string", key);                 \
        } while (0)

static int method_get_status(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        const char *group;
        json_object *reply;
        int k;

        if (get_string(params, "group", false, &group) < 0)
                return varlink_call_errorf(call, VARLINK_ERROR_INVALID_PARAMETER,
                                           "'group' must be a string");
        k = manager_status(userdata, group, &reply, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        return varlink_call_reply(call, reply);
}

static int method_add(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        const char *group, *primary, *backup, *bond;
        json_object *g = NULL, *reply;
        int k;

        REQUIRE_STRING(call, params, "group", group);
        REQUIRE_STRING(call, params, "primary", primary);
        REQUIRE_STRING(call, params, "backup", backup);
        if (get_string(params, "bond", false, &bond) < 0)
                return varlink_call_errorf(call, VARLINK_ERROR_INVALID_PARAMETER, "'bond' must be a string");

        k = manager_add_group(userdata, group, primary, backup, bond, &g, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        log_group_info(group, "added by uid %u", (unsigned)varlink_call_peer_uid(call));
        reply = json_object_new_object();
        if (!reply) {
                json_object_put(g);
                return -ENOMEM;
        }
        json_object_object_add(reply, "group", g);
        return varlink_call_reply(call, reply);
}

static int method_remove(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        const char *group;
        int k;

        REQUIRE_STRING(call, params, "group", group);
        k = manager_remove_group(userdata, group, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        log_group_info(group, "removed by uid %u", (unsigned)varlink_call_peer_uid(call));
        return varlink_call_reply(call, NULL);
}

static int method_remove_port(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL, *group = NULL;
        const char *device;
        json_object *reply;
        int k;

        REQUIRE_STRING(call, params, "device", device);
        k = manager_remove_port(userdata, device, &group, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        reply = json_object_new_object();
        if (!reply)
                return -ENOMEM;
        json_object_object_add(reply, "group", json_object_new_string(strempty(group)));
        return varlink_call_reply(call, reply);
}

/* {groups: N}: how many groups a call went over. */
static int reply_group_count(VarlinkCall *call, int n) {
        json_object *reply = json_object_new_object();
        if (!reply)
                return -ENOMEM;
        json_object_object_add(reply, "groups", json_object_new_int(n));
        return varlink_call_reply(call, reply);
}

static int method_reload(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        int k;

        k = manager_reload(userdata, &error);
        if (k == -EINVAL) {
                log_error("reload refused, keeping the running configuration: %s", strna(error));
                return varlink_call_errorf(call, "io.hnv.ConfigError", "%s", strna(error));
        }
        if (k < 0)
                return reply_errno(call, k, error);
        return reply_group_count(call, k);
}

static int method_reconcile(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        const char *group;
        int k;

        if (get_string(params, "group", false, &group) < 0)
                return varlink_call_errorf(call, "io.hnv.InvalidArgument", "group must be a string");
        log_debug("reconcile of %s requested by uid %u", group ? group : "every group",
                  (unsigned)varlink_call_peer_uid(call));
        k = manager_reconcile(userdata, group, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        return reply_group_count(call, k);
}

static int get_timeout(VarlinkCall *call, json_object *params, uint64_t def, uint64_t *ret) {
        json_object *v;

        *ret = def;
        if (params && json_object_object_get_ex(params, "timeout_ms", &v) &&
            !json_object_is_type(v, json_type_null)) {
                int64_t ms = json_object_get_int64(v);
                if (!json_object_is_type(v, json_type_int) || ms <= 0 || ms > 24LL * 3600 * 1000)
                        return varlink_call_errorf(call, "io.hnv.InvalidArgument",
                                                   "timeout_ms must be between 1 and 86400000");
                *ret = (uint64_t)ms * 1000ULL;
        }
        return 1;
}

/* {group} or {all: true}, and timeout_ms (> 0) where the method waits. */
static int get_selection(VarlinkCall *call, json_object *params, const char **ret_group, bool *ret_all,
                         uint64_t *ret_timeout_usec) {
        json_object *v;

        /* Set on every path: gcc -O2 cannot tell that the callers never
         * read it after an error reply, and says so in release builds. */
        *ret_all = false;
        if (get_string(params, "group", false, ret_group) < 0)
                return varlink_call_errorf(call, VARLINK_ERROR_INVALID_PARAMETER,
                                           "'group' must be a string");
        *ret_all = params && json_object_object_get_ex(params, "all", &v) && json_object_get_boolean(v);
        if (!!*ret_group == *ret_all)
                return varlink_call_errorf(call, "io.hnv.InvalidArgument", "name one group, or all");
        if (ret_timeout_usec)
                return get_timeout(call, params, MIGRATION_WAIT_DEFAULT_USEC, ret_timeout_usec);
        return 1;
}

static int method_query_migration(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        const char *group;
        json_object *reply;
        bool all;
        int k;

        k = get_selection(call, params, &group, &all, NULL);
        if (k <= 0)
                return k;
        k = migration_query(userdata, group, all, &reply, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        return varlink_call_reply(call, reply);
}

static int method_prepare_migration(VarlinkCall *call, json_object *params, void *userdata) {
        const char *group;
        uint64_t timeout;
        bool all;
        int k;

        k = get_selection(call, params, &group, &all, &timeout);
        if (k <= 0)
                return k;
        log_info("prepare-migration %s requested by uid %u", group ? group : "--all",
                 (unsigned)varlink_call_peer_uid(call));
        return CALL_WITH_REPLY(call, migration_prepare, userdata, group, all, timeout);
}

static int method_complete_migration(VarlinkCall *call, json_object *params, void *userdata) {
        const char *group;
        uint64_t timeout;
        bool all;
        int k;

        k = get_selection(call, params, &group, &all, &timeout);
        if (k <= 0)
                return k;
        log_info("complete-migration %s requested by uid %u", group ? group : "--all",
                 (unsigned)varlink_call_peer_uid(call));
        return CALL_WITH_REPLY(call, migration_complete, userdata, group, all, timeout);
}

/* The hcn commands' methods name devices by DRC index (hex, as the
 * console passes it) and wait at most timeout_ms. */
static int get_drc_index(VarlinkCall *call, json_object *params, uint32_t *ret) {
        const char *s;

        if (get_string(params, "drc_index", true, &s) < 0 || dt_drc_index_parse(s, ret) < 0)
                return varlink_call_errorf(call, "io.hnv.InvalidArgument",
                                           "drc_index must be a DRC index in hex (up to 8 digits)");
        return 1;
}

/* drc_index, and the optional hcn_id the console passes as a cross-check. */
static int get_device(VarlinkCall *call, json_object *params, uint32_t *ret_drc, const char **ret_hcn_id) {
        int k = get_drc_index(call, params, ret_drc);
        if (k <= 0)
                return k;
        if (get_string(params, "hcn_id", false, ret_hcn_id) < 0)
                return varlink_call_errorf(call, VARLINK_ERROR_INVALID_PARAMETER,
                                           "'hcn_id' must be a string");
        return 1;
}

static int method_configure_device(VarlinkCall *call, json_object *params, void *userdata) {
        uint64_t timeout;
        uint32_t drc;
        int k;

        k = get_drc_index(call, params, &drc);
        if (k <= 0)
                return k;
        k = get_timeout(call, params, HCN_CONFIGURE_WAIT_DEFAULT_USEC, &timeout);
        if (k <= 0)
                return k;
        return CALL_WITH_REPLY(call, hcn_configure_device, userdata, drc, timeout);
}

static int method_query_device(VarlinkCall *call, json_object *params, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        const char *hcn_id;
        json_object *reply;
        uint32_t drc;
        int k;

        k = get_device(call, params, &drc, &hcn_id);
        if (k <= 0)
                return k;
        k = hcn_query_device(userdata, drc, hcn_id, &reply, &error);
        if (k < 0)
                return reply_errno(call, k, error);
        return varlink_call_reply(call, reply);
}

static int method_remove_device(VarlinkCall *call, json_object *params, void *userdata) {
        const char *hcn_id;
        uint64_t timeout;
        uint32_t drc;
        int k;

        k = get_device(call, params, &drc, &hcn_id);
        if (k <= 0)
                return k;
        k = get_timeout(call, params, MIGRATION_WAIT_DEFAULT_USEC, &timeout);
        if (k <= 0)
                return k;
        return CALL_WITH_REPLY(call, hcn_remove_device, userdata, drc, hcn_id, timeout);
}

static int method_scan(VarlinkCall *call, json_object *params, void *userdata) {
        uint64_t timeout;
        int k;

        k = get_timeout(call, params, HCN_SCAN_WAIT_DEFAULT_USEC, &timeout);
        if (k <= 0)
                return k;
        log_info("scan requested by uid %u", (unsigned)varlink_call_peer_uid(call));
        return CALL_WITH_REPLY(call, hcn_scan, userdata, timeout);
}

static int control_server_new(Manager *m, sd_event *event, const char *path, VarlinkServer **ret) {
        _cleanup_(varlink_server_freep) VarlinkServer *s = NULL;
        static const struct {
                const char *name;
                VarlinkMethodFlags flags;
                varlink_method_t cb;
        } methods[] = {
                {"io.hnv.GetStatus", VARLINK_METHOD_ANYONE, method_get_status},
                {"io.hnv.Add", VARLINK_METHOD_ROOT_ONLY, method_add},
                {"io.hnv.Remove", VARLINK_METHOD_ROOT_ONLY, method_remove},
                {"io.hnv.RemovePort", VARLINK_METHOD_ROOT_ONLY, method_remove_port},
                {"io.hnv.Reload", VARLINK_METHOD_ROOT_ONLY, method_reload},
                {"io.hnv.Reconcile", VARLINK_METHOD_ROOT_ONLY, method_reconcile},
                {"io.hnv.QueryMigration", VARLINK_METHOD_ANYONE, method_query_migration},
                {"io.hnv.PrepareMigration", VARLINK_METHOD_ROOT_ONLY, method_prepare_migration},
                {"io.hnv.CompleteMigration", VARLINK_METHOD_ROOT_ONLY, method_complete_migration},
                {"io.hnv.ConfigureDevice", VARLINK_METHOD_ROOT_ONLY, method_configure_device},
                {"io.hnv.QueryDevice", VARLINK_METHOD_ANYONE, method_query_device},
                {"io.hnv.RemoveDevice", VARLINK_METHOD_ROOT_ONLY, method_remove_device},
                {"io.hnv.Scan", VARLINK_METHOD_ROOT_ONLY, method_scan},
        };
        int k;

        /* Anyone may connect and read status; hnvd checks the peer's uid on
         * every method that changes state. */
        k = varlink_server_new(&s, event, path, 0666, -1);
        if (k < 0)
                return path ? log_error_errno(k, "cannot listen on %s: %m", path) : k;
        k = varlink_server_add_interface(s, "io.hnv", IO_HNV_DESCRIPTION);
        if (k < 0)
                return k;
        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                k = varlink_server_add_method(s, methods[i].name, methods[i].flags, methods[i].cb, m);
                if (k < 0)
                        return k;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int control_start(Manager *m, sd_event *event, const char *rundir, VarlinkServer **ret) {
        _cleanup_(freep) char *path = NULL;
        int k;

        if (asprintf(&path, "%s/" HNV_CONTROL_SOCKET_NAME, rundir) < 0)
                return -ENOMEM;
        k = control_server_new(m, event, path, ret);
        if (k < 0)
                return k;
        log_info("listening on %s", path);
        return 0;
}

static void on_direct_closed(VarlinkServer *s, void *userdata) {
        manager_exit_when_idle(userdata);
}

int control_start_direct(Manager *m, sd_event *event, int fd, VarlinkServer **ret) {
        _cleanup_(varlink_server_freep) VarlinkServer *s = NULL;
        int k;

        k = control_server_new(m, event, NULL, &s);
        if (k < 0) {
                close(fd);
                return k;
        }
        varlink_server_set_on_idle(s, on_direct_closed, m);
        k = varlink_server_adopt_connection(s, fd);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(s);
        return 0;
}
