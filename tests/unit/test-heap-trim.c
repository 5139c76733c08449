/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* After a burst, the loop gives the heap's free pages back to the kernel
 * once it is idle, and then stays idle. Measured on the heap's resident
 * pages, so it needs glibc's allocator: under AddressSanitizer it skips. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "heap-trim.h"

#define BURST_BLOCKS     4096
#define BURST_BLOCK_SIZE 512
#define BURST_KB         (BURST_BLOCKS * BURST_BLOCK_SIZE / 1024)

/* The heap's resident kB, from smaps: a mapping's header line starts with
 * its address range, its fields with a name. */
static long heap_rss_kb(void) {
        FILE *f = fopen("/proc/self/smaps", "re");
        char line[512];
        bool in_heap = false;
        long kb = -1, v;

        assert_non_null(f);
        while (fgets(line, sizeof(line), f)) {
                if (strchr("0123456789abcdef", line[0]))
                        in_heap = strstr(line, "[heap]") != NULL;
                else if (in_heap && sscanf(line, "Rss: %ld kB", &v) == 1)
                        kb = v;
        }
        fclose(f);
        return kb;
}

typedef struct Burst {
        void *pinned;
        long rss_kb; /* the heap's right after the burst */
} Burst;

/* Many small blocks, then one kept above them, then the blocks freed: free
 * space below a live allocation, which glibc does not return by itself. */
static int on_burst(sd_event_source *s, void *userdata) {
        static void *blocks[BURST_BLOCKS];
        Burst *b = userdata;

        for (size_t i = 0; i < BURST_BLOCKS; i++) {
                blocks[i] = malloc(BURST_BLOCK_SIZE);
                assert_non_null(blocks[i]);
                memset(blocks[i], 0x5a, BURST_BLOCK_SIZE);
        }
        b->pinned = malloc(64);
        assert_non_null(b->pinned);
        for (size_t i = 0; i < BURST_BLOCKS; i++)
                free(blocks[i]);
        b->rss_kb = heap_rss_kb();
        return 0;
}

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Runs the loop until nothing is pending and nothing is armed to come within
 * wait_usec; returns the dispatches. A trim that re-armed itself would keep
 * it busy: bounded. */
static int run_until_quiet(sd_event *e, uint64_t wait_usec) {
        int n = 0, k;

        while ((k = sd_event_run(e, wait_usec)) > 0)
                assert_true(++n < 20);
        assert_int_equal(k, 0);
        return n;
}

static sd_event *loop_with_trim(void) {
        sd_event *e = NULL;

        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(heap_trim_attach(e), 0);
        return e;
}

static void test_trim_after_burst(void **state) {
        sd_event *e;
        Burst b = {};
        long idle;
        int n;

#if defined(__SANITIZE_ADDRESS__)
        skip();
#endif
        e = loop_with_trim();
        assert_int_equal(sd_event_add_defer(e, NULL, on_burst, &b), 0);
        n = run_until_quiet(e, 0);
        idle = heap_rss_kb();
        print_message("heap resident: %ld kB after the burst, %ld kB once idle, %d dispatches\n", b.rss_kb,
                      idle, n);
        assert_true(b.rss_kb >= BURST_KB);
        assert_true(b.rss_kb - idle >= BURST_KB / 2);
        free(b.pinned);
        sd_event_unref(e);
}

/* A second burst right after a trim is trimmed too, once the interval has
 * passed, by one timer: not at once, and not never. */
static void test_second_burst_waits_for_interval(void **state) {
        sd_event *e;
        Burst b1 = {}, b2 = {};
        uint64_t t0;
        long soon, late;

#if defined(__SANITIZE_ADDRESS__)
        skip();
#endif
        e = loop_with_trim();
        assert_int_equal(sd_event_add_defer(e, NULL, on_burst, &b1), 0);
        run_until_quiet(e, 0);
        free(b1.pinned);

        t0 = now_usec();
        assert_int_equal(sd_event_add_defer(e, NULL, on_burst, &b2), 0);
        run_until_quiet(e, 0);
        soon = heap_rss_kb();
        run_until_quiet(e, 2 * HEAP_TRIM_INTERVAL_USEC);
        late = heap_rss_kb();
        print_message("second burst: %ld kB after it, %ld kB at once, %ld kB after %.2f s\n", b2.rss_kb,
                      soon, late, (double)(now_usec() - t0) / 1e6);
        assert_true(soon >= b2.rss_kb - BURST_KB / 4);
        assert_true(b2.rss_kb - late >= BURST_KB / 2);
        free(b2.pinned);
        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_trim_after_burst),
                cmocka_unit_test(test_second_burst_waits_for_interval),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
