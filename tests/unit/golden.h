/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Golden files for the unit tests, in tests/golden/<sub>/ (HNV_GOLDEN_DIR
 * names tests/golden): HNV_UPDATE_GOLDEN=1 writes what the code gives
 * instead of comparing; review the diff. Include after cmocka.h. */
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "util.h"

static inline char *golden_path(const char *sub, const char *name) {
        const char *dir = getenv("HNV_GOLDEN_DIR") ?: "../golden";
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s/%s", dir, sub, name) > 0);
        return p;
}

static inline char *golden_read(const char *sub, const char *name) {
        _cleanup_(freep) char *path = golden_path(sub, name);
        char *text = NULL;
        size_t size;
        if (read_file_bounded(path, 1024 * 1024, &text, &size, NULL) < 0)
                fail_msg("cannot read %s (HNV_UPDATE_GOLDEN=1 creates it)", path);
        return text;
}

/* actual against the golden file sub/expected, or written to it. */
static inline void golden_check(const char *sub, const char *expected, const char *actual) {
        _cleanup_(freep) char *path = golden_path(sub, expected), *want = NULL;

        if (streq_ptr(getenv("HNV_UPDATE_GOLDEN"), "1")) {
                FILE *f = fopen(path, "we");
                assert_non_null(f);
                fputs(actual, f);
                assert_int_equal(fclose(f), 0);
                return;
        }
        want = golden_read(sub, expected);
        if (!streq(want, actual)) {
                print_error("%s differs.\n--- expected\n%s--- actual\n%s---\n", path, want, actual);
                fail_msg("golden mismatch for %s", expected);
        }
}
