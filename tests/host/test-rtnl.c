/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnl.c's request socket against the real kernel, in a network namespace
 * of its own filled with veth pairs: requests made from inside a dump's
 * handler, answers left behind by a request that gave up, and a request the
 * kernel never answers. Each of these once hung hnvd for good (a storm of
 * hotplug events overran the monitor, the resync's dump handed a link to a
 * handler that asked the kernel about another, and the dump then waited
 * for an answer that request had already read). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "link-msg.h"
#include "rtnl-internal.h"
#include "util.h"

/* 60 pairs: a dump of 121 links spans many datagrams. */
#define PAIRS 60

/* Not sysfs: it shows the namespace it was mounted in, not ours. */
static int ifindex_of(const char *name) {
        return (int)if_nametoindex(name);
}

static void on_alarm(int sig) {
        static const char m[] = "FAIL: a request did not return in 30 s (hnvd would hang here)\n";
        (void)!write(STDERR_FILENO, m, sizeof(m) - 1);
        _exit(1);
}

typedef struct Seen {
        size_t delivered, asked, answered_right;
} Seen;

/* Asks the kernel about the link's veth peer while the dump is delivered. */
static void ask_during_dump(Rtnl *r, bool removed, const LinkInfo *link, void *userdata) {
        Seen *seen = userdata;
        char peer[IFNAMSIZ];
        LinkInfo got;
        unsigned i;

        seen->delivered++;
        if (sscanf(link->name, "ta%u", &i) != 1)
                return;
        snprintf(peer, sizeof(peer), "tb%u", i);
        seen->asked++;
        if (rtnl_get_link_by_name(r, peer, &got) == 0 && streq(got.name, peer) &&
            got.ifindex == ifindex_of(peer))
                seen->answered_right++;
}

static int setup(void **state) {
        Rtnl *r = NULL;
        assert_int_equal(rtnl_new(&r, NULL, NULL, NULL, NULL), 0);
        *state = r;
        alarm(30);
        return 0;
}

static int teardown(void **state) {
        alarm(0);
        rtnl_free(*state);
        return 0;
}

static void test_requests_from_a_dump_handler(void **state) {
        Seen seen = {};
        Rtnl *r;

        assert_int_equal(rtnl_new(&r, NULL, ask_during_dump, NULL, &seen), 0);
        assert_int_equal(rtnl_enumerate_links(r), 0);
        assert_int_equal(seen.delivered, 2 * PAIRS + 1);
        assert_int_equal(seen.asked, PAIRS);
        assert_int_equal(seen.answered_right, PAIRS);
        rtnl_free(r);
}

static void send_unread(Rtnl *r, struct nl_msg *msg) {
        assert_true(nl_send_auto(rtnl_request_socket(r), msg) >= 0);
}

static void test_stale_answers_are_skipped(void **state) {
        Rtnl *r = *state;
        _cleanup_(nlmsg_freep) struct nl_msg *get = NULL, *dump = NULL;
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
        LinkInfo got;
        int want = ifindex_of("tb7");

        /* A GETLINK for lo and a dump, sent and never read: what a request
         * that timed out leaves behind. */
        get = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
        assert_non_null(get);
        assert_int_equal(nlmsg_append(get, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
        send_unread(r, get);
        assert_int_equal(rtnl_get_link(r, want, &got), 0);
        assert_int_equal(got.ifindex, want);
        assert_string_equal(got.name, "tb7");

        assert_int_equal(link_msg_dump_request(&dump), 0);
        send_unread(r, dump);
        assert_int_equal(rtnl_get_link(r, want, &got), 0);
        assert_int_equal(got.ifindex, want);
        /* A dump of our own is not refused as a second one in flight. */
        assert_int_equal(rtnl_enumerate_links(r), 0);
        assert_int_equal(rtnl_get_link(r, 1, &got), 0);
        assert_string_equal(got.name, "lo");
}

static void test_unanswered_request_times_out(void **state) {
        Rtnl *r = *state;
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
        LinkInfo got;
        uint64_t t0;

        /* Without NLM_F_REQUEST the kernel ignores a message, silently. */
        msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
        assert_non_null(msg);
        assert_int_equal(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
        rtnl_set_request_timeout(r, 200 * 1000);
        t0 = now_usec();
        assert_int_equal(rtnl_call(r, msg), -ETIMEDOUT);
        assert_true(now_usec() - t0 >= 200 * 1000);
        /* And the socket goes on working. */
        assert_int_equal(rtnl_get_link(r, 1, &got), 0);
        assert_string_equal(got.name, "lo");
}

static void test_errors_are_the_kernels(void **state) {
        Rtnl *r = *state;
        LinkInfo got;

        assert_int_equal(rtnl_get_link(r, 999999, &got), -ENODEV);
        assert_int_equal(rtnl_get_link_by_name(r, "nosuchlink", &got), -ENODEV);
        /* The kernel's own errno, not libnl's approximation of it. */
        assert_int_equal(rtnl_set_master(r, ifindex_of("ta1"), 999999), -EINVAL);
        assert_int_equal(rtnl_set_link_up(r, ifindex_of("ta1"), true), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_requests_from_a_dump_handler),
                cmocka_unit_test_setup_teardown(test_stale_answers_are_skipped, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unanswered_request_times_out, setup, teardown),
                cmocka_unit_test_setup_teardown(test_errors_are_the_kernels, setup, teardown),
        };
        FILE *batch;

        if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
                printf("SKIP: needs root for a network namespace\n");
                return 77;
        }
        batch = popen("ip -batch -", "w");
        if (!batch)
                return 1;
        for (unsigned i = 0; i < PAIRS; i++)
                fprintf(batch, "link add ta%u type veth peer name tb%u\n", i, i);
        if (pclose(batch) != 0) {
                printf("SKIP: cannot make veth pairs\n");
                return 77;
        }
        signal(SIGALRM, on_alarm);
        alarm(30);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
