/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What reaches the log from outside (names, a client's hcn_id) cannot
 * forge a line or send a terminal escape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static void test_control_characters(void **state) {
        char path[] = "/tmp/test-log-XXXXXX", buf[512] = "";
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);
        FILE *f;

        assert_true(fd >= 0 && saved >= 0);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        log_setup(LOG_TARGET_STDERR, LOG_INFO);
        log_link_warning("eth\x1b[2J0", "HCN_ID=%s does not match", "1\nerr: group web: forged");
        fflush(stderr);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);

        f = fdopen(fd, "r");
        assert_non_null(f);
        rewind(f);
        assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f) > 0, 1);
        fclose(f);
        unlink(path);
        /* One line, the newline and the escape shown as '?'. */
        assert_non_null(strstr(buf, "warning: eth?[2J0: HCN_ID=1?err: group web: forged does not match\n"));
        assert_int_equal(strchr(buf, '\n') - buf + 1, (long)strlen(buf));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_control_characters),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
