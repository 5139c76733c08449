/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The networkd backend's files without networkd: what hnv writes for a
 * group compared with tests/golden/networkd/ (HNV_UPDATE_GOLDEN=1 rewrites
 * the *.expected files; review the diff), the IP configuration of an
 * admin's .network carried to the bond's, and the removal and prune of
 * hnv's files alone. networkd reading them is the UML scenarios' part. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "golden.h"
#include "group.h"
#include "networkd/networkd-files.h"
#include "wicked/wicked-cmd.h"

typedef struct TmpDir {
        char path[64];
        int fd;
} TmpDir;

static void tmp_open(TmpDir *t) {
        snprintf(t->path, sizeof(t->path), "/tmp/hnv-test-networkd.XXXXXX");
        assert_non_null(mkdtemp(t->path));
        t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(t->fd >= 0);
}

static void tmp_close(TmpDir *t) {
        DIR *d = fdopendir(dup(t->fd));
        struct dirent *de;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' || (de->d_name[1] && !streq(de->d_name, "..")))
                        (void)unlinkat(t->fd, de->d_name, 0);
        closedir(d);
        close(t->fd);
        assert_int_equal(rmdir(t->path), 0);
}

static void write_file(int dir_fd, const char *name, const char *text) {
        _cleanup_(closep) int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static bool exists(int dir_fd, const char *name) {
        return faccessat(dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static void check_golden(int dir_fd, const char *name, const char *expected) {
        _cleanup_(freep) char *actual = NULL;
        struct stat st;

        if (networkd_read_text(dir_fd, name, &actual) < 0)
                fail_msg("%s was not written", name);
        /* networkd runs as its own user and must read them. */
        assert_int_equal(fstatat(dir_fd, name, &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        golden_check("networkd", expected, actual);
}

static GroupSpec *new_group(const char *name) {
        GroupSpec *g = group_spec_new(name, GROUP_SOURCE_CONFIG);
        assert_non_null(g);
        assert_int_equal(group_default_bond_name(name, g->bond_name), 0);
        return g;
}

static GroupSpec *web_group(void) {
        return new_group("web");
}

/* The group formed on a guest whose port had the admin's file in, then
 * hnvd run again (a restart, a reboot) with the same ports: nothing
 * changes, even though networkd now names hnv's file for the port and no
 * admin's file is found. */
static void check_ip_case(const char *in, const char *prefix) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *admin = golden_read("networkd", in);
        char expected[128];
        TmpDir t;

        tmp_open(&t);
        write_file(t.fd, "10-netplan-vf0.network", admin);
        assert_int_equal(networkd_save_group(t.fd, g, "vf0", "bk0", admin), 1);
        snprintf(expected, sizeof(expected), "%s-bond.expected", prefix);
        check_golden(t.fd, "00-hnv-bondweb.network", expected);
        check_golden(t.fd, "00-hnv-bondweb.netdev", "bond.netdev.expected");
        check_golden(t.fd, "00-hnv-vf0.network", "port-primary.expected");
        check_golden(t.fd, "00-hnv-bk0.network", "port-backup.expected");

        assert_int_equal(networkd_save_group(t.fd, g, "vf0", "bk0", NULL), 0);
        check_golden(t.fd, "00-hnv-bondweb.network", expected);
        /* The admin's file is never touched: it is theirs again once the
         * group is dissolved. */
        {
                _cleanup_(freep) char *after = NULL;
                assert_int_equal(networkd_read_text(t.fd, "10-netplan-vf0.network", &after), 0);
                assert_string_equal(after, admin);
        }
        tmp_close(&t);
}

static void test_ip_static4(void **state) {
        check_ip_case("ip-static4-port.in", "ip-static4");
}
static void test_ip_static46(void **state) {
        check_ip_case("ip-static46-port.in", "ip-static46");
}
static void test_ip_dhcp(void **state) {
        check_ip_case("ip-dhcp-port.in", "ip-dhcp");
}
static void test_ip_routes(void **state) {
        check_ip_case("ip-routes-port.in", "ip-routes");
}

static void test_no_ip(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *text = NULL, *link_only = NULL;
        TmpDir t;

        tmp_open(&t);
        assert_int_equal(networkd_save_group(t.fd, g, "vf0", NULL, NULL), 1);
        check_golden(t.fd, "00-hnv-bondweb.network", "no-ip-bond.expected");
        assert_int_equal(networkd_read_text(t.fd, "00-hnv-bondweb.network", &text), 0);
        assert_false(networkd_text_has_ip(text));
        assert_false(exists(t.fd, "00-hnv-bk0.network"));
        tmp_close(&t);

        /* An admin's file with no IP section gives none. */
        assert_int_equal(networkd_bond_network_text("bondweb", "[Match]\nName=vf0\n[Link]\nMTUBytes=9000\n",
                                                    &link_only),
                         0);
        assert_false(networkd_text_has_ip(link_only));
}

/* The VF released before a migration: its file tells networkd to leave
 * it alone, neither put it back into the bond nor give it the admin's
 * address; the next VF, under a new name, is the primary. */
static void test_vf_released(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        TmpDir t;

        tmp_open(&t);
        assert_int_equal(networkd_save_group(t.fd, g, "vf0", "bk0", NULL), 1);
        assert_true(exists(t.fd, "00-hnv-vf0.network"));
        assert_int_equal(networkd_save_group(t.fd, g, NULL, "bk0", NULL), 1);
        check_golden(t.fd, "00-hnv-vf0.network", "port-left.expected");
        assert_int_equal(networkd_save_group(t.fd, g, NULL, "bk0", NULL), 0);
        assert_true(exists(t.fd, "00-hnv-bk0.network"));
        assert_int_equal(networkd_save_group(t.fd, g, "vf1", "bk0", NULL), 1);
        check_golden(t.fd, "00-hnv-vf1.network", "port-primary-vf1.expected");
        tmp_close(&t);
}

static bool keep_names(const char *ifname, void *userdata) {
        for (char **k = userdata; *k; k++)
                if (streq(*k, ifname))
                        return true;
        return false;
}

/* hnv's files only: an admin's file named like hnv's but without the
 * marker, and the admin's own files, stay byte for byte. */
static void test_remove_and_prune(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group(), *db = new_group("db");
        static const char admin[] = "[Match]\nName=vf0\n\n[Network]\nDHCP=yes\n";
        static const char impostor[] = "[Match]\nName=vf9\n\n[Network]\nDHCP=yes\n";
        char *keep[] = {"bonddb", "vf5", "bk5", NULL};
        TmpDir t;

        assert_non_null(db);
        tmp_open(&t);
        write_file(t.fd, "10-netplan-vf0.network", admin);
        write_file(t.fd, "00-hnv-vf9.network", impostor);
        assert_int_equal(networkd_save_group(t.fd, g, "vf0", "bk0", admin), 1);
        assert_int_equal(networkd_save_group(t.fd, db, "vf5", "bk5", NULL), 1);

        assert_int_equal(networkd_remove_group(t.fd, "bondweb"), 4);
        assert_false(exists(t.fd, "00-hnv-bondweb.netdev"));
        assert_false(exists(t.fd, "00-hnv-bondweb.network"));
        assert_false(exists(t.fd, "00-hnv-vf0.network"));
        assert_false(exists(t.fd, "00-hnv-bk0.network"));
        assert_true(exists(t.fd, "00-hnv-bonddb.netdev"));
        assert_true(exists(t.fd, "00-hnv-vf5.network"));
        assert_true(exists(t.fd, "10-netplan-vf0.network"));
        assert_true(exists(t.fd, "00-hnv-vf9.network"));
        assert_int_equal(networkd_remove_group(t.fd, "bondweb"), 0);

        /* The boot reconcile: bonddb's group is there, its VF is gone. */
        keep[1] = "bk5";
        keep[2] = NULL;
        assert_int_equal(networkd_prune(t.fd, keep_names, keep), 1);
        assert_false(exists(t.fd, "00-hnv-vf5.network"));
        assert_true(exists(t.fd, "00-hnv-bk5.network"));
        assert_true(exists(t.fd, "00-hnv-bonddb.network"));
        /* Then bonddb's group is gone too. */
        keep[0] = NULL;
        assert_int_equal(networkd_prune(t.fd, keep_names, keep), 3);
        assert_false(exists(t.fd, "00-hnv-bonddb.netdev"));
        assert_true(exists(t.fd, "00-hnv-vf9.network"));
        assert_true(exists(t.fd, "10-netplan-vf0.network"));
        tmp_close(&t);
}

/* A FIFO, a symbolic link or an oversized file where hnv reads: refused at
 * once (before the fix, the FIFO hung the read and the prune at boot for
 * good), and left as it was. */
static void test_unreadable_files(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        char *text = NULL, *keep[] = {NULL};
        _cleanup_(freep) char *big = NULL;
        TmpDir t;

        tmp_open(&t);
        alarm(20); /* a hang fails the test instead of waiting for meson */
        assert_int_equal(mkfifoat(t.fd, "00-hnv-vf7.network", 0644), 0);
        assert_int_equal(networkd_read_text(t.fd, "00-hnv-vf7.network", &text), -EINVAL);
        assert_int_equal(symlinkat("/etc/hostname", t.fd, "00-hnv-vf8.network"), 0);
        assert_int_equal(networkd_read_text(t.fd, "00-hnv-vf8.network", &text), -ELOOP);
        big = malloc(NETWORKD_FILE_MAX + 2);
        assert_non_null(big);
        memset(big, '#', NETWORKD_FILE_MAX + 1);
        big[NETWORKD_FILE_MAX + 1] = '\0';
        write_file(t.fd, "10-big.network", big);
        assert_int_equal(networkd_read_text(t.fd, "10-big.network", &text), -EFBIG);
        assert_null(text);

        /* Not known to be hnv's, so the prune leaves them. */
        assert_int_equal(networkd_prune(t.fd, keep_names, keep), 0);
        assert_true(exists(t.fd, "00-hnv-vf7.network"));
        assert_true(exists(t.fd, "00-hnv-vf8.network"));
        /* A group is still written beside them. */
        assert_int_equal(networkd_save_group(t.fd, g, "vf0", "bk0", NULL), 1);
        alarm(0);
        tmp_close(&t);
}

static void test_bad_names(void **state) {
        char *text = NULL;
        BondOptions o;

        bond_options_init(&o);
        assert_int_equal(networkd_port_text("../x", "bondweb", false, &text), -EINVAL);
        assert_int_equal(networkd_port_text("vf0", "", false, &text), -EINVAL);
        assert_int_equal(networkd_netdev_text("bond/x", &o, &text), -EINVAL);
        assert_null(text);
}

static void test_networkctl_argv(void **state) {
        const char *argv[WICKED_ARGV_MAX];

        assert_int_equal(wicked_argv(NETWORKCTL_RELOAD, "bondweb", argv), 0);
        assert_string_equal(argv[0], "networkctl");
        assert_string_equal(argv[1], "reload");
        assert_null(argv[2]);
        assert_int_equal(wicked_argv(WICKED_IFRELOAD, "bondweb", argv), 0);
        assert_string_equal(argv[0], "wicked");
        assert_string_equal(argv[2], "bondweb");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ip_static4),
                cmocka_unit_test(test_ip_static46),
                cmocka_unit_test(test_ip_dhcp),
                cmocka_unit_test(test_ip_routes),
                cmocka_unit_test(test_no_ip),
                cmocka_unit_test(test_vf_released),
                cmocka_unit_test(test_remove_and_prune),
                cmocka_unit_test(test_unreadable_files),
                cmocka_unit_test(test_bad_names),
                cmocka_unit_test(test_networkctl_argv),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
