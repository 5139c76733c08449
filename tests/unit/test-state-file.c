/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state file is read back after a SIGKILL or a crash: whatever it holds
 * is taken as it is or refused as a whole, never coerced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "state-file.h"

static int parse(const char *text, GroupRecord **records, size_t *n) {
        _cleanup_(freep) int *excluded = NULL;
        size_t n_excluded;

        *records = NULL;
        *n = 0;
        return state_file_parse(text, strlen(text), records, n, &excluded, &n_excluded);
}

#define RECORD(extra)                                                                                       \
        "{\"groups\":[{\"name\":\"g\",\"source\":\"runtime\",\"bond\":\"bondg\","                           \
        "\"primary\":\"mac:02:00:00:00:00:01\",\"backup\":\"mac:02:00:00:00:00:02\"" extra "}]}"

static void test_round_trip(void **state) {
        char path[] = "/tmp/hnv-test-state-XXXXXX";
        GroupRecord *records, *back = NULL;
        _cleanup_(freep) int *excluded = NULL;
        size_t n, n_back, n_excluded;
        int fd = mkstemp(path), ex[] = {7, 9};

        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(
                parse(RECORD(",\"migrating\":true,\"migrating_since\":123456,\"released_ifindex\":4"),
                      &records, &n),
                0);
        assert_int_equal(n, 1);
        assert_int_equal(state_file_write(path, records, n, ex, 2), 0);
        assert_int_equal(state_file_read(path, &back, &n_back, &excluded, &n_excluded), 0);
        assert_int_equal(n_back, 1);
        assert_string_equal(back[0].spec->name, "g");
        assert_true(back[0].migrating);
        assert_int_equal(back[0].migrating_since, 123456);
        assert_int_equal(back[0].released_ifindex, 4);
        assert_int_equal(n_excluded, 2);
        assert_int_equal(excluded[1], 9);
        group_records_free(records, n);
        group_records_free(back, n_back);
        unlink(path);
}

/* json-c would read "123" as 123 and "yes" as true: a file someone edited
 * or that half-wrote is refused, not reinterpreted. */
static void test_wrong_types_are_corrupt(void **state) {
        static const char *const bad[] = {
                RECORD(",\"migrating_since\":\"123\""),
                RECORD(",\"migrating_since\":-5"),
                RECORD(",\"migrating\":\"true\""),
                RECORD(",\"disabled\":1"),
                RECORD(",\"released_ifindex\":4294967296"),
                RECORD(",\"released_ifindex\":1.5"),
                RECORD("") "garbage",
                RECORD("") "{}",
                "{\"groups\":[{\"name\":\"g\"",
                "{\"groups\":{}}",
                "",
        };
        GroupRecord *records;
        size_t n;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (parse(bad[i], &records, &n) != -EBADMSG)
                        fail_msg("taken: %s", bad[i]);
        }
        assert_int_equal(parse(RECORD("") " \n", &records, &n), 0);
        group_records_free(records, n);
}

static void test_bad_exclusions_are_dropped(void **state) {
        _cleanup_(freep) int *excluded = NULL;
        static const char text[] = "{\"groups\":[],\"excluded_ifindexes\":[3,\"4\",-1,0,5.5,8]}";
        GroupRecord *records;
        size_t n, n_excluded;

        assert_int_equal(state_file_parse(text, strlen(text), &records, &n, &excluded, &n_excluded), 0);
        assert_int_equal(n_excluded, 2);
        assert_int_equal(excluded[0], 3);
        assert_int_equal(excluded[1], 8);
        group_records_free(records, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_wrong_types_are_corrupt),
                cmocka_unit_test(test_bad_exclusions_are_dropped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
