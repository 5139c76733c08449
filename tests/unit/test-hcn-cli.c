/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hcnmgr-compatible commands without hnvd: names, arguments as the
 * HMC passes them, the request each makes, and what a reply prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "hcn-cli.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

#define MAX_ARGS 16

/* "hcncfgdrc DRC_INDEX=1": the first word is argv[0]. */
static int split(const char *line, char *buf, size_t size, char *argv[static MAX_ARGS]) {
        int argc = 0;
        char *save = NULL;

        assert_true(strlen(line) < size);
        strcpy(buf, line);
        for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                assert_true(argc < MAX_ARGS - 1);
                argv[argc++] = w;
        }
        argv[argc] = NULL;
        return argc;
}

static int parse(const char *line, HcnRequest *r, char **error) {
        /* The request points into argv, as it does into main()'s. */
        static char buf[512];
        char *argv[MAX_ARGS];
        int argc = split(line, buf, sizeof(buf), argv);
        return hcn_parse_args(argc, argv, r, error);
}

static void test_names(void **state) {
        assert_int_equal(hcn_command_from_name("/usr/sbin/hcncfgdrc"), HCN_CMD_CONFIGURE);
        assert_int_equal(hcn_command_from_name("hcnqrydev"), HCN_CMD_QUERY);
        assert_int_equal(hcn_command_from_name("./hcnrmdev"), HCN_CMD_REMOVE);
        assert_int_equal(hcn_command_from_name("hcnrmhcn"), HCN_CMD_REMOVE_HCN);
        assert_int_equal(hcn_command_from_name("hcnversion"), HCN_CMD_VERSION);
        assert_int_equal(hcn_command_from_name("hcnmgr"), HCN_CMD_SCAN);
        assert_int_equal(hcn_command_from_name("hcnscan"), _HCN_CMD_INVALID);
        assert_int_equal(hcn_command_from_name("hcnmgr.sh"), _HCN_CMD_INVALID);
        assert_int_equal(hcn_command_from_name(NULL), _HCN_CMD_INVALID);
        for (HcnCommand c = 0; c < _HCN_CMD_MAX; c++)
                assert_int_equal(hcn_command_from_name(hcn_command_name(c)), c);
}

typedef struct GoodCase {
        const char *line;
        HcnCommand command;
        bool has_drc;
        uint32_t drc;
        const char *hcn_id;
        bool help, version, trace;
        const char *debug_level;
} GoodCase;

static void test_parse_good(void **state) {
        static const GoodCase cases[] = {
                {"hcncfgdrc DRC_INDEX=8000003a", HCN_CMD_CONFIGURE, true, 0x8000003a},
                /* Key words anywhere, options before and after, as getopt did. */
                {"hcnqrydev -d 5 DRC_INDEX=8000003A HCN_ID=333e80f5", HCN_CMD_QUERY, true, 0x8000003a,
                 "333e80f5", .debug_level = "5"},
                {"hcnrmdev HCN_ID=0x333E80F5 -d5 DRC_INDEX=0x2000001", HCN_CMD_REMOVE, true, 0x2000001,
                 "333e80f5", .debug_level = "5"},
                {"hcnrmhcn HCN_ID=1 STAKE_TOKEN=NULL", HCN_CMD_REMOVE_HCN, .hcn_id = "00000001"},
                {"hcnversion", HCN_CMD_VERSION},
                {"hcnmgr -s", HCN_CMD_SCAN},
                {"hcnmgr -xs", HCN_CMD_SCAN, .trace = true},
                /* -s turns any name into the scan, as it did. */
                {"hcncfgdrc -s", HCN_CMD_SCAN},
                {"hcnmgr -V", HCN_CMD_SCAN, .version = true},
                {"hcnmgr -h", HCN_CMD_SCAN, .help = true},
                {"hcnrmdev -h", HCN_CMD_REMOVE, .help = true},
                {"hcnmgr --version", HCN_CMD_SCAN, .version = true},
                {"hcncfgdrc --help", HCN_CMD_CONFIGURE, .help = true},
                /* The same value twice is one value. */
                {"hcncfgdrc DRC_INDEX=3a DRC_INDEX=0000003a", HCN_CMD_CONFIGURE, true, 0x3a},
                {"hcncfgdrc -- DRC_INDEX=1", HCN_CMD_CONFIGURE, true, 1},
                /* Keys the predecessor did not know are ignored, as there. */
                {"hcncfgdrc DRC_INDEX=1 FUTURE_KEY=x", HCN_CMD_CONFIGURE, true, 1},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const GoodCase *c = &cases[i];
                _cleanup_(freep) char *error = NULL;
                HcnRequest r;

                if (parse(c->line, &r, &error) < 0)
                        fail_msg("'%s': %s", c->line, strna(error));
                assert_int_equal(r.command, c->command);
                assert_int_equal(r.has_drc_index, c->has_drc);
                if (c->has_drc)
                        assert_int_equal(r.drc_index, c->drc);
                assert_int_equal(r.has_hcn_id, !!c->hcn_id);
                if (c->hcn_id)
                        assert_string_equal(r.hcn_id, c->hcn_id);
                assert_int_equal(r.help, c->help);
                assert_int_equal(r.version, c->version);
                assert_int_equal(r.trace, c->trace);
                if (c->debug_level)
                        assert_string_equal(r.debug_level, c->debug_level);
        }
}

typedef struct BadCase {
        const char *line;
        const char *message; /* a part of it */
} BadCase;

static void test_parse_bad(void **state) {
        static const BadCase cases[] = {
                {"hcncfgdrc", "needs DRC_INDEX="},
                {"hcnqrydev HCN_ID=1", "needs DRC_INDEX="},
                {"hcnrmdev", "needs DRC_INDEX="},
                {"hcnrmhcn DRC_INDEX=1", "needs HCN_ID="},
                {"hcncfgdrc DRC_INDEX=", "not a DRC index"},
                {"hcncfgdrc DRC_INDEX=xyz", "not a DRC index"},
                {"hcncfgdrc DRC_INDEX=-1", "not a DRC index"},
                {"hcncfgdrc DRC_INDEX=123456789", "not a DRC index"},
                {"hcncfgdrc DRC_INDEX=0x", "not a DRC index"},
                {"hcncfgdrc DRC_INDEX=1 DRC_INDEX=2", "twice"},
                {"hcnrmhcn HCN_ID=zz", "not an hcn-id"},
                {"hcnrmhcn HCN_ID=123456789", "not an hcn-id"},
                {"hcnrmhcn HCN_ID=1 HCN_ID=2", "twice"},
                {"hcncfgdrc DRC_INDEX=1 eth0", "unexpected argument 'eth0'"},
                {"hcncfgdrc =1", "unexpected argument"},
                {"hcncfgdrc -q DRC_INDEX=1", "unknown option -q"},
                {"hcnmgr -d", "needs a level"},
                /* A plain hcnmgr did nothing and exited 0 before: now it says so. */
                {"hcnmgr", "no command"},
                {"hcnscan -s", "install this program as"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *error = NULL;
                HcnRequest r;

                if (parse(cases[i].line, &r, &error) != -EINVAL)
                        fail_msg("'%s' was accepted", cases[i].line);
                assert_non_null(error);
                if (!strstr(error, cases[i].message))
                        fail_msg("'%s': '%s' lacks '%s'", cases[i].line, error, cases[i].message);
        }
}

static void test_params(void **state) {
        static const struct {
                const char *line, *method, *params;
                int timeout;
        } cases[] = {
                {"hcncfgdrc DRC_INDEX=3a", "io.hnv.ConfigureDevice", "{ \"drc_index\": \"0000003a\" }"},
                {"hcncfgdrc DRC_INDEX=3a", "io.hnv.ConfigureDevice",
                 "{ \"drc_index\": \"0000003a\", \"timeout_ms\": 5000 }", 5},
                {"hcnqrydev DRC_INDEX=3a HCN_ID=7", "io.hnv.QueryDevice",
                 "{ \"drc_index\": \"0000003a\", \"hcn_id\": \"00000007\" }", 5},
                {"hcnrmdev DRC_INDEX=3a", "io.hnv.RemoveDevice", "{ \"drc_index\": \"0000003a\" }"},
                {"hcnrmhcn HCN_ID=333E80F5", "io.hnv.Remove", "{ \"group\": \"333e80f5\" }", 5},
                {"hcnmgr -s", "io.hnv.Scan", "{ \"timeout_ms\": 9000 }", 9},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(json_object_putp) json_object *p = NULL;
                _cleanup_(freep) char *error = NULL;
                HcnRequest r;

                assert_int_equal(parse(cases[i].line, &r, &error), 0);
                assert_string_equal(hcn_request_method(&r), cases[i].method);
                p = hcn_request_params(&r, cases[i].timeout);
                assert_non_null(p);
                assert_string_equal(json_object_to_json_string(p), cases[i].params);
        }

        HcnRequest v;
        assert_int_equal(parse("hcnversion", &v, NULL), 0);
        assert_null(hcn_request_method(&v));
}

/* Renders a reply (JSON text or NULL) and returns stdout + stderr. */
static int render(const char *line, const char *error, const char *reply, char **ret_out, char **ret_err) {
        _cleanup_(json_object_putp) json_object *o = reply ? json_tokener_parse(reply) : NULL;
        size_t n_out = 0, n_err = 0;
        FILE *out = open_memstream(ret_out, &n_out), *err = open_memstream(ret_err, &n_err);
        HcnRequest r;
        int rc;

        assert_non_null(out);
        assert_non_null(err);
        assert_int_equal(parse(line, &r, NULL), 0);
        rc = hcn_render(out, err, &r, error, o);
        fclose(out);
        fclose(err);
        return rc;
}

static void test_render(void **state) {
        static const struct {
                const char *line, *error, *reply, *out, *err;
                int rc;
        } cases[] = {
                {"hcncfgdrc DRC_INDEX=8000003a", NULL,
                 "{\"device\":\"enP1p0s0\",\"hcn_id\":\"333e80f5\",\"devspec\":\"/pci@8/ethernet@0\"}",
                 "hcncfgdrc: enP1p0s0 (DRC index 8000003a) is in bond333e80f5\n", "", 0},
                {"hcncfgdrc DRC_INDEX=8000003a", "io.hnv.NoSuchDevice",
                 "{\"message\":\"no HNV device with DRC index 8000003a in the device tree\"}", "",
                 "hcncfgdrc:error code 19, Failed to find device or get device name\n"
                 "hcncfgdrc: no HNV device with DRC index 8000003a in the device tree\n",
                 1},
                {"hcncfgdrc DRC_INDEX=1", "io.hnv.Timeout",
                 "{\"message\":\"vf0 (DRC index 00000001): not in the bond yet\"}", "",
                 "hcncfgdrc:error code 19, Failed to find device or get device name\n"
                 "hcncfgdrc: vf0 (DRC index 00000001): not in the bond yet\n",
                 1},
                /* The words the console reads when a VF may not go. */
                {"hcnqrydev DRC_INDEX=1", NULL,
                 "{\"device\":\"vf0\",\"hcn_id\":\"00000007\",\"removable\":false,\"reason\":\"no backup device\"}",
                 "",
                 "hcnqrydev:error code 16, Network device busy, no backup device\n"
                 "hcnqrydev: vf0 (DRC index 00000001) carries the traffic of bond00000007 alone\n",
                 1},
                {"hcnqrydev DRC_INDEX=1", NULL,
                 "{\"device\":\"vf0\",\"removable\":true,\"reason\":\"another port of the bond carries the traffic\"}",
                 "hcnqrydev: vf0 (DRC index 00000001) may be removed: another port of the bond carries the traffic\n",
                 "", 0},
                {"hcnrmdev DRC_INDEX=1", NULL, "{\"groups\":[]}",
                 "hcnrmdev: DRC index 00000001 released for removal, no frame lost\n", "", 0},
                {"hcnrmdev DRC_INDEX=1", "io.hnv.NotSafe",
                 "{\"message\":\"vf0: no backup device can carry the traffic\"}", "",
                 "hcnrmdev:error code 16, Network device busy, no backup device\n"
                 "hcnrmdev: vf0: no backup device can carry the traffic\n",
                 1},
                {"hcnrmdev DRC_INDEX=1", NULL, "{\"released\":false}",
                 "hcnrmdev: DRC index 00000001 has no network device: nothing to release\n", "", 0},
                {"hcnrmhcn HCN_ID=7", NULL, "{}", "hcnrmhcn: bond00000007 dissolved\n", "", 0},
                {"hcnrmhcn HCN_ID=7", "io.hnv.NoSuchGroup", "{\"message\":\"no group '00000007'\"}",
                 "hcnrmhcn: no group with hcn-id 00000007: nothing to remove\n", "", 0},
                {"hcnrmhcn HCN_ID=7", "org.varlink.service.PermissionDenied", NULL, "",
                 "hcnrmhcn:error code 1, Operation not permitted\n"
                 "hcnrmhcn: org.varlink.service.PermissionDenied\n",
                 1},
                {"hcnmgr -s", NULL,
                 "{\"devices\":[{\"device\":\"vf0\",\"devspec\":\"/pci@8/ethernet@0\",\"hcn_id\":\"00000007\","
                 "\"in_bond\":true}],\"pruned\":2}",
                 "hcnmgr: vf0 (/pci@8/ethernet@0) hcn-id 00000007: in its bond\n"
                 "hcnmgr: forgot the configuration of 2 vanished interface(s)\n",
                 "", 0},
                {"hcnmgr -s", "io.hnv.Timeout",
                 "{\"devices\":[{\"device\":\"bk0\",\"devspec\":\"/vdevice/l-lan@30000002\",\"hcn_id\":\"00000007\","
                 "\"in_bond\":false,\"reason\":\"not in the bond yet\"}],\"message\":\"not every device joined its "
                 "bond in time\"}",
                 "hcnmgr: bk0 (/vdevice/l-lan@30000002) hcn-id 00000007: not in its bond: not in the bond yet\n",
                 "hcnmgr:error code 19, Failed to find device or get device name\n"
                 "hcnmgr: not every device joined its bond in time\n",
                 1},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *out = NULL, *err = NULL;
                int rc = render(cases[i].line, cases[i].error, cases[i].reply, &out, &err);

                if (rc != cases[i].rc || !streq(out, cases[i].out) || !streq(err, cases[i].err))
                        fail_msg("case %zu '%s': rc %d\nstdout: '%s'\nstderr: '%s'", i, cases[i].line, rc,
                                 out, err);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),     cmocka_unit_test(test_parse_good),
                cmocka_unit_test(test_parse_bad), cmocka_unit_test(test_params),
                cmocka_unit_test(test_render),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
