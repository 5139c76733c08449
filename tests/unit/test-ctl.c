/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hnvctl without hnvd: argument tables, request parameters, error mapping,
 * and output checked against tests/golden/. HNV_UPDATE_GOLDEN=1 rewrites
 * the *.expected files instead of comparing (review the diff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "ctl.h"
#include "varlink.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

#define MAX_ARGS 16

/* Splits a command line at spaces into a writable argv (getopt permutes
 * it); argv[0] is "hnvctl". The strings live in buf. */
static int split_args(const char *line, char *buf, size_t size, char *argv[static MAX_ARGS]) {
        int argc = 0;
        char *save = NULL;

        assert_true(strlen(line) < size);
        strcpy(buf, line);
        argv[argc++] = (char *)"hnvctl";
        for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                assert_true(argc < MAX_ARGS - 1);
                argv[argc++] = w;
        }
        argv[argc] = NULL;
        return argc;
}

typedef struct ParseCase {
        const char *args;
        const char *command; /* NULL: help */
        const char *operand;
        const char *primary;
        const char *backup;
        const char *bond;
        bool json;
        const char *socket;
        int timeout_ms;
        bool all;
        int wait_ms;
} ParseCase;

static void test_parse_good(void **state) {
        static const ParseCase cases[] = {
                {"", "status", .timeout_ms = 10000},
                {"status", "status", .timeout_ms = 10000},
                {"status web", "status", "web", .timeout_ms = 10000},
                {"--json status web", "status", "web", .json = true, .timeout_ms = 10000},
                {"status web --json", "status", "web", .json = true, .timeout_ms = 10000},
                {"status --json web", "status", "web", .json = true, .timeout_ms = 10000},
                {"list", "list", .timeout_ms = 10000},
                {"--json list", "list", .json = true, .timeout_ms = 10000},
                {"add web --primary vf0 --backup eth0", "add", "web", "vf0", "eth0", .timeout_ms = 10000},
                {"add --primary name:vf0 --backup udev:ID_PATH=pci-0000:00:08.0 web.2", "add", "web.2",
                 "name:vf0", "udev:ID_PATH=pci-0000:00:08.0", .timeout_ms = 10000},
                {"--socket /tmp/s add Web_1-x --backup mac:52:54:00:12:34:56 --primary 02:00:00:00:00:01 "
                 "--bond bond-web",
                 "add", "Web_1-x", "02:00:00:00:00:01", "mac:52:54:00:12:34:56", "bond-web",
                 .socket = "/tmp/s", .timeout_ms = 10000},
                {"add web --primary 02-00-00-00-00-01 --backup abcdefghijklmno", "add", "web",
                 "02-00-00-00-00-01", "abcdefghijklmno", .timeout_ms = 10000},
                {"remove web", "remove", "web", .timeout_ms = 10000},
                {"remove-port vf0", "remove-port", "vf0", .timeout_ms = 10000},
                {"reload --timeout 2.5", "reload", .timeout_ms = 2500},
                {"--timeout 0 status", "status", .timeout_ms = -1},
                {"--timeout 0.0001 status", "status", .timeout_ms = 1},
                {"version", "version", .timeout_ms = 10000},
                {"--version", "version", .timeout_ms = 10000},
                {"-V", "version", .timeout_ms = 10000},
                {"status -V", "version", .timeout_ms = 10000},
                {"-h", NULL, .timeout_ms = 10000},
                {"--help", NULL, .timeout_ms = 10000},
                {"add --help", NULL, .timeout_ms = 10000},
                {"status web -h", NULL, "web", .timeout_ms = 10000},
                {"status -- web", "status", "web", .timeout_ms = 10000},
                /* Migration: GROUP or --all; for the two that wait, --timeout
                 * is hnvd's wait (sent, 30 s unless given) and hnvctl waits
                 * 5 s longer. query-migration does not wait: its --timeout
                 * is the usual one. */
                {"query-migration web", "query-migration", "web", .timeout_ms = 10000},
                {"query-migration --all", "query-migration", .all = true, .timeout_ms = 10000},
                {"--json query-migration --all", "query-migration", .json = true, .all = true,
                 .timeout_ms = 10000},
                {"query-migration --all --timeout 0", "query-migration", .all = true, .timeout_ms = -1},
                {"query-migration --timeout 2 web", "query-migration", "web", .timeout_ms = 2000},
                {"prepare-migration web", "prepare-migration", "web", .timeout_ms = 35000, .wait_ms = 30000},
                {"prepare-migration --all --timeout 20", "prepare-migration", .all = true,
                 .timeout_ms = 25000, .wait_ms = 20000},
                {"prepare-migration web --timeout 0.05", "prepare-migration", "web", .timeout_ms = 5050,
                 .wait_ms = 50},
                {"prepare-migration --timeout 0.0001 web", "prepare-migration", "web", .timeout_ms = 5001,
                 .wait_ms = 1},
                {"--timeout 1.5 complete-migration web", "complete-migration", "web", .timeout_ms = 6500,
                 .wait_ms = 1500},
                {"complete-migration --all", "complete-migration", .all = true, .timeout_ms = 35000,
                 .wait_ms = 30000},
                {"complete-migration --all --all", "complete-migration", .all = true, .timeout_ms = 35000,
                 .wait_ms = 30000},
                {"complete-migration web --timeout 86400", "complete-migration", "web",
                 .timeout_ms = 86405000, .wait_ms = 86400000},
                {"prepare-migration --help", NULL, .timeout_ms = 10000},
                {"prepare-migration --timeout 0 --help", NULL, .timeout_ms = 10000},
        };

        assert_int_equal(unsetenv("HNV_SOCKET"), 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const ParseCase *c = &cases[i];
                _cleanup_(freep) char *error = NULL;
                char buf[256], *argv[MAX_ARGS];
                CtlRequest r;
                int argc = split_args(c->args, buf, sizeof(buf), argv);

                print_message("hnvctl %s\n", c->args);
                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                assert_null(error);
                if (c->command)
                        assert_string_equal(r.command->name, c->command);
                else {
                        assert_true(r.help);
                        assert_null(r.command);
                        continue;
                }
                assert_false(r.help);
                assert_true(streq_ptr(r.operand, c->operand));
                assert_true(streq_ptr(r.primary, c->primary));
                assert_true(streq_ptr(r.backup, c->backup));
                assert_true(streq_ptr(r.bond, c->bond));
                assert_int_equal(r.json, c->json);
                assert_string_equal(r.socket_path, c->socket ?: "/run/hnv/io.hnv");
                assert_int_equal(r.timeout_ms, c->timeout_ms);
                assert_int_equal(r.all, c->all);
                assert_int_equal(r.wait_ms, c->wait_ms);
        }
}

static void test_parse_bad(void **state) {
        static const struct {
                const char *args;
                const char *error;
        } cases[] = {
                {"bogus", "unknown command 'bogus'"},
                {"bogus --help", "unknown command 'bogus'"},
                {"add web --backup eth0", "'add' needs --primary"},
                {"add web --primary vf0", "'add' needs --backup"},
                {"add --primary vf0 --backup eth0", "'add' needs a GROUP"},
                {"add web --primary abcdefghijklmnopq --backup eth0",
                 "interface name 'abcdefghijklmnopq' is longer than 15 characters"},
                {"add web --primary vf0 --backup name:abcdefghijklmnop",
                 "interface name 'abcdefghijklmnop' is longer than 15 characters"},
                {"add web --primary vf0 --backup eth0 --bond averyveryverylongbond",
                 "interface name 'averyveryverylongbond' is longer than 15 characters"},
                {"add web --primary 02:00:00:00:00:zz --backup eth0",
                 "--primary: '02:00:00:00:00:zz' is neither a MAC address nor an interface name"},
                {"add web --primary mac:nope --backup eth0", "--primary: 'nope' is not a MAC address"},
                {"add web --primary mac:02:00: --backup eth0", "--primary: '02:00:' is not a MAC address"},
                {"add web --primary vf0 --backup 02:",
                 "--backup: '02:' is neither a MAC address nor an interface name"},
                {"add web --primary vf0 --backup udev:NOVALUE",
                 "--backup: 'udev:NOVALUE' is not udev:KEY=VALUE"},
                {"add web --primary vf0 --backup udev:=x", "--backup: 'udev:=x' is not udev:KEY=VALUE"},
                {"add web --primary vf/0 --backup eth0", "'vf/0' is not a valid interface name"},
                {"add web --primary .. --backup eth0", "'..' is not a valid interface name"},
                {"add bad/group --primary vf0 --backup eth0",
                 "invalid group name 'bad/group': use 1-64 of A-Z a-z 0-9 _ . -"},
                {"status web!", "invalid group name 'web!': use 1-64 of A-Z a-z 0-9 _ . -"},
                {"status aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 "group name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is longer "
                 "than 64 "
                 "characters"},
                {"remove", "'remove' needs a GROUP"},
                {"remove-port", "'remove-port' needs a DEV"},
                {"remove-port abcdefghijklmnop",
                 "interface name 'abcdefghijklmnop' is longer than 15 characters"},
                {"list extra", "unexpected argument 'extra' after 'list'"},
                {"status web extra", "unexpected argument 'extra' after 'status'"},
                {"reload now", "unexpected argument 'now' after 'reload'"},
                {"remove web db", "unexpected argument 'db' after 'remove'"},
                {"status --primary vf0", "option '--primary' does not apply to 'status'"},
                {"--bond b0 remove web", "option '--bond' does not apply to 'remove'"},
                {"--frobnicate status", "unknown option '--frobnicate'"},
                {"status --frobnicate", "unknown option '--frobnicate'"},
                {"-x status", "unknown option '-x'"},
                {"status --socket", "option '--socket' needs an argument"},
                {"--timeout", "option '--timeout' needs an argument"},
                {"--timeout -1 status", "invalid timeout '-1': expected seconds, 0 for none"},
                {"--timeout soon status", "invalid timeout 'soon': expected seconds, 0 for none"},
                {"--timeout inf status", "invalid timeout 'inf': expected seconds, 0 for none"},
                {"query-migration", "'query-migration' needs a GROUP or --all"},
                {"prepare-migration", "'prepare-migration' needs a GROUP or --all"},
                {"complete-migration --timeout 5", "'complete-migration' needs a GROUP or --all"},
                {"query-migration web --all", "'query-migration' takes a GROUP or --all, not both"},
                {"prepare-migration --all web", "'prepare-migration' takes a GROUP or --all, not both"},
                {"--all complete-migration web", "'complete-migration' takes a GROUP or --all, not both"},
                {"query-migration web db", "unexpected argument 'db' after 'query-migration'"},
                {"prepare-migration --all extra", "'prepare-migration' takes a GROUP or --all, not both"},
                {"complete-migration --all web db", "unexpected argument 'db' after 'complete-migration'"},
                {"query-migration web!", "invalid group name 'web!': use 1-64 of A-Z a-z 0-9 _ . -"},
                {"prepare-migration aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                 "group name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is longer "
                 "than 64 characters"},
                {"prepare-migration web --timeout 0", "invalid timeout '0' for 'prepare-migration': "
                                                      "expected seconds, more than 0 and at most 86400"},
                {"prepare-migration web --timeout -1",
                 "invalid timeout '-1' for 'prepare-migration': expected seconds, more than 0 and at most "
                 "86400"},
                {"complete-migration --all --timeout soon",
                 "invalid timeout 'soon' for 'complete-migration': expected seconds, more than 0 and at "
                 "most "
                 "86400"},
                {"complete-migration --all --timeout 86400.5",
                 "invalid timeout '86400.5' for 'complete-migration': expected seconds, more than 0 and at "
                 "most 86400"},
                {"--timeout nan complete-migration --all",
                 "invalid timeout 'nan' for 'complete-migration': expected seconds, more than 0 and at most "
                 "86400"},
                {"prepare-migration --all --timeout", "option '--timeout' needs an argument"},
                {"query-migration --all --timeout -1", "invalid timeout '-1': expected seconds, 0 for none"},
                {"status --all", "option '--all' does not apply to 'status'"},
                {"--all remove web", "option '--all' does not apply to 'remove'"},
                {"prepare-migration --all --primary vf0",
                 "option '--primary' does not apply to 'prepare-migration'"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *error = NULL;
                char buf[256], *argv[MAX_ARGS];
                CtlRequest r;
                int argc = split_args(cases[i].args, buf, sizeof(buf), argv);

                print_message("hnvctl %s\n", cases[i].args);
                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), -EINVAL);
                assert_non_null(error);
                assert_string_equal(error, cases[i].error);
        }
}

static void test_parse_socket_env(void **state) {
        _cleanup_(freep) char *error = NULL;
        char buf[256], *argv[MAX_ARGS];
        CtlRequest r;
        int argc;

        assert_int_equal(setenv("HNV_SOCKET", "/tmp/env.sock", 1), 0);
        argc = split_args("status", buf, sizeof(buf), argv);
        assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
        assert_string_equal(r.socket_path, "/tmp/env.sock");

        /* The option beats the environment. */
        argc = split_args("--socket /tmp/opt.sock status", buf, sizeof(buf), argv);
        assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
        assert_string_equal(r.socket_path, "/tmp/opt.sock");

        /* Empty is unset. */
        assert_int_equal(setenv("HNV_SOCKET", "", 1), 0);
        argc = split_args("status", buf, sizeof(buf), argv);
        assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
        assert_string_equal(r.socket_path, "/run/hnv/io.hnv");
        assert_int_equal(unsetenv("HNV_SOCKET"), 0);
}

static void test_request_params(void **state) {
        static const struct {
                const char *args;
                const char *method;
                const char *params;
        } cases[] = {
                {"status", "io.hnv.GetStatus", "{}"},
                {"status web", "io.hnv.GetStatus", "{\"group\":\"web\"}"},
                {"list", "io.hnv.GetStatus", "{}"},
                {"add web --backup eth0 --primary vf0", "io.hnv.Add",
                 "{\"group\":\"web\",\"primary\":\"vf0\",\"backup\":\"eth0\"}"},
                {"add web --primary mac:02:00:00:00:00:01 --backup eth0 --bond b0", "io.hnv.Add",
                 "{\"group\":\"web\",\"primary\":\"mac:02:00:00:00:00:01\",\"backup\":\"eth0\",\"bond\":"
                 "\"b0\"}"},
                {"remove web", "io.hnv.Remove", "{\"group\":\"web\"}"},
                {"remove-port vf0", "io.hnv.RemovePort", "{\"device\":\"vf0\"}"},
                {"reload", "io.hnv.Reload", "{}"},
                {"query-migration web", "io.hnv.QueryMigration", "{\"group\":\"web\"}"},
                {"query-migration --all --timeout 3", "io.hnv.QueryMigration", "{\"all\":true}"},
                {"prepare-migration web", "io.hnv.PrepareMigration",
                 "{\"group\":\"web\",\"timeout_ms\":30000}"},
                {"prepare-migration --all --timeout 2.5", "io.hnv.PrepareMigration",
                 "{\"all\":true,\"timeout_ms\":2500}"},
                {"complete-migration --timeout 1.5 web", "io.hnv.CompleteMigration",
                 "{\"group\":\"web\",\"timeout_ms\":1500}"},
                {"complete-migration --all", "io.hnv.CompleteMigration",
                 "{\"all\":true,\"timeout_ms\":30000}"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_object_putp) json_object *p = NULL;
                _cleanup_(freep) char *error = NULL;
                char buf[256], *argv[MAX_ARGS];
                CtlRequest r;
                int argc = split_args(cases[i].args, buf, sizeof(buf), argv);

                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                assert_string_equal(ctl_request_method(&r), cases[i].method);
                p = ctl_request_params(&r);
                assert_non_null(p);
                assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
                                    cases[i].params);
        }

        /* version is hnvctl's own business. */
        {
                _cleanup_(freep) char *error = NULL;
                char buf[64], *argv[MAX_ARGS];
                CtlRequest r;
                int argc = split_args("version", buf, sizeof(buf), argv);

                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                assert_null(ctl_request_method(&r));
        }
}

static void test_exit_codes(void **state) {
        assert_int_equal(ctl_exit_code_for_error(NULL), 0);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.NoSuchGroup"), 3);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.NoSuchDevice"), 3);
        assert_int_equal(ctl_exit_code_for_error(VARLINK_ERROR_PERMISSION_DENIED), 4);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.GroupExists"), 1);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.InvalidArgument"), 1);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.ConfigError"), 1);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.InternalError"), 1);
        assert_int_equal(ctl_exit_code_for_error(VARLINK_ERROR_METHOD_NOT_FOUND), 1);
        assert_int_equal(ctl_exit_code_for_error("com.example.Whatever"), 1);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.NotSafe"), 6);
        assert_int_equal(ctl_exit_code_for_error("io.hnv.Timeout"), 7);
        /* The documented values are ABI. */
        assert_int_equal(CTL_EXIT_USAGE, 2);
        assert_int_equal(CTL_EXIT_UNREACHABLE, 5);
        assert_int_equal(CTL_EXIT_NOT_SAFE, 6);
        assert_int_equal(CTL_EXIT_TIMEOUT, 7);
        assert_int_equal(CTL_EXIT_NOT_ANSWERING, 8);
        /* Not running (nothing listens) against running but not answering. */
        assert_int_equal(ctl_transport_exit_code(-ENOENT, true), CTL_EXIT_UNREACHABLE);
        assert_int_equal(ctl_transport_exit_code(-ECONNREFUSED, true), CTL_EXIT_UNREACHABLE);
        assert_int_equal(ctl_transport_exit_code(-ETIMEDOUT, true), CTL_EXIT_NOT_ANSWERING);
        assert_int_equal(ctl_transport_exit_code(-ETIMEDOUT, false), CTL_EXIT_NOT_ANSWERING);
        assert_int_equal(ctl_transport_exit_code(-ECONNRESET, false), CTL_EXIT_NOT_ANSWERING);
}

/* A successful reply can still exit non-zero: query-migration's "no". */
static void test_reply_exit_codes(void **state) {
        static const struct {
                const char *args;
                const char *reply;
                int exit;
        } cases[] = {
                {"query-migration web", "{\"safe\":true,\"groups\":[]}", 0},
                {"query-migration --all", "{\"safe\":false,\"groups\":[]}", 6},
                /* No answer is not a yes. */
                {"query-migration --all", "{\"groups\":[]}", 6},
                {"query-migration --all", "{\"safe\":\"yes\",\"groups\":[]}", 6},
                {"--json query-migration --all", "{\"safe\":false,\"groups\":[]}", 6},
                /* The others answer with errors, not with a "no". */
                {"prepare-migration web", "{\"safe\":false,\"groups\":[]}", 0},
                {"complete-migration --all", "{\"groups\":[]}", 0},
                {"status", "{\"groups\":[]}", 0},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_object_putp) json_object *reply = json_tokener_parse(cases[i].reply);
                _cleanup_(freep) char *error = NULL;
                char buf[256], *argv[MAX_ARGS];
                CtlRequest r;
                int argc = split_args(cases[i].args, buf, sizeof(buf), argv);

                print_message("hnvctl %s <- %s\n", cases[i].args, cases[i].reply);
                assert_non_null(reply);
                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                assert_int_equal(ctl_reply_exit_code(&r, reply), cases[i].exit);
        }

        /* version has no reply at all. */
        {
                _cleanup_(freep) char *error = NULL;
                char buf[64], *argv[MAX_ARGS];
                CtlRequest r;
                int argc = split_args("version", buf, sizeof(buf), argv);

                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                assert_int_equal(ctl_reply_exit_code(&r, NULL), 0);
        }
}

static void test_error_messages(void **state) {
        static const struct {
                const char *error;
                const char *params;
                const char *message;
        } cases[] = {
                {VARLINK_ERROR_PERMISSION_DENIED, "{\"message\":\"only root may call io.hnv.Remove\"}",
                 "permission denied: only root may change hnv's state"},
                {"io.hnv.NoSuchGroup", "{\"message\":\"no group 'web'\"}", "no group 'web'"},
                {"io.hnv.ConfigError", "{\"message\":\"hnv.conf:12: unknown key 'primay'\"}",
                 "configuration error, hnvd keeps running the old one: hnv.conf:12: unknown key 'primay'"},
                {"io.hnv.InternalError", "{\"message\":\"Cannot allocate memory\"}",
                 "hnvd failed: Cannot allocate memory"},
                {VARLINK_ERROR_METHOD_NOT_FOUND, "{\"method\":\"io.hnv.Remove\"}",
                 "hnvd does not know io.hnv.Remove; is it older than hnvctl?"},
                {"com.example.Odd", "{}", "io.hnv.Remove failed: com.example.Odd"},
                {"io.hnv.NotSafe",
                 "{\"message\":\"not safe to remove the VF; nothing was changed\",\"groups\":[]}",
                 "not safe to remove the VF; nothing was changed"},
                {"io.hnv.Timeout", "{\"message\":\"not every group is back on a VF\",\"groups\":[]}",
                 "not every group is back on a VF"},
        };
        _cleanup_(freep) char *error = NULL;
        char buf[64], *argv[MAX_ARGS];
        CtlRequest r;
        int argc = split_args("remove web", buf, sizeof(buf), argv);

        assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_object_putp) json_object *p = json_tokener_parse(cases[i].params);
                _cleanup_(freep) char *m = ctl_error_message(&r, cases[i].error, p);

                assert_string_equal(m, cases[i].message);
        }

        {
                _cleanup_(freep) char *a = ctl_transport_error_message(&r, -ENOENT, true);
                _cleanup_(freep) char *b = ctl_transport_error_message(&r, -ETIMEDOUT, false);
                _cleanup_(freep) char *c = ctl_transport_error_message(&r, -ECONNRESET, false);
                _cleanup_(freep) char *d = ctl_transport_error_message(&r, -ETIMEDOUT, true);
                char expected[256];

                snprintf(expected, sizeof(expected),
                         "cannot reach hnvd at /run/hnv/io.hnv: %s (is hnvd running?)", strerror(ENOENT));
                assert_string_equal(a, expected);
                assert_string_equal(b, "hnvd at /run/hnv/io.hnv did not answer within 10 s");
                snprintf(expected, sizeof(expected), "lost connection to hnvd at /run/hnv/io.hnv: %s",
                         strerror(ECONNRESET));
                assert_string_equal(c, expected);
                snprintf(
                        expected, sizeof(expected),
                        "hnvd at /run/hnv/io.hnv does not accept connections: %s (it runs but is overloaded or "
                        "stuck)",
                        strerror(ETIMEDOUT));
                assert_string_equal(d, expected);
        }

        /* hnvctl waits longer than hnvd, and says how long it waited. */
        {
                _cleanup_(freep) char *error2 = NULL, *m = NULL;
                char buf2[64], *argv2[MAX_ARGS];
                CtlRequest r2;
                int argc2 = split_args("prepare-migration --all --timeout 20", buf2, sizeof(buf2), argv2);

                assert_int_equal(ctl_parse_args(argc2, argv2, &r2, &error2), 0);
                m = ctl_transport_error_message(&r2, -ETIMEDOUT, false);
                assert_string_equal(m, "hnvd at /run/hnv/io.hnv did not answer within 25 s");
        }
}

static void test_help(void **state) {
        _cleanup_(freep) char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        ctl_help(f);
        assert_int_equal(fclose(f), 0);
        /* Every command is listed, generated from the table. */
        assert_non_null(strstr(text, "\n  status [GROUP] "));
        assert_non_null(strstr(text, "\n  add GROUP --primary DEV|MAC --backup DEV|MAC [--bond NAME]\n"));
        assert_non_null(strstr(text, "\n  remove-port DEV "));
        assert_non_null(strstr(text, "\n  version "));
        assert_non_null(strstr(text, "\n  query-migration GROUP|--all\n"));
        assert_non_null(strstr(text, "\n  prepare-migration GROUP|--all [--timeout S]\n"));
        assert_non_null(strstr(text, "\n  complete-migration GROUP|--all [--timeout S]\n"));
}

/* ---- golden output ---- */

typedef enum GoldenKind {
        GOLDEN_STATUS,
        GOLDEN_LIST,
        GOLDEN_REPLY, /* through the command table, as hnvctl does */
        GOLDEN_ERROR, /* an error reply's parameters, as hnvctl prints them before the message */
} GoldenKind;

static const struct {
        const char *input;
        const char *expected;
        GoldenKind kind;
        const char *args; /* GOLDEN_STATUS: only_group; GOLDEN_REPLY, GOLDEN_ERROR: the command line */
        bool json;
        const char *error; /* GOLDEN_ERROR: the Varlink error */
        int exit;          /* GOLDEN_REPLY, GOLDEN_ERROR: hnvctl's exit status */
} golden_cases[] = {
        {"empty.json", "status-empty.expected", GOLDEN_STATUS},
        {"empty.json", "list-empty.expected", GOLDEN_LIST},
        {"healthy.json", "status-healthy.expected", GOLDEN_STATUS},
        {"degraded.json", "status-degraded.expected", GOLDEN_STATUS},
        {"several.json", "status-several.expected", GOLDEN_STATUS},
        {"several.json", "status-several-web.expected", GOLDEN_STATUS, "web"},
        {"several.json", "list-several.expected", GOLDEN_LIST},
        {"healthy.json", "json-healthy.expected", GOLDEN_STATUS, .json = true},
        {"empty.json", "json-empty.expected", GOLDEN_LIST, .json = true},
        {"add.json", "add.expected", GOLDEN_REPLY, "add web --primary vf0 --backup eth0"},
        {"migration-query-safe.json", "migration-query-safe.expected", GOLDEN_REPLY,
         "query-migration --all"},
        {"migration-query-unsafe.json", "migration-query-unsafe.expected", GOLDEN_REPLY,
         "query-migration --all", .exit = 6},
        {"migration-query-unsafe.json", "json-migration-query-unsafe.expected", GOLDEN_REPLY,
         "query-migration --all", .json = true, .exit = 6},
        {"migration-query-empty.json", "migration-query-empty.expected", GOLDEN_REPLY,
         "query-migration --all"},
        {"migration-prepare.json", "migration-prepare.expected", GOLDEN_REPLY, "prepare-migration --all"},
        {"migration-prepare-notsafe.json", "migration-prepare-notsafe.expected", GOLDEN_ERROR,
         "prepare-migration --all", .error = "io.hnv.NotSafe", .exit = 6},
        {"migration-prepare-notsafe.json", "json-migration-prepare-notsafe.expected", GOLDEN_ERROR,
         "prepare-migration --all", .json = true, .error = "io.hnv.NotSafe", .exit = 6},
        {"migration-prepare-timeout.json", "migration-prepare-timeout.expected", GOLDEN_ERROR,
         "prepare-migration web --timeout 0.05", .error = "io.hnv.Timeout", .exit = 7},
        {"migration-complete.json", "migration-complete.expected", GOLDEN_REPLY, "complete-migration web"},
        {"migration-complete-timeout.json", "migration-complete-timeout.expected", GOLDEN_ERROR,
         "complete-migration --all --timeout 1.5", .error = "io.hnv.Timeout", .exit = 7},
        {"migration-complete-timeout.json", "json-migration-complete-timeout.expected", GOLDEN_ERROR,
         "complete-migration --all --timeout 1.5", .json = true, .error = "io.hnv.Timeout", .exit = 7},
};

static char *read_file(const char *path) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                return NULL;
        if (getdelim(&text, &size, 0, f) < 0) {
                free(text);
                text = strdup("");
        }
        fclose(f);
        return text;
}

static void test_golden(void **state) {
        const char *dir = getenv("HNV_GOLDEN_DIR") ?: "../golden";
        bool update = streq_ptr(getenv("HNV_UPDATE_GOLDEN"), "1");

        for (size_t i = 0; i < ELEMENTSOF(golden_cases); i++) {
                _cleanup_(json_object_putp) json_object *reply = NULL;
                _cleanup_(freep) char *in_path = NULL, *out_path = NULL, *actual = NULL, *expected = NULL;
                size_t size = 0;
                FILE *f;
                int k = -EINVAL;

                assert_true(asprintf(&in_path, "%s/%s", dir, golden_cases[i].input) > 0);
                assert_true(asprintf(&out_path, "%s/%s", dir, golden_cases[i].expected) > 0);
                reply = json_object_from_file(in_path);
                if (!reply)
                        fail_msg("cannot read %s: %s", in_path, json_util_get_last_err());

                f = open_memstream(&actual, &size);
                assert_non_null(f);
                switch (golden_cases[i].kind) {
                case GOLDEN_STATUS:
                        k = ctl_render_status(f, reply, golden_cases[i].args, golden_cases[i].json);
                        break;
                case GOLDEN_LIST:
                        k = ctl_render_list(f, reply, golden_cases[i].json);
                        break;
                case GOLDEN_REPLY:
                case GOLDEN_ERROR: {
                        _cleanup_(freep) char *error = NULL;
                        char buf[256], *argv[MAX_ARGS];
                        CtlRequest r;
                        int argc = split_args(golden_cases[i].args, buf, sizeof(buf), argv);

                        assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                        r.json = golden_cases[i].json;
                        if (golden_cases[i].kind == GOLDEN_ERROR) {
                                k = ctl_render_error(f, &r, golden_cases[i].error, reply);
                                assert_int_equal(ctl_exit_code_for_error(golden_cases[i].error),
                                                 golden_cases[i].exit);
                        } else {
                                k = ctl_render_reply(f, &r, reply);
                                assert_int_equal(ctl_reply_exit_code(&r, reply), golden_cases[i].exit);
                        }
                        break;
                }
                }
                assert_int_equal(fclose(f), 0);
                assert_int_equal(k, 0);

                if (update) {
                        f = fopen(out_path, "we");
                        assert_non_null(f);
                        fputs(actual, f);
                        assert_int_equal(fclose(f), 0);
                        print_message("updated %s\n", out_path);
                        continue;
                }
                expected = read_file(out_path);
                if (!expected)
                        fail_msg("cannot read %s (HNV_UPDATE_GOLDEN=1 creates it)", out_path);
                if (!streq(expected, actual)) {
                        print_error("%s differs.\n--- expected\n%s--- actual\n%s---\n", out_path, expected,
                                    actual);
                        fail_msg("golden mismatch for %s", golden_cases[i].expected);
                }
        }
}

static void test_render_errors(void **state) {
        _cleanup_(json_object_putp) json_object *several = NULL, *bad = NULL;
        _cleanup_(freep) char *text = NULL;
        const char *dir = getenv("HNV_GOLDEN_DIR") ?: "../golden";
        char path[512];
        size_t size = 0;
        FILE *f;

        snprintf(path, sizeof(path), "%s/several.json", dir);
        several = json_object_from_file(path);
        assert_non_null(several);
        bad = json_tokener_parse("{\"groups\": 3}");
        assert_non_null(bad);

        f = open_memstream(&text, &size);
        assert_non_null(f);
        assert_int_equal(ctl_render_status(f, several, "nosuch", false), -ENOENT);
        assert_int_equal(ctl_render_status(f, bad, NULL, false), -EBADMSG);
        assert_int_equal(ctl_render_list(f, bad, false), -EBADMSG);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(text, "");
}

/* Errors without groups print nothing besides their message, and a
 * migration group without a reason still reads. */
static void test_render_migration_edges(void **state) {
        static const struct {
                const char *args;
                const char *error;
                const char *params;
        } silent[] = {
                {"prepare-migration web", "io.hnv.NoSuchGroup", "{\"message\":\"no group 'web'\"}"},
                {"--json prepare-migration web", VARLINK_ERROR_PERMISSION_DENIED, "{\"message\":\"no\"}"},
                {"complete-migration --all", "io.hnv.Timeout", "{\"message\":\"x\",\"groups\":3}"},
                {"complete-migration --all", "io.hnv.Timeout", "{\"message\":\"x\",\"groups\":[]}"},
                {"query-migration --all", "io.hnv.InternalError", "{\"message\":\"x\"}"},
                {"status", "io.hnv.NotSafe", "{\"message\":\"x\",\"groups\":[{\"name\":\"web\"}]}"},
                {"remove web", "io.hnv.NoSuchGroup", "{\"message\":\"no group 'web'\"}"},
        };
        static const struct {
                const char *args;
                const char *reply;
                const char *text;
        } fallbacks[] = {
                {"query-migration --all",
                 "{\"safe\":true,\"groups\":[{\"name\":\"a\",\"safe\":true},{\"safe\":false}]}",
                 "a: safe\n-: not safe\n"},
                {"prepare-migration --all",
                 "{\"groups\":[{\"name\":\"a\",\"safe\":true,\"state\":\"migrating\",\"active\":\"bk0\"},"
                 "{\"name\":\"b\",\"safe\":true},{\"name\":\"c\",\"safe\":false,\"reason\":\"not safe: "
                 "no bond\",\"state\":\"down\"}]}",
                 "a: bk0 active (migrating)\nb: prepared\nc: not safe: no bond (down)\n"},
                {"complete-migration --all",
                 "{\"groups\":[{\"name\":\"a\",\"safe\":true,\"state\":\"healthy\",\"vf\":\"vf9\"},"
                 "{\"name\":\"b\",\"safe\":true},{\"name\":\"c\",\"state\":\"degraded\"}]}",
                 "a: back on vf9 (healthy)\nb: back on a VF\nc: still without a VF (degraded)\n"},
                {"complete-migration --all", "{\"groups\":[]}", "No groups.\n"},
        };

        for (size_t i = 0; i < ELEMENTSOF(silent); i++) {
                _cleanup_(json_object_putp) json_object *p = json_tokener_parse(silent[i].params);
                _cleanup_(freep) char *error = NULL, *text = NULL;
                char buf[256], *argv[MAX_ARGS];
                size_t size = 0;
                CtlRequest r;
                int argc = split_args(silent[i].args, buf, sizeof(buf), argv);
                FILE *f;

                print_message("hnvctl %s <- %s\n", silent[i].args, silent[i].error);
                assert_non_null(p);
                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                f = open_memstream(&text, &size);
                assert_non_null(f);
                assert_int_equal(ctl_render_error(f, &r, silent[i].error, p), 0);
                assert_int_equal(ctl_render_error(f, &r, silent[i].error, NULL), 0);
                assert_int_equal(fclose(f), 0);
                assert_string_equal(text, "");
        }

        for (size_t i = 0; i < ELEMENTSOF(fallbacks); i++) {
                _cleanup_(json_object_putp) json_object *reply = json_tokener_parse(fallbacks[i].reply);
                _cleanup_(freep) char *error = NULL, *text = NULL;
                char buf[256], *argv[MAX_ARGS];
                size_t size = 0;
                CtlRequest r;
                int argc = split_args(fallbacks[i].args, buf, sizeof(buf), argv);
                FILE *f;

                assert_non_null(reply);
                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                f = open_memstream(&text, &size);
                assert_non_null(f);
                assert_int_equal(ctl_render_reply(f, &r, reply), 0);
                assert_int_equal(fclose(f), 0);
                assert_string_equal(text, fallbacks[i].text);
        }

        /* A reply without groups is garbled. */
        {
                _cleanup_(json_object_putp) json_object *reply = json_tokener_parse("{\"safe\":true}");
                _cleanup_(freep) char *error = NULL, *text = NULL;
                char buf[64], *argv[MAX_ARGS];
                size_t size = 0;
                CtlRequest r;
                int argc = split_args("query-migration --all", buf, sizeof(buf), argv);
                FILE *f;

                assert_int_equal(ctl_parse_args(argc, argv, &r, &error), 0);
                f = open_memstream(&text, &size);
                assert_non_null(f);
                assert_int_equal(ctl_render_reply(f, &r, reply), -EBADMSG);
                assert_int_equal(fclose(f), 0);
                assert_string_equal(text, "");
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_parse_socket_env),
                cmocka_unit_test(test_request_params),
                cmocka_unit_test(test_exit_codes),
                cmocka_unit_test(test_reply_exit_codes),
                cmocka_unit_test(test_error_messages),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_render_errors),
                cmocka_unit_test(test_render_migration_edges),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
