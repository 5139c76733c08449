/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hw_addr_parse() and hw_addr_format(): every MAC in a configuration, a
 * udev property or a hnvctl argument goes through them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ether.h"
#include "macro.h"

typedef struct ParseCase {
        const char *input;
        const char *formatted; /* NULL: must be rejected */
} ParseCase;

static const ParseCase parse_cases[] = {
        /* good */
        {"02:00:00:00:00:01", "02:00:00:00:00:01"},
        {"02-00-00-00-00-01", "02:00:00:00:00:01"},
        {"AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff"},
        {"aA:bB:cC:dD:eE:fF", "aa:bb:cc:dd:ee:ff"},
        {"00:00:00:00:00:00", "00:00:00:00:00:00"},
        {"ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff"},
        {"0a-1B-2c-3D-4e-5F", "0a:1b:2c:3d:4e:5f"},
        /* bad separators */
        {"02.00.00.00.00.01", NULL},
        {"02 00 00 00 00 01", NULL},
        {"0200.0000.0001", NULL},
        {"020000000001", NULL},
        {"02::00:00:00:00:01", NULL},
        /* mixed separators */
        {"02:00-00:00:00:01", NULL},
        {"02-00-00-00-00:01", NULL},
        /* short */
        {"", NULL},
        {"02", NULL},
        {"02:00:00:00:00", NULL},
        {"02:00:00:00:00:0", NULL},
        {"2:0:0:0:0:1", NULL},
        {"02:00:00:00:00:", NULL},
        /* long */
        {"02:00:00:00:00:01:", NULL},
        {"02:00:00:00:00:01:02", NULL},
        {"02:00:00:00:00:011", NULL},
        {"002:00:00:00:00:01", NULL},
        {"02:00:00:00:00:01 ", NULL},
        {" 02:00:00:00:00:01", NULL},
        /* not hex */
        {"0g:00:00:00:00:01", NULL},
        {"02:00:00:00:00:0x", NULL},
        {"+2:00:00:00:00:01", NULL},
};

static void test_parse_table(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(parse_cases); i++) {
                const ParseCase *t = &parse_cases[i];
                HwAddr a, untouched;
                char buf[HW_ADDR_STRLEN];
                char *input;
                int r;

                /* A heap copy of exactly the string's size, so that ASan
                 * catches a parser that reads past the terminating NUL. */
                input = strdup(t->input);
                assert_non_null(input);
                memset(&a, 0x5a, sizeof(a));
                untouched = a;
                r = hw_addr_parse(input, &a);
                free(input);
                if (!t->formatted) {
                        if (r != -EINVAL)
                                fail_msg("'%s': expected -EINVAL, got %d", t->input, r);
                        /* A failed parse must not leave half an address behind. */
                        assert_true(hw_addr_equal(&a, &untouched));
                        continue;
                }
                if (r != 0)
                        fail_msg("'%s': expected success, got %d", t->input, r);
                assert_string_equal(hw_addr_format(&a, buf), t->formatted);
        }
}

static void test_parse_null(void **state) {
        HwAddr a;

        assert_int_equal(hw_addr_parse(NULL, &a), -EINVAL);
}

static void test_format_round_trip(void **state) {
        HwAddr a = {{0x02, 0xab, 0x00, 0x10, 0xfe, 0x7f}}, b;
        char buf[HW_ADDR_STRLEN];

        assert_ptr_equal(hw_addr_format(&a, buf), buf);
        assert_string_equal(buf, "02:ab:00:10:fe:7f");
        assert_int_equal(strlen(buf), HW_ADDR_STRLEN - 1);
        assert_int_equal(hw_addr_parse(buf, &b), 0);
        assert_true(hw_addr_equal(&a, &b));
}

static void test_null_and_equal(void **state) {
        HwAddr zero = {}, a;

        assert_true(hw_addr_is_null(&zero));
        assert_int_equal(hw_addr_parse("00:00:00:00:00:01", &a), 0);
        assert_false(hw_addr_is_null(&a));
        assert_false(hw_addr_equal(&zero, &a));
        assert_int_equal(hw_addr_parse("00-00-00-00-00-00", &a), 0);
        assert_true(hw_addr_equal(&zero, &a));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_table),
                cmocka_unit_test(test_parse_null),
                cmocka_unit_test(test_format_round_trip),
                cmocka_unit_test(test_null_and_equal),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
