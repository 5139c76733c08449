/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real manager, in-process, on a fake kernel (fake-kernel.c): link and
 * udev events in, backend calls and group states out, through the control
 * socket where a console would act. No root, no kernel, milliseconds: the
 * decisive UML scenarios' logic (tests/integration) as fast tests. The UML
 * tier stays the proof on the real bonding driver. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake-kernel.h"
#include "log.h"
#include "manager-internal.h"
#include "manager.h"
#include "util.h"
#include "state-file.h"
#include "varlink.h"

#define VF_MAC  "02:00:00:00:00:01"
#define BK_MAC  "02:00:00:00:00:02"
#define BK1_MAC "02:00:00:00:00:03"
#define VF1_MAC "02:00:00:00:00:04"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

typedef struct T {
        char dir[64];
        char path[128];
        sd_event *event;
        FakeKernel *k;
        Manager *m;
        int ready;            /* times ManagerOptions.ready was called */
        char *calls_at_ready; /* the backend's calls by then */
} T;

static const char *pathf(T *t, const char *name) {
        snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, name);
        return t->path;
}

/* A file below the test's directory, its folders made first. */
static void write_file(T *t, const char *relpath, const void *data, size_t size) {
        char path[256], cmd[300];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", t->dir, relpath);
        snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
        assert_int_equal(system(cmd), 0);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
}

static void write_config_with(T *t, const char *bond_options, const char *groups) {
        FILE *f = fopen(pathf(t, "hnv.conf"), "we");

        assert_non_null(f);
        fprintf(f,
                "[global]\n"
                "device-tree = no\n"
                "auto-pairing = no\n"
                "sysfs-root = %s/sys\n"
                "bond-options = %s\n"
                "%s",
                t->dir, bond_options, groups);
        assert_int_equal(fclose(f), 0);
}

/* A configuration with fast bond timers: miimon 10 ms and one peer
 * notification make the planned release's longest wait 10 ms. */
static void write_config(T *t, const char *groups) {
        write_config_with(t, "miimon=10 num_peer_notif=1", groups);
}

static const char *const GROUP_G = "[group g]\n"
                                   "primary = mac:" VF_MAC "\n"
                                   "backup = mac:" BK_MAC "\n"
                                   "bond = bondg\n";

static int setup(void **state) {
        T *t = calloc(1, sizeof(T));

        assert_non_null(t);
        strcpy(t->dir, "/tmp/hnv-test-manager-XXXXXX");
        assert_non_null(mkdtemp(t->dir));
        assert_int_equal(mkdir(pathf(t, "conf.d"), 0755), 0);
        assert_int_equal(mkdir(pathf(t, "sys"), 0755), 0);
        assert_int_equal(sd_event_new(&t->event), 0);
        t->k = fake_kernel_new(t->event);
        write_config(t, GROUP_G);
        *state = t;
        return 0;
}

static void stop(T *t) {
        t->m = manager_free(t->m);
}

static int teardown(void **state) {
        T *t = *state;
        char cmd[128];

        stop(t);
        free(t->calls_at_ready);
        fake_kernel_free(t->k);
        sd_event_unref(t->event);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
        assert_int_equal(system(cmd), 0);
        free(t);
        return 0;
}

/* Runs the loop until nothing is left to do now (timers in the future
 * stay armed). */
static void run(T *t) {
        for (int i = 0; i < 10000; i++)
                if (sd_event_run(t->event, 0) == 0 && !fake_pending(t->k))
                        return;
        fail_msg("the event loop does not settle");
}

/* Runs the loop for ms of wall time, then until it settles. */
static void run_for(T *t, unsigned ms) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t end = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 + ms;

        for (;;) {
                clock_gettime(CLOCK_MONOTONIC, &ts);
                uint64_t now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
                if (now >= end)
                        break;
                (void)sd_event_run(t->event, (end - now) * 1000);
        }
        run(t);
}

static void on_ready(void *userdata) {
        T *t = userdata;

        t->ready++;
        free(t->calls_at_ready);
        t->calls_at_ready = strdup(fake_calls(t->k));
}

/* manager_start(), the loop not run yet. */
static void start_only(T *t) {
        _cleanup_(freep) char *error = NULL;
        char conf[128], dropin[128], rundir[128];

        snprintf(conf, sizeof(conf), "%s/hnv.conf", t->dir);
        snprintf(dropin, sizeof(dropin), "%s/conf.d", t->dir);
        snprintf(rundir, sizeof(rundir), "%s/run", t->dir);
        ManagerOptions o = {
                .config_file = conf,
                .config_dropin = dropin,
                .rundir = rundir,
                .platform = fake_platform_new(t->k),
                .backend = fake_backend_new(t->k),
                .ready = on_ready,
                .ready_userdata = t,
        };
        assert_int_equal(manager_new(&t->m, t->event, &o), 0);
        if (manager_start(t->m, &error) < 0)
                fail_msg("manager_start: %s", error ? error : "?");
}

static void start(T *t) {
        start_only(t);
        run(t);
}

static void add_vf(T *t, const char *name, const char *mac) {
        fake_link_add(t->k, name, mac, true, "mlx5_core", NULL);
}

static void add_backup(T *t, const char *name, const char *mac) {
        fake_link_add(t->k, name, mac, false, "virtio_net", NULL);
}

/* One Varlink call over the control socket, answered while the loop runs:
 * 0 with *ret_reply, or 1 with *ret_error too. */
static int call(T *t, const char *method, const char *params, json_object **ret_reply, char **ret_error) {
        char socket_path[160], msg[1024], buf[65536];
        size_t len = 0;
        int fd, n;

        snprintf(socket_path, sizeof(socket_path), "%s/run/io.hnv", t->dir);
        assert_int_equal(varlink_connect(socket_path, 1000, &fd), 0);
        n = snprintf(msg, sizeof(msg), "{\"method\":\"%s\",\"parameters\":%s}", method, params);
        assert_true(n > 0 && (size_t)n < sizeof(msg));
        assert_int_equal(send(fd, msg, (size_t)n + 1, MSG_NOSIGNAL), n + 1);
        for (int i = 0; i < 5000 && !memchr(buf, 0, len); i++) {
                (void)sd_event_run(t->event, 1000);
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, 0) == 1) {
                        ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT);
                        assert_true(r > 0);
                        len += (size_t)r;
                }
        }
        close(fd);
        assert_non_null(memchr(buf, 0, len));
        run(t);

        _cleanup_(json_object_putp) json_object *o = json_tokener_parse(buf);
        json_object *v;
        assert_non_null(o);
        *ret_reply = json_object_object_get_ex(o, "parameters", &v) ? json_object_get(v) : NULL;
        if (json_object_object_get_ex(o, "error", &v)) {
                *ret_error = strdup(json_object_get_string(v));
                return 1;
        }
        *ret_error = NULL;
        return 0;
}

/* A call that must succeed. */
static json_object *call_ok(T *t, const char *method, const char *params) {
        json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;

        if (call(t, method, params, &reply, &error) != 0)
                fail_msg("%s: %s: %s", method, error, json_object_to_json_string(reply));
        return reply;
}

/* A call that must fail with the error want. */
/* The call fails with the error want; its message has want_text in it
 * unless that is NULL. */
static void call_fails_saying(T *t, const char *method, const char *params, const char *want,
                              const char *want_text) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        json_object *m;

        if (call(t, method, params, &reply, &error) != 1)
                fail_msg("%s succeeded: %s; wanted %s", method, json_object_to_json_string(reply), want);
        if (!streq(error, want))
                fail_msg("%s: %s; wanted %s", method, error, want);
        if (want_text && (!reply || !json_object_object_get_ex(reply, "message", &m) ||
                          !strstr(json_object_get_string(m), want_text)))
                fail_msg("%s: %s; wanted a message with '%s'", method, json_object_to_json_string(reply),
                         want_text);
}

static void call_fails(T *t, const char *method, const char *params, const char *want) {
        call_fails_saying(t, method, params, want, NULL);
}

/* The group as GetStatus shows it. */
static json_object *group(T *t, const char *name) {
        _cleanup_(json_object_putp) json_object *s = NULL;
        _cleanup_(freep) char *error = NULL;
        json_object *groups;

        assert_int_equal(manager_status(t->m, name, &s, &error), 0);
        assert_true(json_object_object_get_ex(s, "groups", &groups));
        assert_int_equal(json_object_array_length(groups), 1);
        return json_object_get(json_object_array_get_idx(groups, 0));
}

static const char *field(json_object *o, const char *key) {
        json_object *v;
        assert_true(json_object_object_get_ex(o, key, &v));
        return json_object_get_string(v);
}

static void assert_state(T *t, const char *name, const char *state, const char *active) {
        _cleanup_(json_object_putp) json_object *g = group(t, name);

        if (!streq(field(g, "state"), state) || !streq(field(g, "active"), active))
                fail_msg("group %s: state %s, active '%s' (%s); wanted %s, active '%s'", name,
                         field(g, "state"), field(g, "active"), field(g, "reason"), state, active);
}

static void assert_calls(T *t, const char *want) {
        if (!streq(fake_calls(t->k), want))
                fail_msg("backend calls:\n%s\nwanted:\n%s", fake_calls(t->k), want);
        fake_calls_clear(t->k);
}

static bool has_call(T *t, const char *line) {
        char l[128];
        snprintf(l, sizeof(l), "%s\n", line);
        return strstr(fake_calls(t->k), l) != NULL;
}

/* The backup loses its carrier and the bond has seen it. */
static void backup_lost(T *t) {
        fake_link_set_carrier(t->k, "bk0", false);
        run(t);
        fake_miimon(t->k);
        run(t);
        fake_calls_clear(t->k);
}

/* The common start: a VF and its backup present at boot, hnvd builds the
 * bond and leaves the VF active. */
static void start_healthy(T *t) {
        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        start(t);
        assert_state(t, "g", "healthy", "vf0");
        fake_calls_clear(t->k);
}

/* ---- the tests ------------------------------------------------------------ */

static void test_boot_builds_the_bond(void **state) {
        T *t = *state;

        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        fake_link_set_addresses(t->k, "bk0", 2);
        start(t);

        /* Backup first, its addresses handed over before it joins; the VF
         * made primary and active at once; the backup, active first and so
         * left with the bond's MAC, gets its own back. */
        assert_calls(t, "create-bond bondg\n"
                        "move-addresses bk0 bondg\n"
                        "enslave bondg bk0\n"
                        "enslave bondg vf0\n"
                        "set-up bondg up\n"
                        "set-primary bondg vf0\n"
                        "set-address bk0 " BK_MAC "\n");
        assert_state(t, "g", "healthy", "vf0");
        assert_int_equal(fake_addresses(t->k, "bondg"), 2);
        assert_int_equal(fake_addresses(t->k, "bk0"), 0);
        char buf[HW_ADDR_STRLEN];
        assert_string_equal(hw_addr_format(&fake_link(t->k, "bondg")->mac, buf), VF_MAC);
        assert_string_equal(hw_addr_format(&fake_link(t->k, "bk0")->mac, buf), BK_MAC);
}

/* Ready (READY=1 to systemd) once the first pass has built the bond of
 * the devices present at start-up, not before: the connection managers,
 * ordered after hnvd, must find it. */
static void test_ready_after_the_bond_is_built(void **state) {
        T *t = *state;

        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        start_only(t);
        assert_int_equal(t->ready, 0);
        for (int i = 0; i < 100 && !t->ready; i++)
                (void)sd_event_run(t->event, 0);
        assert_int_equal(t->ready, 1);
        assert_non_null(strstr(t->calls_at_ready, "create-bond bondg\n"));
        assert_non_null(strstr(t->calls_at_ready, "enslave bondg bk0\n"));
        assert_non_null(strstr(t->calls_at_ready, "enslave bondg vf0\n"));
        run(t);
        assert_int_equal(t->ready, 1);
}

/* With nothing to build, ready all the same. */
static void test_ready_without_groups(void **state) {
        T *t = *state;

        write_config(t, "");
        start(t);
        assert_int_equal(t->ready, 1);
        assert_string_equal(t->calls_at_ready, "");
}

static void test_restart_adopts_without_a_call(void **state) {
        T *t = *state;

        start_healthy(t);
        stop(t);
        start(t);
        assert_calls(t, "");
        assert_state(t, "g", "healthy", "vf0");
}

static void test_carrier_loss_switches_before_miimon(void **state) {
        T *t = *state;

        start_healthy(t);
        fake_link_set_carrier(t->k, "vf0", false);
        run(t);
        /* The bond has not noticed yet (no miimon tick): hnvd switched. */
        assert_true(fake_link(t->k, "vf0")->bond_port_mii_up);
        assert_true(has_call(t, "set-active bondg bk0"));
        assert_string_equal(fake_active(t->k, "bondg"), "bk0");
        assert_state(t, "g", "degraded", "bk0");

        fake_miimon(t->k);
        run(t);
        fake_calls_clear(t->k);

        /* Carrier back: the bond takes its primary at its next tick. */
        fake_link_set_carrier(t->k, "vf0", true);
        run(t);
        fake_miimon(t->k);
        run(t);
        assert_state(t, "g", "healthy", "vf0");
        _cleanup_(json_object_putp) json_object *g = group(t, "g");
        json_object *v;
        assert_true(json_object_object_get_ex(g, "failovers", &v));
        assert_int_equal(json_object_get_int(v), 1);
}

/* Events lost to an overrun: the dump says what is gone, in one request;
 * only an interrupted dump, which may have left a link out, makes hnvd ask
 * about each link it did not report. */
static void test_resync_after_overrun(void **state) {
        T *t = *state;

        start_healthy(t);
        fake_link_remove(t->k, "vf0");
        fake_overrun(t->k, false);
        assert_int_equal(fake_get_link_calls(t->k), 0);
        run(t);
        assert_state(t, "g", "degraded", "bk0");

        add_vf(t, "vf1", VF_MAC);
        run(t);
        assert_state(t, "g", "healthy", "vf1");
        fake_link_remove(t->k, "vf1");
        fake_overrun(t->k, true);
        assert_int_equal(fake_get_link_calls(t->k), 1);
        run(t);
        assert_state(t, "g", "degraded", "bk0");
}

static void test_vf_unplugged_returns_under_a_new_name(void **state) {
        T *t = *state;

        start_healthy(t);
        fake_link_remove(t->k, "vf0");
        run(t);
        assert_calls(t, "");
        assert_state(t, "g", "degraded", "bk0");

        /* The same VF (by MAC) back under another name. */
        add_vf(t, "enp0s5", VF_MAC);
        run(t);
        assert_true(has_call(t, "enslave bondg enp0s5"));
        assert_true(has_call(t, "set-primary bondg enp0s5"));
        /* Frames still coming down the backup's path are delivered while
         * the switch settles, and only then dropped again. */
        assert_true(has_call(t, "all-ports-active bondg on"));
        assert_state(t, "g", "healthy", "enp0s5");
        assert_true(fake_link(t->k, "bondg")->bond_all_ports_active);
        run_for(t, 60);
        assert_false(fake_link(t->k, "bondg")->bond_all_ports_active);
        _cleanup_(json_object_putp) json_object *g = group(t, "g");
        json_object *v;
        assert_true(json_object_object_get_ex(g, "reenslaves", &v));
        assert_int_equal(json_object_get_int(v), 1);
}

static void test_planned_release(void **state) {
        T *t = *state;
        char buf[HW_ADDR_STRLEN];

        start_healthy(t);
        json_object_put(call_ok(t, "io.hnv.PrepareMigration", "{\"group\":\"g\"}"));

        /* The backup takes the bond's MAC and the traffic before the VF
         * goes, and frames in flight are delivered meanwhile. */
        assert_calls(t, "all-ports-active bondg on\n"
                        "set-address bk0 " VF_MAC "\n"
                        "set-active bondg bk0\n"
                        "release vf0\n"
                        "all-ports-active bondg off\n");
        assert_state(t, "g", "migrating", "bk0");
        assert_string_equal(fake_master(t->k, "vf0"), "");
        assert_string_equal(hw_addr_format(&fake_link(t->k, "vf0")->mac, buf), VF_MAC);

        /* The released VF stays out whatever happens to it. */
        fake_link_set_carrier(t->k, "vf0", false);
        run(t);
        fake_link_set_carrier(t->k, "vf0", true);
        run(t);
        assert_calls(t, "");
        assert_state(t, "g", "migrating", "bk0");

        /* The destination's VF ends the migration. */
        fake_link_remove(t->k, "vf0");
        add_vf(t, "vf9", VF_MAC);
        run(t);
        assert_true(has_call(t, "enslave bondg vf9"));
        assert_state(t, "g", "healthy", "vf9");
}

/* A planned release on a bond with these options: how long the call took,
 * the VF released. */
static uint64_t timed_release(T *t, const char *bond_options, bool silent) {
        uint64_t t0;

        write_config_with(t, bond_options, GROUP_G);
        start_healthy(t);
        fake_bonds_silent(t->k, silent);
        t0 = now_usec();
        json_object_put(call_ok(t, "io.hnv.PrepareMigration", "{\"group\":\"g\"}"));
        t0 = now_usec() - t0;
        assert_true(has_call(t, "release vf0"));
        assert_state(t, "g", "migrating", "bk0");
        return t0;
}

/* The VF goes as soon as the bond says it told its peers, not after the
 * time every notification takes (here 2 notifications a second apart). */
static void test_release_on_the_bonds_notification(void **state) {
        assert_true(timed_release(*state, "miimon=1000 num_peer_notif=2", false) < 1000 * 1000);
}

/* A bond that says nothing: the VF waits for the time the notifications
 * take, never less. */
static void test_silent_bond_release_waits(void **state) {
        assert_true(timed_release(*state, "miimon=100 num_peer_notif=2", true) >= 200 * 1000);
}

static void test_rollback_takes_the_same_vf_back(void **state) {
        T *t = *state;

        start_healthy(t);
        json_object_put(call_ok(t, "io.hnv.PrepareMigration", "{\"group\":\"g\"}"));
        fake_calls_clear(t->k);

        /* The migration did not happen: complete brings the VF back. */
        json_object_put(call_ok(t, "io.hnv.CompleteMigration", "{\"group\":\"g\"}"));
        assert_true(has_call(t, "enslave bondg vf0"));
        assert_state(t, "g", "healthy", "vf0");
}

static void test_prepare_refused_without_backup(void **state) {
        T *t = *state;

        start_healthy(t);
        backup_lost(t);
        call_fails(t, "io.hnv.PrepareMigration", "{\"group\":\"g\"}", "io.hnv.NotSafe");
        assert_calls(t, "");
        assert_state(t, "g", "healthy", "vf0");
}

static void test_prepare_rolls_back_a_failed_switch(void **state) {
        T *t = *state;

        start_healthy(t);
        fake_fail(t->k, "set-active", -EIO, 1);
        call_fails(t, "io.hnv.PrepareMigration", "{\"group\":\"g\"}", "io.hnv.InternalError");
        /* The VF never left, and carries the traffic again. */
        assert_string_equal(fake_master(t->k, "vf0"), "bondg");
        assert_false(has_call(t, "release vf0"));
        assert_state(t, "g", "healthy", "vf0");
        run_for(t, 60);
        assert_false(fake_link(t->k, "bondg")->bond_all_ports_active);
}

static void test_restart_during_migration_keeps_vf_out(void **state) {
        T *t = *state;

        start_healthy(t);
        json_object_put(call_ok(t, "io.hnv.PrepareMigration", "{\"group\":\"g\"}"));
        stop(t);
        fake_calls_clear(t->k);
        start(t);
        assert_calls(t, "");
        assert_state(t, "g", "migrating", "bk0");

        json_object_put(call_ok(t, "io.hnv.CompleteMigration", "{\"group\":\"g\"}"));
        assert_state(t, "g", "healthy", "vf0");
}

/* A state file that says a migration began in the future (a clock that
 * went back, an edited file), and names the group twice: the migration
 * still ends at migration-timeout, and the second record is ignored. */
static void test_state_file_checked(void **state) {
        T *t = *state;
        static const char text[] =
                "{\"version\":1,\"excluded_ifindexes\":[],\"groups\":["
                "{\"name\":\"g\",\"bond\":\"bondg\",\"source\":\"config\",\"primary\":\"mac:" VF_MAC
                "\",\"backup\":\"mac:" BK_MAC
                "\",\"migrating\":true,\"migrating_since\":4611686018427387904,"
                "\"released_ifindex\":2},"
                "{\"name\":\"g\",\"bond\":\"bondx\",\"source\":\"runtime\",\"primary\":\"mac:" VF1_MAC
                "\",\"backup\":\"mac:" BK1_MAC "\"}]}";

        write_config(t, "[global]\nmigration-timeout = 1\n"
                        "[group g]\nprimary = mac:" VF_MAC "\nbackup = mac:" BK_MAC "\nbond = bondg\n");
        write_file(t, "run/state.json", text, sizeof(text) - 1);
        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        start(t);
        assert_state(t, "g", "migrating", "bk0");
        run_for(t, 1300);
        assert_state(t, "g", "healthy", "vf0");
        _cleanup_(json_object_putp) json_object *g = group(t, "g");
        assert_string_equal(field(g, "bond"), "bondg");
}

static void test_two_backups(void **state) {
        T *t = *state;

        write_config(t, "[group g]\n"
                        "primary = mac:" VF_MAC "\n"
                        "backup = name:bk*\n"
                        "bond = bondg\n");
        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        add_backup(t, "bk1", BK1_MAC);
        start(t);
        assert_state(t, "g", "healthy", "vf0");
        assert_string_equal(fake_master(t->k, "bk0"), "bondg");
        assert_string_equal(fake_master(t->k, "bk1"), "bondg");

        fake_link_remove(t->k, "vf0");
        run(t);
        const char *first = fake_active(t->k, "bondg");
        assert_true(streq(first, "bk0") || streq(first, "bk1"));
        assert_state(t, "g", "degraded", first);

        /* The active backup loses its carrier: the other one takes over. */
        const char *other = streq(first, "bk0") ? "bk1" : "bk0";
        fake_link_set_carrier(t->k, first, false);
        run(t);
        assert_string_equal(fake_active(t->k, "bondg"), other);
        assert_state(t, "g", "degraded", other);
}

static void test_failed_enslave_is_retried(void **state) {
        T *t = *state;

        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        fake_fail(t->k, "enslave", -EBUSY, UINT_MAX);
        start(t);
        assert_string_equal(fake_master(t->k, "bk0"), "");
        assert_state(t, "g", "down", "");
        /* The kernel says yes again, and nothing else happens: only the
         * retry timer (half a second at first) brings the group back. */
        fake_fail(t->k, "enslave", 0, 0);
        run(t);
        assert_string_equal(fake_master(t->k, "bk0"), "");
        run_for(t, 700);
        assert_state(t, "g", "healthy", "vf0");
}

/* A bond the kernel will not create (no bonding driver): the group says
 * so, even with both ports up and carrying carrier. */
static void test_no_bond_is_not_healthy(void **state) {
        T *t = *state;

        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        fake_link_set_up(t->k, "vf0", true);
        fake_link_set_up(t->k, "bk0", true);
        fake_fail(t->k, "create-bond", -EOPNOTSUPP, UINT_MAX);
        start(t);
        _cleanup_(json_object_putp) json_object *g = group(t, "g");
        assert_string_equal(field(g, "state"), "down");
        assert_string_equal(field(g, "reason"), "no bond");
}

static void test_remove_hands_addresses_to_the_backup(void **state) {
        T *t = *state;
        _cleanup_(json_object_putp) json_object *r = NULL;

        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        fake_link_set_addresses(t->k, "bk0", 1);
        start(t);
        fake_calls_clear(t->k);
        r = call_ok(t, "io.hnv.Remove", "{\"group\":\"g\"}");
        assert_calls(t, "dissolve-bond bondg bk0\n");
        assert_int_equal(fake_ifindex(t->k, "bondg"), -1);
        assert_int_equal(fake_addresses(t->k, "bk0"), 1);
        /* Dissolved stays dissolved: no bond built again from the same devices. */
        fake_link_set_carrier(t->k, "vf0", false);
        run(t);
        assert_calls(t, "");
}

static void test_unknown_device_left_alone(void **state) {
        T *t = *state;

        start_healthy(t);
        fake_link_add(t->k, "eth9", "02:00:00:00:00:99", true, "e1000", NULL);
        run(t);
        assert_calls(t, "");
        assert_string_equal(fake_master(t->k, "eth9"), "");
}

static void test_runtime_group_from_hnvctl_add(void **state) {
        T *t = *state;
        _cleanup_(json_object_putp) json_object *r = NULL;

        write_config(t, "");
        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        start(t);
        assert_calls(t, "");
        r = call_ok(t, "io.hnv.Add", "{\"group\":\"web\",\"primary\":\"vf0\",\"backup\":\"bk0\"}");
        assert_state(t, "web", "healthy", "vf0");
        assert_string_equal(fake_master(t->k, "vf0"), "bondweb");

        /* Kept across a restart, from the state file. */
        stop(t);
        fake_calls_clear(t->k);
        start(t);
        assert_calls(t, "");
        assert_state(t, "web", "healthy", "vf0");
}

/* The udev properties hnvd kept of a device, "K=V,K=V". */
static const char *kept_properties(T *t, const char *name, char buf[static 256]) {
        Link *l = find_link(t->m, fake_ifindex(t->k, name));

        assert_non_null(l);
        buf[0] = '\0';
        for (char **p = l->device->udev_properties; p && *p; p++)
                snprintf(buf + strlen(buf), 256 - strlen(buf), "%s%s", buf[0] ? "," : "", *p);
        return buf;
}

/* A device keeps only the udev properties pairing reads. A reloaded
 * configuration, or an hnvctl add, that reads a key none read before has
 * udev asked again, so the devices pair as if all had been kept. */
static void test_udev_properties_read_again(void **state) {
        T *t = *state;
        static const char *const vf0[] = {"ID_PATH=pci-5", "ID_MODEL=cx5", "HNV_ROLE=primary", NULL};
        static const char *const bk0[] = {"ID_PATH=pci-3", "ID_MODEL=virtio", NULL};
        static const char *const vf1[] = {"ID_MODEL=cx6", "ID_SERIAL=s1", NULL};
        static const char *const bk1[] = {"ID_MODEL=veth", "ID_SERIAL=s2", NULL};
        static const char *const vf2[] = {"ID_NET_SLOT=s7", NULL};
        static const char *const bk2[] = {"ID_NET_SLOT=s8", NULL};
        const char *g = "[group g]\n"
                        "primary = udev:ID_PATH=pci-5\n"
                        "backup = udev:ID_PATH=pci-3\n";
        char conf[512], buf[256];
        _cleanup_(freep) char *error = NULL;
        _cleanup_(json_object_putp) json_object *r = NULL;

        write_config(t, g);
        fake_link_add(t->k, "vf0", VF_MAC, true, "mlx5_core", vf0);
        fake_link_add(t->k, "bk0", BK_MAC, false, "virtio_net", bk0);
        fake_link_add(t->k, "vf1", VF1_MAC, true, "mlx5_core", vf1);
        fake_link_add(t->k, "bk1", BK1_MAC, false, "virtio_net", bk1);
        start(t);
        assert_state(t, "g", "healthy", "vf0");
        assert_string_equal(kept_properties(t, "vf0", buf), "ID_PATH=pci-5,HNV_ROLE=primary");
        assert_string_equal(kept_properties(t, "vf1", buf), "");

        /* ID_MODEL was dropped from every device: asked again on reload. */
        snprintf(conf, sizeof(conf),
                 "%s[group h]\n"
                 "primary = udev:ID_MODEL=cx6\n"
                 "backup = udev:ID_MODEL=veth\n",
                 g);
        write_config(t, conf);
        assert_true(manager_reload(t->m, &error) >= 0);
        run(t);
        assert_state(t, "h", "healthy", "vf1");
        assert_state(t, "g", "healthy", "vf0");
        assert_string_equal(kept_properties(t, "vf0", buf), "ID_PATH=pci-5,ID_MODEL=cx5,HNV_ROLE=primary");
        assert_string_equal(kept_properties(t, "vf1", buf), "ID_MODEL=cx6");

        /* And for a group hnvctl adds. */
        fake_link_add(t->k, "vf2", "02:00:00:00:00:05", true, "mlx5_core", vf2);
        fake_link_add(t->k, "bk2", "02:00:00:00:00:06", false, "virtio_net", bk2);
        run(t);
        r = call_ok(
                t, "io.hnv.Add",
                "{\"group\":\"k\",\"primary\":\"udev:ID_NET_SLOT=s7\",\"backup\":\"udev:ID_NET_SLOT=s8\"}");
        run(t);
        assert_state(t, "k", "healthy", "vf2");
}

static size_t n_groups(T *t) {
        _cleanup_(json_object_putp) json_object *s = NULL;
        _cleanup_(freep) char *error = NULL;
        json_object *groups;

        assert_int_equal(manager_status(t->m, NULL, &s, &error), 0);
        assert_true(json_object_object_get_ex(s, "groups", &groups));
        return json_object_array_length(groups);
}

static size_t n_saved_groups(T *t) {
        GroupRecord *records = NULL;
        _cleanup_(freep) int *excluded = NULL;
        size_t n = 0, n_excluded;

        assert_int_equal(state_file_read(pathf(t, "run/state.json"), &records, &n, &excluded, &n_excluded),
                         0);
        group_records_free(records, n);
        return n;
}

/* A group udev's properties defined lives as long as one of its devices:
 * otherwise every device that ever came would stay in memory and in the
 * state file. It is learned again when they return. */
static void test_learned_group_forgotten_with_its_devices(void **state) {
        T *t = *state;
        static const char *const vf_props[] = {"HNV_GROUP=u1", "HNV_ROLE=primary", NULL};
        static const char *const bk_props[] = {"HNV_GROUP=u1", "HNV_ROLE=backup", NULL};

        write_config(t, "");
        start(t);
        for (int round = 0; round < 2; round++) {
                fake_link_add(t->k, "vf0", VF_MAC, true, "mlx5_core", vf_props);
                fake_link_add(t->k, "bk0", BK_MAC, false, "virtio_net", bk_props);
                run(t);
                assert_state(t, "u1", "healthy", "vf0");
                assert_int_equal(n_saved_groups(t), 1);

                /* The VF alone going keeps the group: the backup carries it. */
                fake_link_remove(t->k, "vf0");
                run(t);
                assert_state(t, "u1", "degraded", "bk0");
                fake_link_remove(t->k, "bk0");
                run(t);
                assert_int_equal(n_groups(t), 0);
                assert_int_equal(n_saved_groups(t), 0);
        }

        /* Both gone at once: the reconcile pass may act on the backup
         * before its removal is read, and find it gone in the middle of
         * an action on the group (which must outlive that action). */
        fake_link_add(t->k, "vf0", VF_MAC, true, "mlx5_core", vf_props);
        fake_link_add(t->k, "bk0", BK_MAC, false, "virtio_net", bk_props);
        run(t);
        assert_state(t, "u1", "healthy", "vf0");
        fake_link_remove(t->k, "vf0");
        fake_link_remove(t->k, "bk0");
        run(t);
        assert_int_equal(n_groups(t), 0);
}

static void test_remove_port_holds_across_restart(void **state) {
        T *t = *state;
        _cleanup_(json_object_putp) json_object *r = NULL;

        start_healthy(t);
        r = call_ok(t, "io.hnv.RemovePort", "{\"device\":\"bk0\"}");
        assert_string_equal(field(r, "group"), "g");
        assert_calls(t, "release bk0\n");
        assert_state(t, "g", "healthy", "vf0");

        /* Still out after a restart (state file), and no flap. */
        stop(t);
        start(t);
        assert_calls(t, "");
        assert_string_equal(fake_master(t->k, "bk0"), "");
        /* Nothing to fail over to: the backup stays out. */
        fake_link_set_carrier(t->k, "vf0", false);
        run(t);
        fake_miimon(t->k);
        run(t);
        assert_calls(t, "");
        assert_state(t, "g", "down", "");
}

static void test_reload_leaves_bond_as_it_is(void **state) {
        T *t = *state;

        start_healthy(t);
        /* A bad line: refused, the running configuration kept. */
        write_config(t, "[group g]\nprimary = mac:nonsense\n");
        call_fails(t, "io.hnv.Reload", "{}", "io.hnv.ConfigError");
        assert_state(t, "g", "healthy", "vf0");

        /* The group gone from the file: forgotten, its bond untouched. */
        write_config(t, "");
        json_object_put(call_ok(t, "io.hnv.Reload", "{}"));
        assert_calls(t, "");
        assert_string_equal(fake_master(t->k, "vf0"), "bondg");
        call_fails(t, "io.hnv.GetStatus", "{\"group\":\"g\"}", "io.hnv.NoSuchGroup");
}

/* ---- the console's commands (hcn.c) on a PowerVM device tree ------------- */

#define HCN_ID   "333e80f5"
#define HCN_BOND "bond" HCN_ID

/* A property file of the fake /proc/device-tree; bytes as the firmware
 * writes them. */
static void dt_prop(T *t, const char *node, const char *name, const void *value, size_t size) {
        char rel[200];

        snprintf(rel, sizeof(rel), "dt/%s/%s", node, name);
        write_file(t, rel, value, size);
}

/* A node of the group: its hcn-id and mode, its DRC index on the node
 * (a backup) or on the pci slot above it (a VF). */
static void dt_node(T *t, const char *node, bool vf, uint32_t drc) {
        const uint8_t id[] = {0x33, 0x3e, 0x80, 0xf5};
        const uint8_t cell[] = {drc >> 24, drc >> 16, drc >> 8, drc};
        char slot[128];

        dt_prop(t, node, "ibm,hcn-id", id, sizeof(id));
        dt_prop(t, node, "ibm,hcn-mode", vf ? "primary" : "backup", vf ? 8 : 7);
        snprintf(slot, sizeof(slot), "%s", node);
        if (vf)
                *strrchr(slot, '/') = '\0';
        dt_prop(t, slot, "ibm,my-drc-index", cell, sizeof(cell));
}

/* The netdev's device/devspec in the fake sysfs: written before the
 * netdev appears, as the kernel has it then. */
static void dt_devspec(T *t, const char *ifname, const char *node) {
        char rel[128], text[128];
        int n;

        snprintf(rel, sizeof(rel), "sys/class/net/%s/device/devspec", ifname);
        n = snprintf(text, sizeof(text), "/%s\n", node);
        write_file(t, rel, text, (size_t)n);
}

static void start_powervm(T *t) {
        FILE *f = fopen(pathf(t, "hnv.conf"), "we");

        assert_non_null(f);
        fprintf(f,
                "[global]\n"
                "device-tree = yes\n"
                "device-tree-root = %s/dt\n"
                "sysfs-root = %s/sys\n"
                "auto-pairing = no\n"
                "bond-options = miimon=10 num_peer_notif=1\n",
                t->dir, t->dir);
        assert_int_equal(fclose(f), 0);
        dt_node(t, "pci@800000020000011/ethernet@0", true, 0x8000003a);
        dt_node(t, "vdevice/l-lan@30000002", false, 0x30000002);
        dt_devspec(t, "vf0", "pci@800000020000011/ethernet@0");
        dt_devspec(t, "bk0", "vdevice/l-lan@30000002");
        add_vf(t, "vf0", VF_MAC);
        add_backup(t, "bk0", BK_MAC);
        start(t);
}

static bool reply_bool(json_object *o, const char *key) {
        json_object *v;
        assert_true(json_object_object_get_ex(o, key, &v));
        return json_object_get_boolean(v);
}

static void test_hmc_sequence(void **state) {
        T *t = *state;
        _cleanup_(json_object_putp) json_object *r = NULL;

        start_powervm(t);
        assert_state(t, HCN_ID, "healthy", "vf0");
        assert_string_equal(fake_master(t->k, "vf0"), HCN_BOND);

        /* hcncfgdrc of a device already in its bond answers at once. */
        r = call_ok(t, "io.hnv.ConfigureDevice", "{\"drc_index\":\"8000003a\"}");
        assert_string_equal(field(r, "device"), "vf0");
        json_object_put(TAKE_PTR(r));

        /* hcnqrydev: the VF may go, the backup carries the traffic then. */
        r = call_ok(t, "io.hnv.QueryDevice", "{\"drc_index\":\"8000003a\"}");
        assert_true(reply_bool(r, "removable"));
        json_object_put(TAKE_PTR(r));

        /* hcnrmdev of the VF: the planned release. */
        fake_calls_clear(t->k);
        json_object_put(call_ok(t, "io.hnv.RemoveDevice", "{\"drc_index\":\"8000003a\"}"));
        assert_calls(t, "all-ports-active " HCN_BOND " on\n"
                        "set-address bk0 " VF_MAC "\n"
                        "set-active " HCN_BOND " bk0\n"
                        "release vf0\n"
                        "all-ports-active " HCN_BOND " off\n");
        assert_state(t, HCN_ID, "migrating", "bk0");

        /* DLPAR takes the slot; the destination's VF comes in another slot,
         * with another DRC index, the same hcn-id. */
        fake_link_remove(t->k, "vf0");
        run(t);
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "rm -r '%s/dt/pci@800000020000011'", t->dir);
        assert_int_equal(system(cmd), 0);
        dt_node(t, "pci@800000020000012/ethernet@0", true, 0x8000003b);
        dt_devspec(t, "vf1", "pci@800000020000012/ethernet@0");
        add_vf(t, "vf1", VF1_MAC);
        run(t);
        assert_state(t, HCN_ID, "healthy", "vf1");
        r = call_ok(t, "io.hnv.ConfigureDevice", "{\"drc_index\":\"8000003b\"}");
        assert_string_equal(field(r, "device"), "vf1");
        json_object_put(TAKE_PTR(r));

        /* hcnrmdev of the backup while the VF carries the traffic, and
         * hcncfgdrc to take it back. */
        fake_calls_clear(t->k);
        r = call_ok(t, "io.hnv.RemoveDevice", "{\"drc_index\":\"30000002\"}");
        assert_true(reply_bool(r, "released"));
        json_object_put(TAKE_PTR(r));
        assert_true(has_call(t, "release bk0"));
        assert_string_equal(fake_master(t->k, "bk0"), "");
        r = call_ok(t, "io.hnv.ConfigureDevice", "{\"drc_index\":\"30000002\"}");
        json_object_put(TAKE_PTR(r));
        assert_string_equal(fake_master(t->k, "bk0"), HCN_BOND);

        /* hcnmgr -s: every present device in its bond. */
        r = call_ok(t, "io.hnv.Scan", "{}");
        json_object *devices;
        assert_true(json_object_object_get_ex(r, "devices", &devices));
        assert_int_equal(json_object_array_length(devices), 2);
}

static void test_hmc_refusals(void **state) {
        T *t = *state;
        _cleanup_(json_object_putp) json_object *r = NULL;

        start_powervm(t);
        backup_lost(t);

        /* No backup to carry the traffic: the VF may not go. */
        r = call_ok(t, "io.hnv.QueryDevice", "{\"drc_index\":\"8000003a\"}");
        assert_false(reply_bool(r, "removable"));
        json_object_put(TAKE_PTR(r));
        call_fails(t, "io.hnv.RemoveDevice", "{\"drc_index\":\"8000003a\"}", "io.hnv.NotSafe");

        /* An index the tree does not have. */
        call_fails_saying(t, "io.hnv.ConfigureDevice", "{\"drc_index\":\"deadbeef\"}", "io.hnv.NoSuchDevice",
                          "no HNV device with DRC index deadbeef");

        /* A node the console gave a malformed hcn-id (3 bytes): the console
         * hears why, not "no such device". */
        const uint8_t id3[] = {0x55, 0x58, 0xa5}, drc[] = {0x30, 0x00, 0x00, 0x09};
        dt_prop(t, "vdevice/l-lan@30000009", "ibm,hcn-id", id3, sizeof(id3));
        dt_prop(t, "vdevice/l-lan@30000009", "ibm,hcn-mode", "backup", 7);
        dt_prop(t, "vdevice/l-lan@30000009", "ibm,my-drc-index", drc, sizeof(drc));
        call_fails_saying(t, "io.hnv.ConfigureDevice", "{\"drc_index\":\"30000009\"}", "io.hnv.NoSuchDevice",
                          "ibm,hcn-id has 3 bytes, not 4");
        call_fails_saying(t, "io.hnv.QueryDevice", "{\"drc_index\":\"30000009\"}", "io.hnv.NoSuchDevice",
                          "(/vdevice/l-lan@30000009) is not usable for HNV");
        assert_calls(t, "");
        assert_state(t, HCN_ID, "healthy", "vf0");
}

/* Anyone may ask QueryDevice: it must change nothing, even when the tree
 * has changed since hnvd last read it. */
static void test_query_device_changes_nothing(void **state) {
        T *t = *state;
        _cleanup_(json_object_putp) json_object *r = NULL, *s = NULL;
        _cleanup_(freep) char *error = NULL;
        const uint8_t id[] = {0x55, 0x58, 0xa5, 0xa3}, drc[] = {0x30, 0x00, 0x00, 0x09};
        json_object *groups;

        start_powervm(t);
        fake_calls_clear(t->k);
        /* A node of a group hnvd has not seen yet (no device came). */
        dt_prop(t, "vdevice/l-lan@30000009", "ibm,hcn-id", id, sizeof(id));
        dt_prop(t, "vdevice/l-lan@30000009", "ibm,hcn-mode", "backup", 7);
        dt_prop(t, "vdevice/l-lan@30000009", "ibm,my-drc-index", drc, sizeof(drc));

        r = call_ok(t, "io.hnv.QueryDevice", "{\"drc_index\":\"30000009\"}");
        assert_false(field(r, "device") && *field(r, "device"));
        assert_string_equal(field(r, "reason"), "no network device");
        /* The new hcn-id did not become a group. */
        assert_int_equal(manager_status(t->m, NULL, &s, &error), 0);
        assert_true(json_object_object_get_ex(s, "groups", &groups));
        assert_int_equal(json_object_array_length(groups), 1);
        assert_calls(t, "");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_boot_builds_the_bond, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ready_after_the_bond_is_built, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ready_without_groups, setup, teardown),
                cmocka_unit_test_setup_teardown(test_restart_adopts_without_a_call, setup, teardown),
                cmocka_unit_test_setup_teardown(test_carrier_loss_switches_before_miimon, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resync_after_overrun, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vf_unplugged_returns_under_a_new_name, setup, teardown),
                cmocka_unit_test_setup_teardown(test_planned_release, setup, teardown),
                cmocka_unit_test_setup_teardown(test_release_on_the_bonds_notification, setup, teardown),
                cmocka_unit_test_setup_teardown(test_silent_bond_release_waits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rollback_takes_the_same_vf_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_refused_without_backup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_prepare_rolls_back_a_failed_switch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_restart_during_migration_keeps_vf_out, setup, teardown),
                cmocka_unit_test_setup_teardown(test_state_file_checked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_two_backups, setup, teardown),
                cmocka_unit_test_setup_teardown(test_failed_enslave_is_retried, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_bond_is_not_healthy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_hands_addresses_to_the_backup, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unknown_device_left_alone, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runtime_group_from_hnvctl_add, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove_port_holds_across_restart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_learned_group_forgotten_with_its_devices, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_reload_leaves_bond_as_it_is, setup, teardown),
                cmocka_unit_test_setup_teardown(test_udev_properties_read_again, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hmc_sequence, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hmc_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_query_device_changes_nothing, setup, teardown),
        };

        log_setup(LOG_TARGET_STDERR, getenv("HNV_TEST_DEBUG") ? LOG_DEBUG : LOG_WARNING);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
