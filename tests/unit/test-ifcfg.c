/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The wicked backend without wicked (Debian does not package it): ifcfg
 * documents parsed and written back byte for byte, the files hnv writes for
 * a group compared with tests/golden/wicked/, and the commands run against a
 * fake `wicked` that records its arguments. HNV_UPDATE_GOLDEN=1 rewrites
 * the *.expected files instead of comparing (review the diff). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>

#include <cmocka.h>

#include "golden.h"
#include "group.h"
#include "wicked/ifcfg-bond.h"
#include "wicked/ifcfg-files.h"
#include "wicked/ifcfg.h"
#include "wicked/wicked-cmd.h"
#include "wicked/wicked-runner.h"

#define VF     "enP32775p1s0"
#define VF_NEW "enP32776p1s0"
#define BACKUP "env3"

static char *format(const IfcfgDoc *d) {
        char *text = NULL;
        assert_int_equal(ifcfg_doc_format(d, &text, NULL), 0);
        return text;
}

static IfcfgDoc *parse(const char *text) {
        IfcfgDoc *d = NULL;
        unsigned line = 0;
        int r = ifcfg_doc_parse(text, strlen(text), &d, &line);
        if (r < 0)
                fail_msg("cannot parse (line %u: %d): %s", line, r, text);
        return d;
}

/* ---------------------------------------------------------------------- */
/* documents */

static const char *const round_trip_cases[] = {
        "",
        "\n",
        "\n\n\n",
        "KEY=value",
        "KEY='value'\n",
        "# only a comment",
        "  # indented comment\n\t\n",
        "STARTMODE='auto'\nBOOTPROTO=\"dhcp\"\nMTU=9000\n",
        "  IPADDR_0='192.0.2.1/24'   # trailing comment\n",
        "A='a'\"b\"c\nB=\nC=''\nD=\"\"\n",
        "NAME='it has   spaces'\nESSID=' \\o/ '\nX=\"a \\\"quoted\\\" word\"\n",
        "K=a#b\nL='x'#y\n",
        "DUP=1\nDUP=2\n",
        "# Managed by hnv\nSTARTMODE='hotplug'\nBOOTPROTO='none'",
        "X=\"back\\\\slash \\$ \\` \\q\"\n",
        "UTF8='Bündel'\n",
};

static void test_round_trip(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(round_trip_cases); i++) {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = parse(round_trip_cases[i]);
                _cleanup_(freep) char *text = format(d);
                assert_string_equal(text, round_trip_cases[i]);
        }
}

static void test_values(void **state) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d =
                parse("A='a'\"b\"c\nB=\nESSID=' \\o/ '\nX=\"q\\\"\\\\\\$\\`\\n\"\n  I='1' # "
                      "c\nK=a#b\nDUP=1\nDUP=2\n");

        assert_string_equal(ifcfg_doc_get(d, "A"), "abc");
        assert_string_equal(ifcfg_doc_get(d, "B"), "");
        assert_string_equal(ifcfg_doc_get(d, "ESSID"), " \\o/ ");
        /* sh keeps a backslash before anything but " \ $ ` inside "..." */
        assert_string_equal(ifcfg_doc_get(d, "X"), "q\"\\$`\\n");
        assert_string_equal(ifcfg_doc_get(d, "I"), "1");
        assert_string_equal(ifcfg_doc_get(d, "K"), "a#b");
        assert_string_equal(ifcfg_doc_get(d, "DUP"), "2");
        assert_null(ifcfg_doc_get(d, "MISSING"));
        assert_null(ifcfg_doc_get(d, "a"));
}

typedef struct BadCase {
        const char *text;
        unsigned line;
} BadCase;

static const BadCase bad_cases[] = {
        {"A='unterminated\n", 1},
        {"A='ok'\nB=\"unterminated\n", 2},
        {"A='spans\nlines'\n", 1},
        {"A=\"ends in a backslash\\\n\"\n", 1},
        {"A=$HOME\n", 1},
        {"A=\"$HOME\"\n", 1},
        {"A=`id`\n", 1},
        {"A=\"`id`\"\n", 1},
        {"A=~/x\n", 1},
        {"A=b\\c\n", 1},
        {"A=a b\n", 1},
        {"A='a' b\n", 1},
        {"A=a;b\n", 1},
        {"\n\nexport A=1\n", 3},
        {"1A=1\n", 1},
        {"A-B=1\n", 1},
        {"A\n", 1},
        {"A =1\n", 1},
        {"=1\n", 1},
        {"A='x'\r\n", 1},
        {"A=\x01\n", 1},
};

static void test_bad_input(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(bad_cases); i++) {
                IfcfgDoc *d = NULL;
                unsigned line = 0;
                int r = ifcfg_doc_parse(bad_cases[i].text, strlen(bad_cases[i].text), &d, &line);

                if (r != -EBADMSG || line != bad_cases[i].line)
                        fail_msg("case %zu: %d at line %u, expected -EBADMSG at %u", i, r, line,
                                 bad_cases[i].line);
                assert_null(d);
        }

        /* A NUL byte is not text. */
        {
                static const char text[] = "A='1'\nB='\0'\n";
                IfcfgDoc *d = NULL;
                unsigned line = 0;
                assert_int_equal(ifcfg_doc_parse(text, sizeof(text) - 1, &d, &line), -EBADMSG);
                assert_int_equal(line, 2);
        }
}

static void test_set(void **state) {
        static const char original[] = "# head\n"
                                       "  STARTMODE=\"auto\"   # why\n"
                                       "IPADDR='192.0.2.1/24'\n"
                                       "A=1\n"
                                       "A=2\n"
                                       "LAST=x";
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = parse(original);
        _cleanup_(freep) char *text = NULL, *quoted = NULL;

        /* The same value, quoted otherwise: not one byte changes. */
        assert_int_equal(ifcfg_doc_set(d, "STARTMODE", "auto"), 0);
        assert_int_equal(ifcfg_doc_set(d, "A", "2"), 0);
        text = format(d);
        assert_string_equal(text, original);
        text = mfree(text);

        /* In place: indentation and comment stay; the last assignment is
         * the one sh keeps, so it is the one rewritten. */
        assert_int_equal(ifcfg_doc_set(d, "STARTMODE", "hotplug"), 0);
        assert_int_equal(ifcfg_doc_set(d, "A", "3"), 0);
        /* Appended after a last line without a newline: it gets one. */
        assert_int_equal(ifcfg_doc_set(d, "NEW", "v w"), 0);
        text = format(d);
        assert_string_equal(text, "# head\n"
                                  "  STARTMODE='hotplug'   # why\n"
                                  "IPADDR='192.0.2.1/24'\n"
                                  "A=1\n"
                                  "A='3'\n"
                                  "LAST=x\n"
                                  "NEW='v w'\n");
        text = mfree(text);

        assert_int_equal(ifcfg_doc_unset(d, "A"), 2);
        assert_int_equal(ifcfg_doc_unset(d, "A"), 0);
        assert_int_equal(ifcfg_doc_set(d, "X", "it's"), -EINVAL);
        assert_int_equal(ifcfg_doc_set(d, "X", "two\nlines"), -EINVAL);
        assert_int_equal(ifcfg_doc_set(d, "BAD-KEY", "v"), -EINVAL);
        assert_int_equal(ifcfg_doc_set(d, "9KEY", "v"), -EINVAL);
        text = format(d);
        assert_string_equal(text, "# head\n"
                                  "  STARTMODE='hotplug'   # why\n"
                                  "IPADDR='192.0.2.1/24'\n"
                                  "LAST=x\n"
                                  "NEW='v w'\n");

        assert_int_equal(ifcfg_quote("a b", &quoted), 0);
        assert_string_equal(quoted, "'a b'");
        assert_int_equal(ifcfg_quote("'", &quoted), -EINVAL);
        assert_int_equal(ifcfg_quote("\t", &quoted), -EINVAL);

        /* Whatever was written parses back to the same values. */
        {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *again = parse(text);
                assert_string_equal(ifcfg_doc_get(again, "STARTMODE"), "hotplug");
                assert_string_equal(ifcfg_doc_get(again, "NEW"), "v w");
        }
}

static void test_marker(void **state) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = parse("A=1");
        _cleanup_(freep) char *text = NULL;

        assert_false(ifcfg_doc_has_marker(d));
        assert_int_equal(ifcfg_doc_add_marker(d), 0);
        assert_int_equal(ifcfg_doc_add_marker(d), 0);
        assert_true(ifcfg_doc_has_marker(d));
        text = format(d);
        assert_string_equal(text, IFCFG_MARKER "\nA=1");

        /* Only the line itself counts, not a mention of it. */
        {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *e =
                        parse("# not " IFCFG_MARKER "\nA='" IFCFG_MARKER "'\n");
                assert_false(ifcfg_doc_has_marker(e));
        }
}

/* ---------------------------------------------------------------------- */
/* bond options */

static void test_module_opts(void **state) {
        _cleanup_(freep) char *s = NULL;
        BondOptions o;

        bond_options_init(&o);
        assert_int_equal(ifcfg_bond_module_opts(&o, VF, &s), 0);
        assert_string_equal(s, "mode=active-backup miimon=100 fail_over_mac=follow primary=" VF
                               " num_grat_arp=3 num_unsol_na=3");
        s = mfree(s);

        assert_int_equal(ifcfg_bond_module_opts(&o, NULL, &s), 0);
        assert_string_equal(
                s, "mode=active-backup miimon=100 fail_over_mac=follow num_grat_arp=3 num_unsol_na=3");
        s = mfree(s);

        /* peer_notif_delay is not a word wicked knows; mtu is not a bond
         * option at all. */
        o.updelay_ms = 200;
        o.downdelay_ms = 50;
        o.fail_over_mac = FAIL_OVER_MAC_ACTIVE;
        o.num_peer_notif = 1;
        o.peer_notif_delay_ms = 100;
        o.mtu = 9000;
        assert_int_equal(ifcfg_bond_module_opts(&o, VF, &s), 0);
        assert_string_equal(
                s, "mode=active-backup miimon=100 updelay=200 downdelay=50 fail_over_mac=active primary=" VF
                   " num_grat_arp=1 num_unsol_na=1");
        s = mfree(s);

        /* Without miimon the kernel refuses the delays. */
        o.miimon_ms = 0;
        assert_int_equal(ifcfg_bond_module_opts(&o, VF, &s), 0);
        assert_string_equal(s, "mode=active-backup miimon=0 fail_over_mac=active primary=" VF
                               " num_grat_arp=1 num_unsol_na=1");
        s = mfree(s);

        /* The admin's other words stay, after hnv's; hnv's old ones go,
         * including ones hnv now leaves out. */
        assert_int_equal(ifcfg_bond_merge_module_opts("  miimon=50\tupdelay=9 arp_validate=none primary=old "
                                                      "use_carrier=1 mode=1",
                                                      &o, NULL, &s),
                         0);
        assert_string_equal(s,
                            "mode=active-backup miimon=0 fail_over_mac=active num_grat_arp=1 num_unsol_na=1 "
                            "arp_validate=none use_carrier=1");
        s = mfree(s);

        o.fail_over_mac = 7;
        assert_int_equal(ifcfg_bond_module_opts(&o, VF, &s), -EINVAL);
        bond_options_init(&o);
        assert_int_equal(ifcfg_bond_module_opts(&o, "a/b", &s), -EINVAL);
        assert_int_equal(ifcfg_bond_module_opts(&o, "it's", &s), -EINVAL);
        assert_null(s);
}

/* The words hnv.conf knows must mean there what they mean to wicked: each
 * word written is read back through group.c's parser, which must either
 * refuse it (a name only the kernel uses) or set the same value. */
static void test_module_opts_names(void **state) {
        _cleanup_(freep) char *s = NULL;
        BondOptions o, back;
        char *save = NULL;
        unsigned known = 0;

        bond_options_init(&o);
        o.miimon_ms = 250;
        o.updelay_ms = 500;
        o.downdelay_ms = 750;
        o.fail_over_mac = FAIL_OVER_MAC_ACTIVE;
        o.num_peer_notif = 5;
        assert_int_equal(ifcfg_bond_module_opts(&o, VF, &s), 0);

        bond_options_init(&back);
        for (char *w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                if (bond_options_set(&back, w) >= 0) {
                        known++;
                        continue;
                }
                if (strncmp(w, "mode=", 5) != 0 && strncmp(w, "primary=", 8) != 0 &&
                    strncmp(w, "num_grat_arp=", 13) != 0 && strncmp(w, "num_unsol_na=", 13) != 0)
                        fail_msg("hnv.conf does not know \"%s\"", w);
        }
        assert_int_equal(known, 4);
        assert_int_equal(back.miimon_ms, o.miimon_ms);
        assert_int_equal(back.updelay_ms, o.updelay_ms);
        assert_int_equal(back.downdelay_ms, o.downdelay_ms);
        assert_int_equal(back.fail_over_mac, o.fail_over_mac);
}

static void test_bond_update(void **state) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        _cleanup_(strv_freep) char **dropped = NULL;
        _cleanup_(freep) char *text = NULL;
        BondOptions o;

        bond_options_init(&o);

        /* Duplicates and empty entries go; a stale name is reused in place
         * for the VF; the backup is already there. */
        d = parse("BONDING_SLAVE_3='old'\nX=1\nBONDING_SLAVE_1='" BACKUP "'\nBONDING_SLAVE_2=''\n"
                  "BONDING_SLAVE_4='" BACKUP "'\nBONDING_SLAVE_5='gone'\n");
        assert_int_equal(ifcfg_bond_update(d, &o, VF, BACKUP, &dropped), 0);
        text = format(d);
        assert_string_equal(
                text, "BONDING_SLAVE_3='" VF "'\nX=1\nBONDING_SLAVE_1='" BACKUP "'\n"
                      "STARTMODE='auto'\nBONDING_MASTER='yes'\n"
                      "BONDING_MODULE_OPTS='mode=active-backup miimon=100 fail_over_mac=follow primary=" VF
                      " num_grat_arp=3 num_unsol_na=3'\n");
        assert_non_null(dropped);
        /* A second entry for the backup is not the backup dropped. */
        assert_string_equal(dropped[0], "old");
        assert_string_equal(dropped[1], "gone");
        assert_null(dropped[2]);
        dropped = (strv_free(dropped), NULL);
        text = mfree(text);

        /* Idempotent. */
        {
                _cleanup_(freep) char *before = format(d);
                assert_int_equal(ifcfg_bond_update(d, &o, VF, BACKUP, NULL), 0);
                text = format(d);
                assert_string_equal(text, before);
                text = mfree(text);
        }

        /* No VF for now: no primary, its entry removed, the backup kept. */
        assert_int_equal(ifcfg_bond_update(d, &o, NULL, BACKUP, &dropped), 0);
        assert_string_equal(dropped[0], VF);
        assert_null(dropped[1]);
        assert_null(strstr(ifcfg_doc_get(d, "BONDING_MODULE_OPTS"), "primary="));
        assert_null(ifcfg_doc_get(d, "BONDING_SLAVE_3"));

        assert_int_equal(ifcfg_bond_update(d, &o, VF, VF, NULL), -EINVAL);
        assert_int_equal(ifcfg_bond_update(d, &o, "a/b", BACKUP, NULL), -EINVAL);

        /* The MTU is written only when the group sets one. */
        o.mtu = 9000;
        assert_int_equal(ifcfg_bond_update(d, &o, VF, BACKUP, NULL), 0);
        assert_string_equal(ifcfg_doc_get(d, "MTU"), "9000");
}

static void test_hcnmgr_recognition(void **state) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *a =
                parse("BONDING_MASTER='yes'\n"
                      "BONDING_MODULE_OPTS='mode=1 miimon=100 fail_over_mac=2'\n");
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *b =
                parse("BONDING_MASTER=YES\nBONDING_MODULE_OPTS='mode=active-backup "
                      "miimon=100 fail_over_mac=follow primary=x'\n");
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *c =
                parse("BONDING_MASTER='yes'\nBONDING_MODULE_OPTS='mode=802.3ad'\n");
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *e = parse("BONDING_MODULE_OPTS='mode=1 fail_over_mac=2'\n");

        assert_true(ifcfg_is_hcnmgr_bond("bond333e80f5", a));
        assert_true(ifcfg_is_hcnmgr_bond("bond00000001", b));
        assert_false(ifcfg_is_hcnmgr_bond("bond333e80f5", c));
        assert_false(ifcfg_is_hcnmgr_bond("bond333e80f5", e));
        assert_false(ifcfg_is_hcnmgr_bond("bond333E80F5", a));
        assert_false(ifcfg_is_hcnmgr_bond("bond333e80f", a));
        assert_false(ifcfg_is_hcnmgr_bond("bond0", a));
        assert_false(ifcfg_is_hcnmgr_bond("team333e80f5", a));
}

/* ---------------------------------------------------------------------- */
/* files */

typedef struct TmpDir {
        char path[256];
        int fd;
} TmpDir;

static void tmpdir_open(TmpDir *t) {
        int n = snprintf(t->path, sizeof(t->path), "%s/test-ifcfg.XXXXXX", getenv("TMPDIR") ?: P_tmpdir);
        assert_true(n > 0 && (size_t)n < sizeof(t->path));
        assert_non_null(mkdtemp(t->path));
        t->fd = open(t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(t->fd >= 0);
}

static void tmpdir_close(TmpDir *t) {
        DIR *dir = fdopendir(t->fd);
        struct dirent *de;

        assert_non_null(dir);
        /* readdir() may skip entries while the directory changes: again
         * until a pass finds nothing. */
        for (bool again = true; again;) {
                again = false;
                rewinddir(dir);
                while ((de = readdir(dir)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                                assert_int_equal(unlinkat(dirfd(dir), de->d_name, 0), 0);
                                again = true;
                        }
        }
        closedir(dir);
        assert_int_equal(rmdir(t->path), 0);
}

static char *read_text(int dir_fd, const char *name) {
        _cleanup_(closep) int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
        char *buf;
        ssize_t n;

        if (fd < 0)
                return NULL;
        buf = calloc(1, 65536);
        assert_non_null(buf);
        n = read(fd, buf, 65535);
        assert_true(n >= 0);
        return buf;
}

static void write_text(int dir_fd, const char *name, const char *text) {
        /* As an admin's editor would leave it (hnv keeps a file's mode). */
        _cleanup_(closep) int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(fchmod(fd, 0644), 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* Compares file name in dir with the golden file expected. */
static void check_golden(int dir_fd, const char *name, const char *expected) {
        _cleanup_(freep) char *actual = read_text(dir_fd, name);
        struct stat st;

        if (!actual)
                fail_msg("%s was not written", name);
        assert_int_equal(fstatat(dir_fd, name, &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0644);

        golden_check("wicked", expected, actual);
}

/* Nothing but ifcfg files: no temporary left behind. */
static void check_no_temporaries(int dir_fd) {
        DIR *dir;
        struct dirent *de;
        int fd = dup(dir_fd);

        assert_true(fd >= 0);
        dir = fdopendir(fd);
        assert_non_null(dir);
        while ((de = readdir(dir)))
                if (de->d_name[0] == '.' && !streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        fail_msg("temporary %s left behind", de->d_name);
        closedir(dir);
}

static GroupSpec *web_group(void) {
        GroupSpec *g = group_spec_new("web", GROUP_SOURCE_CONFIG);
        assert_non_null(g);
        return g;
}

static void test_golden_new_group(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        TmpDir t;

        tmpdir_open(&t);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        check_golden(t.fd, "ifcfg-bondweb", "new-bond.expected");
        check_golden(t.fd, "ifcfg-" VF, "new-port.expected");
        check_golden(t.fd, "ifcfg-" BACKUP, "new-port.expected");
        check_no_temporaries(t.fd);

        /* A second run changes nothing, not even the files' inodes. */
        {
                struct stat before, after;
                assert_int_equal(fstatat(t.fd, "ifcfg-bondweb", &before, 0), 0);
                assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 0);
                assert_int_equal(fstatat(t.fd, "ifcfg-bondweb", &after, 0), 0);
                assert_int_equal(before.st_ino, after.st_ino);
        }
        tmpdir_close(&t);
}

static void test_golden_admin_bond(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *bond = golden_read("wicked", "admin-bond.in"),
                              *port = golden_read("wicked", "admin-port.in"), *eth7 = NULL;
        TmpDir t;

        tmpdir_open(&t);
        write_text(t.fd, "ifcfg-bondweb", bond);
        write_text(t.fd, "ifcfg-" VF, port);
        /* The port the admin's bond listed, with a file of the admin's. */
        write_text(t.fd, "ifcfg-eth7", "STARTMODE='hotplug'\nBOOTPROTO='none'\n");

        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        check_golden(t.fd, "ifcfg-bondweb", "admin-bond.expected");
        check_golden(t.fd, "ifcfg-" VF, "admin-port.expected");
        check_golden(t.fd, "ifcfg-" BACKUP, "new-port.expected");
        eth7 = read_text(t.fd, "ifcfg-eth7");
        assert_non_null(eth7);

        /* Neither file is hnv's to delete. */
        assert_int_equal(ifcfg_remove(t.fd, "bondweb"), -EPERM);
        assert_int_equal(ifcfg_remove(t.fd, VF), -EPERM);
        assert_int_equal(ifcfg_remove(t.fd, BACKUP), 0);
        assert_int_equal(ifcfg_remove(t.fd, BACKUP), -ENOENT);
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

/* A file the admin made private stays private when hnv rewrites it; a new
 * file is 0644 whatever the umask. */
static void test_file_mode_kept(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        struct stat st;
        mode_t old_umask = umask(0077);
        TmpDir t;

        tmpdir_open(&t);
        write_text(t.fd, "ifcfg-" VF, "BOOTPROTO='dhcp'\nWIRELESS_WPA_PSK='secret'\n");
        assert_int_equal(fchmodat(t.fd, "ifcfg-" VF, 0600, 0), 0);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        assert_int_equal(fstatat(t.fd, "ifcfg-" VF, &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(fstatat(t.fd, "ifcfg-bondweb", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        umask(old_umask);
        tmpdir_close(&t);
}

static void test_golden_migration(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *bond = golden_read("wicked", "migration-bond.in"), *old = NULL;
        _cleanup_(strv_freep) char **dropped = NULL;
        TmpDir t;

        tmpdir_open(&t);
        /* What hnv wrote before the migration, with the admin's address
         * added since. */
        write_text(t.fd, "ifcfg-bondweb", bond);
        assert_int_equal(ifcfg_save_port(t.fd, VF), 1);
        assert_int_equal(ifcfg_save_port(t.fd, BACKUP), 1);

        assert_int_equal(ifcfg_save_group(t.fd, g, VF_NEW, BACKUP, &dropped), 1);
        /* The backend takes these down in wicked. */
        assert_non_null(dropped);
        assert_string_equal(dropped[0], VF);
        assert_null(dropped[1]);
        check_golden(t.fd, "ifcfg-bondweb", "migration-bond.expected");
        check_golden(t.fd, "ifcfg-" VF_NEW, "new-port.expected");
        /* The old VF's file was hnv's: gone with its name. */
        old = read_text(t.fd, "ifcfg-" VF);
        assert_null(old);
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

static void test_golden_hcnmgr(void **state) {
        _cleanup_(freep) char *bond = golden_read("wicked", "hcnmgr-bond.in");
        BondOptions o;
        TmpDir t;

        bond_options_init(&o);
        tmpdir_open(&t);
        write_text(t.fd, "ifcfg-bond333e80f5", bond);
        assert_int_equal(ifcfg_save_bond(t.fd, "bond333e80f5", &o, VF, BACKUP, NULL), 1);
        check_golden(t.fd, "ifcfg-bond333e80f5", "hcnmgr-bond.expected");
        assert_int_equal(ifcfg_remove(t.fd, "bond333e80f5"), 0);

        /* hcnmgr's own file, never touched by hnv, is recognized too. */
        write_text(t.fd, "ifcfg-bond333e80f5", bond);
        assert_int_equal(ifcfg_remove(t.fd, "bond333e80f5"), 0);
        tmpdir_close(&t);
}

static void test_file_errors(void **state) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        char name[IFCFG_FILENAME_MAX];
        unsigned line = 0;
        BondOptions o;
        TmpDir t;

        bond_options_init(&o);
        assert_int_equal(ifcfg_file_name("eth0", name), 0);
        assert_string_equal(name, "ifcfg-eth0");
        assert_int_equal(ifcfg_file_name("123456789012345", name), 0);
        assert_int_equal(ifcfg_file_name("1234567890123456", name), -ENAMETOOLONG);
        assert_int_equal(ifcfg_file_name("../../etc/passwd", name), -ENAMETOOLONG);
        assert_int_equal(ifcfg_file_name("../x", name), -EINVAL);
        assert_int_equal(ifcfg_file_name("a/b", name), -EINVAL);
        assert_int_equal(ifcfg_file_name("..", name), -EINVAL);
        assert_int_equal(ifcfg_file_name(".", name), -EINVAL);
        assert_int_equal(ifcfg_file_name("", name), -EINVAL);
        assert_int_equal(ifcfg_file_name(NULL, name), -EINVAL);
        assert_int_equal(ifcfg_file_name("a b", name), -EINVAL);
        assert_string_equal(ifcfg_ifname_problem("a/b"), "the name contains '/'");
        assert_string_equal(ifcfg_ifname_problem(".."), "the name is '.' or '..'");
        assert_string_equal(ifcfg_ifname_problem("1234567890123456"),
                            "the name is longer than 15 characters");
        assert_null(ifcfg_ifname_problem("eth0"));

        tmpdir_open(&t);
        assert_int_equal(ifcfg_save_port(t.fd, "a/b"), -EINVAL);
        assert_int_equal(ifcfg_save_port(t.fd, "1234567890123456"), -ENAMETOOLONG);
        assert_int_equal(ifcfg_save_bond(t.fd, "bondweb", &o, "../x", BACKUP, NULL), -EINVAL);
        assert_int_equal(ifcfg_remove(t.fd, ".."), -EINVAL);

        /* A file hnv cannot read is left alone, not rewritten. */
        write_text(t.fd, "ifcfg-bondweb", "# fine\nBONDING_MODULE_OPTS='mode=1\n");
        assert_int_equal(ifcfg_save_bond(t.fd, "bondweb", &o, VF, BACKUP, NULL), -EBADMSG);
        assert_int_equal(ifcfg_read(t.fd, "bondweb", &d, &line), -EBADMSG);
        assert_int_equal(line, 2);
        assert_int_equal(ifcfg_remove(t.fd, "bondweb"), -EBADMSG);

        /* Nor is a FIFO put where a file should be: refused at once, where
         * the read used to wait for a writer for good. */
        alarm(20);
        assert_int_equal(mkfifoat(t.fd, "ifcfg-fifo0", 0644), 0);
        assert_int_equal(ifcfg_read(t.fd, "fifo0", &d, &line), -EBADMSG);
        assert_int_equal(ifcfg_save_port(t.fd, "fifo0"), -EBADMSG);
        alarm(0);

        /* Nor is a symbolic link replaced by a file. */
        assert_int_equal(symlinkat("ifcfg-bondweb", t.fd, "ifcfg-link0"), 0);
        assert_int_equal(ifcfg_save_port(t.fd, "link0"), -ELOOP);
        assert_int_equal(ifcfg_read(t.fd, "missing", &d, NULL), -ENOENT);
        assert_int_equal(ifcfg_remove(t.fd, "missing"), -ENOENT);
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

static bool keep_listed(const char *ifname, void *userdata) {
        for (const char *const *k = userdata; *k; k++)
                if (streq(*k, ifname))
                        return true;
        return false;
}

static void test_prune(void **state) {
        static const char *const kept[] = {"bondweb", BACKUP, "bond333e80f5", "bondadmin", NULL};
        static const char admin_port[] = "# mine\nBOOTPROTO='dhcp'\n";
        static const char admin_bond[] = "BONDING_MASTER='yes'\nBONDING_SLAVE_0='gone0'\n";
        _cleanup_(freep) char *text = NULL, *hcnmgr = golden_read("wicked", "hcnmgr-bond.in");
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        TmpDir t;

        tmpdir_open(&t);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        strcpy(g->bond_name, "bondold");
        assert_int_equal(ifcfg_save_group(t.fd, g, NULL, "oldbk", NULL), 1);
        write_text(t.fd, "ifcfg-bond333e80f5", hcnmgr);
        write_text(t.fd, "ifcfg-eth9", admin_port);
        write_text(t.fd, "ifcfg-bondadmin", admin_bond);
        assert_int_equal(symlinkat("ifcfg-bondold", t.fd, "ifcfg-link0"), 0);
        write_text(t.fd, "ifcfg-bad0", "# Managed by hnv\nX='open\n");

        /* VF's file, bondold's and its port's, and the entries naming VF
         * in bondweb and in the hcnmgr bond. */
        assert_int_equal(ifcfg_prune(t.fd, keep_listed, (void *)kept), 5);

        assert_null(read_text(t.fd, "ifcfg-" VF));
        assert_null(read_text(t.fd, "ifcfg-bondold"));
        assert_null(read_text(t.fd, "ifcfg-oldbk"));
        assert_non_null(text = read_text(t.fd, "ifcfg-" BACKUP));
        text = mfree(text);

        assert_int_equal(ifcfg_read(t.fd, "bondweb", &d, NULL), 0);
        assert_string_equal(ifcfg_doc_get(d, "BONDING_SLAVE_1"), BACKUP);
        assert_null(ifcfg_doc_get(d, "BONDING_SLAVE_0"));
        assert_null(strstr(ifcfg_doc_get(d, "BONDING_MODULE_OPTS"), "primary="));
        assert_non_null(strstr(ifcfg_doc_get(d, "BONDING_MODULE_OPTS"), "fail_over_mac=follow"));
        d = ifcfg_doc_free(d);

        /* hcnmgr's bond, kept, is adopted now that hnv changed it. */
        assert_int_equal(ifcfg_read(t.fd, "bond333e80f5", &d, NULL), 0);
        assert_true(ifcfg_doc_has_marker(d));
        assert_null(ifcfg_doc_get(d, "BONDING_SLAVE_1"));
        assert_string_equal(ifcfg_doc_get(d, "BONDING_SLAVE_2"), BACKUP);
        assert_string_equal(ifcfg_doc_get(d, "BONDING_MODULE_OPTS"), "mode=1 miimon=100 fail_over_mac=2");
        d = ifcfg_doc_free(d);

        /* Anyone else's files, a link, a file hnv cannot read: as they were. */
        text = read_text(t.fd, "ifcfg-eth9");
        assert_string_equal(text, admin_port);
        text = mfree(text);
        text = read_text(t.fd, "ifcfg-bondadmin");
        assert_string_equal(text, admin_bond);
        text = mfree(text);
        assert_non_null(text = read_text(t.fd, "ifcfg-bad0"));

        /* Nothing left to do the second time. */
        assert_int_equal(ifcfg_prune(t.fd, keep_listed, (void *)kept), 0);
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

static void test_remove_group(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *text = NULL;
        TmpDir t;

        tmpdir_open(&t);
        write_text(t.fd, "ifcfg-" BACKUP, "BOOTPROTO='static'\n");
        write_text(t.fd, "ifcfg-eth9", "IPADDR='192.0.2.9/24'\n");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        /* The bond's and the VF's; the backup's file was the admin's. */
        assert_int_equal(ifcfg_remove_group(t.fd, "bondweb", NULL), 2);
        assert_null(read_text(t.fd, "ifcfg-bondweb"));
        assert_null(read_text(t.fd, "ifcfg-" VF));
        text = read_text(t.fd, "ifcfg-eth9");
        assert_string_equal(text, "IPADDR='192.0.2.9/24'\n");
        assert_int_equal(ifcfg_remove_group(t.fd, "bondweb", NULL), -ENOENT);
        tmpdir_close(&t);
}

/* ---------------------------------------------------------------------- */
/* the IP configuration: from a port's file to the bond's and back */

static void test_ip_keys(void **state) {
        static const char *const ip[] = {
                "BOOTPROTO",
                "IPADDR",
                "IPADDR_1",
                "IPADDR0",
                "PREFIXLEN_v6",
                "NETMASK",
                "BROADCAST_1",
                "REMOTE_IPADDR",
                "LABEL_1",
                "SCOPE",
                "IP_OPTIONS",
                "DHCLIENT_SET_DEFAULT_ROUTE",
                "DHCLIENT6_MODE",
                "AUTO6_WAIT_AT_BOOT",
                "CHECK_DUPLICATE_IP",
                "SEND_GRATUITOUS_ARP",
        };
        static const char *const not_ip[] = {
                "STARTMODE",        "NAME",           "MTU",    "ZONE",
                "ETHTOOL_OPTIONS",  "BONDING_MASTER", "LLADDR", "BOOTPROTOCOL",
                "WIRELESS_WPA_PSK", "NETWORK",
        };

        for (size_t i = 0; i < ELEMENTSOF(ip); i++)
                if (!ifcfg_key_is_ip(ip[i]))
                        fail_msg("%s is an IP key", ip[i]);
        for (size_t i = 0; i < ELEMENTSOF(not_ip); i++)
                if (ifcfg_key_is_ip(not_ip[i]))
                        fail_msg("%s is not an IP key", not_ip[i]);
        assert_false(ifcfg_key_is_ip(NULL));

        {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *dhcp = parse("BOOTPROTO='dhcp'\n");
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *implicit = parse("IPADDR='192.0.2.1/24'\n");
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *stripped =
                        parse("BOOTPROTO='none'\nDHCLIENT_SET_DEFAULT_ROUTE='yes'\n");
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *plain = parse("STARTMODE='auto'\nNAME='x'\n");
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *fresh = NULL;

                /* A BOOTPROTO missing is static; 'none' means nothing. */
                assert_true(ifcfg_port_has_ip(dhcp));
                assert_true(ifcfg_port_has_ip(implicit));
                assert_false(ifcfg_port_has_ip(stripped));
                assert_false(ifcfg_port_has_ip(plain));
                assert_false(ifcfg_port_has_ip(NULL));

                /* What hnv and hcnmgr write into a new bond is no address. */
                assert_int_equal(ifcfg_bond_new(&fresh), 0);
                assert_false(ifcfg_bond_has_ip(fresh));
                assert_false(ifcfg_bond_has_ip(plain));
                assert_true(ifcfg_bond_has_ip(dhcp));
                assert_true(ifcfg_bond_has_ip(implicit));
                assert_true(ifcfg_bond_has_ip(stripped));
        }
}

static void test_ip_move_docs(void **state) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *port = parse("# mine\n"
                                                          "IPADDR_0=\"192.0.2.1/24\"   # office\n"
                                                          "NAME='nic'\n"
                                                          "BOOTPROTO=static\n"
                                                          "DHCLIENT_X=1\n"
                                                          "BOOTPROTO='static'\n"
                                                          "ZONE=public");
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *bond = NULL, *keep = NULL;
        _cleanup_(freep) char *text = NULL;

        assert_int_equal(ifcfg_bond_new(&bond), 0);
        assert_int_equal(ifcfg_ip_move(port, bond), 0);
        /* In the bond's BOOTPROTO's place, byte for byte and in order. */
        text = format(bond);
        assert_string_equal(text, IFCFG_MARKER "\n"
                                               "STARTMODE='auto'\n"
                                               "IPADDR_0=\"192.0.2.1/24\"   # office\n"
                                               "BOOTPROTO=static\n"
                                               "DHCLIENT_X=1\n"
                                               "BOOTPROTO='static'\n");
        text = mfree(text);
        /* The port's last BOOTPROTO says 'none' where it was; its last line
         * keeps lacking a newline. */
        text = format(port);
        assert_string_equal(text, "# mine\nNAME='nic'\nBOOTPROTO='none'\nZONE=public");
        text = mfree(text);
        /* The port as it was is "moved" now: a restart after a crash
         * only strips it. */
        {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *orig = parse("IPADDR_0=192.0.2.1/24\nBOOTPROTO=static\n"
                                                                  "DHCLIENT_X=1\nBOOTPROTO='static'\n");
                assert_true(ifcfg_ip_moved(orig, bond));
        }

        /* Given back, twice: the same document both times, and a key of
         * the port's own that the bond does not assign stays. */
        keep = parse("A=1\nBOOTPROTO='none'\nLABEL_9='x'\nDHCLIENT_X=2\nB=2\n");
        assert_int_equal(ifcfg_ip_give_back(bond, keep), 0);
        text = format(keep);
        assert_string_equal(text, "A=1\n"
                                  "IPADDR_0=\"192.0.2.1/24\"   # office\n"
                                  "BOOTPROTO=static\n"
                                  "DHCLIENT_X=1\n"
                                  "BOOTPROTO='static'\n"
                                  "LABEL_9='x'\n"
                                  "B=2\n");
        {
                _cleanup_(freep) char *again = NULL;
                assert_int_equal(ifcfg_ip_give_back(bond, keep), 0);
                again = format(keep);
                assert_string_equal(again, text);
        }
        text = mfree(text);

        /* No BOOTPROTO at all (static): the bond's 'none' goes, and the
         * port's 'none' goes where its first address was. */
        {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *p = parse("NAME='x'\nIPADDR='192.0.2.1/24'\nZ=1\n");
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *b = NULL;

                assert_int_equal(ifcfg_bond_new(&b), 0);
                assert_int_equal(ifcfg_ip_move(p, b), 0);
                assert_null(ifcfg_doc_get(b, "BOOTPROTO"));
                assert_string_equal(ifcfg_doc_get(b, "IPADDR"), "192.0.2.1/24");
                text = format(p);
                assert_string_equal(text, "NAME='x'\nBOOTPROTO='none'\nZ=1\n");
                text = mfree(text);
                /* A bond with the port's keys is "moved"; with other keys
                 * or another BOOTPROTO it is not. */
                {
                        _cleanup_(ifcfg_doc_freep) IfcfgDoc *orig = parse("IPADDR='192.0.2.1/24'\n");
                        _cleanup_(ifcfg_doc_freep) IfcfgDoc *other = parse("IPADDR='192.0.2.2/24'\n");
                        _cleanup_(ifcfg_doc_freep) IfcfgDoc *dhcp =
                                parse("BOOTPROTO=dhcp\nIPADDR='192.0.2.1/24'\n");
                        assert_true(ifcfg_ip_moved(orig, b));
                        assert_false(ifcfg_ip_moved(other, b));
                        assert_false(ifcfg_ip_moved(dhcp, b));
                }
        }
}

typedef struct RouteCase {
        const char *in, *out;
} RouteCase;

static void test_routes_rename(void **state) {
        static const RouteCase cases[] = {
                {"", ""},
                {"default 192.0.2.1 - env3\n", "default 192.0.2.1 - bondweb\n"},
                /* Spacing, tabs, options and a missing newline stay. */
                {"10.0.0.0/8\t192.0.2.1  -\tenv3   metric 10",
                 "10.0.0.0/8\t192.0.2.1  -\tbondweb   metric 10"},
                /* "-" is the file's own interface; others are left. */
                {"default 192.0.2.1 - -\n10.0.0.0/8 10.1.1.1 - eth9\n",
                 "default 192.0.2.1 - -\n10.0.0.0/8 10.1.1.1 - eth9\n"},
                /* Only the 4th column, only the whole word. */
                {"env3 env3 env3 env33 env3\n", "env3 env3 env3 env33 env3\n"},
                {"# env3 env3 env3 env3\n  # a b c env3\n\n", "# env3 env3 env3 env3\n  # a b c env3\n\n"},
                {"  a b c env3\n", "  a b c bondweb\n"},
                {"a b\n", "a b\n"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(freep) char *out = NULL;
                size_t size = 0;

                assert_int_equal(ifcfg_routes_rename(cases[i].in, strlen(cases[i].in), BACKUP, "bondweb",
                                                     &out, &size),
                                 0);
                assert_int_equal(size, strlen(cases[i].out));
                if (!streq(out, cases[i].out))
                        fail_msg("case %zu: \"%s\", expected \"%s\"", i, out, cases[i].out);
        }
        {
                char *out = NULL;
                assert_int_equal(ifcfg_routes_rename("a\0b", 3, BACKUP, "bondweb", &out, NULL), -EBADMSG);
                assert_int_equal(ifcfg_routes_rename("a", 1, "a/b", "bondweb", &out, NULL), -EINVAL);
                assert_null(out);
        }
}

/* Forms group web with the admin's files of port (golden <name>-port.in),
 * and of its routes if given; checks the files, a restart, and the give-
 * back to keep on dissolve. */
static void golden_ip_case(const char *name, const char *port, const char *keep, int n_removed) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *in = NULL, *in_name = NULL, *bond_expected = NULL, *port_expected = NULL,
                              *giveback_expected = NULL, *port_file = NULL, *keep_file = NULL;
        const char *other = streq(port, VF) ? BACKUP : VF;
        struct stat before, after;
        TmpDir t;

        assert_true(asprintf(&in_name, "%s-port.in", name) > 0);
        assert_true(asprintf(&bond_expected, "%s-bond.expected", name) > 0);
        assert_true(asprintf(&port_expected, "%s-port.expected", name) > 0);
        assert_true(asprintf(&giveback_expected, "%s-giveback.expected", name) > 0);
        assert_true(asprintf(&port_file, "ifcfg-%s", port) > 0);
        assert_true(asprintf(&keep_file, "ifcfg-%s", keep) > 0);
        in = golden_read("wicked", in_name);

        tmpdir_open(&t);
        write_text(t.fd, port_file, in);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        check_golden(t.fd, "ifcfg-bondweb", bond_expected);
        check_golden(t.fd, port_file, port_expected);
        {
                _cleanup_(freep) char *other_file = NULL;
                assert_true(asprintf(&other_file, "ifcfg-%s", other) > 0);
                check_golden(t.fd, other_file, "new-port.expected");
        }
        check_no_temporaries(t.fd);

        /* hnvd restarted: the bond's file has the keys, so nothing moves
         * again, and not a file is rewritten. */
        assert_int_equal(fstatat(t.fd, "ifcfg-bondweb", &before, 0), 0);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 0);
        assert_int_equal(fstatat(t.fd, "ifcfg-bondweb", &after, 0), 0);
        assert_int_equal(before.st_ino, after.st_ino);
        check_golden(t.fd, "ifcfg-bondweb", bond_expected);
        check_golden(t.fd, port_file, port_expected);

        /* hnvctl remove: keep has the addresses now, and its file the IP
         * configuration; the bond's file is gone. */
        assert_int_equal(ifcfg_remove_group(t.fd, "bondweb", keep), n_removed);
        check_golden(t.fd, keep_file, giveback_expected);
        assert_null(read_text(t.fd, "ifcfg-bondweb"));
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

static void test_golden_ip_static4(void **state) {
        golden_ip_case("ip-static4", BACKUP, BACKUP, 2);
}

static void test_golden_ip_static46(void **state) {
        golden_ip_case("ip-static46", BACKUP, BACKUP, 2);
}

/* The installer's DHCP on the VF; the backup keeps the addresses on
 * dissolve, in the file hnv had made for it, which then stays. */
static void test_golden_ip_dhcp(void **state) {
        golden_ip_case("ip-dhcp", VF, BACKUP, 1);
}

static void test_golden_ip_dhcp6(void **state) {
        golden_ip_case("ip-dhcp6", BACKUP, BACKUP, 2);
}

/* The admin's files for the routes test: ifcfg-env3 and ifroute-env3. */
static void write_routes_case(TmpDir *t, char **ret_routes) {
        _cleanup_(freep) char *port = golden_read("wicked", "ip-static4-port.in");

        *ret_routes = golden_read("wicked", "ip-routes.in");
        write_text(t->fd, "ifcfg-" BACKUP, port);
        write_text(t->fd, "ifroute-" BACKUP, *ret_routes);
}

static void test_golden_ip_routes(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *routes = NULL, *text = NULL;
        struct stat st;
        TmpDir t;

        tmpdir_open(&t);
        write_routes_case(&t, &routes);
        assert_int_equal(fchmodat(t.fd, "ifroute-" BACKUP, 0640, 0), 0);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        assert_int_equal(fchmodat(t.fd, "ifroute-bondweb", 0644, 0), 0);
        check_golden(t.fd, "ifroute-bondweb", "ip-routes-bond.expected");
        assert_null(read_text(t.fd, "ifroute-" BACKUP));
        check_golden(t.fd, "ifcfg-bondweb", "ip-static4-bond.expected");
        check_golden(t.fd, "ifcfg-" BACKUP, "ip-static4-port.expected");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 0);

        /* Back with the addresses, byte for byte as the admin wrote them,
         * with the mode the file had. */
        assert_int_equal(fchmodat(t.fd, "ifroute-bondweb", 0640, 0), 0);
        assert_int_equal(ifcfg_remove_group(t.fd, "bondweb", BACKUP), 2);
        text = read_text(t.fd, "ifroute-" BACKUP);
        assert_non_null(text);
        assert_string_equal(text, routes);
        assert_int_equal(fstatat(t.fd, "ifroute-" BACKUP, &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_null(read_text(t.fd, "ifroute-bondweb"));
        check_golden(t.fd, "ifcfg-" BACKUP, "ip-static4-giveback.expected");
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

/* Routes of the admin's where the port's would go are not overwritten:
 * the port's stay where they are, the address moves all the same. */
static void test_ip_routes_not_overwritten(void **state) {
        static const char admin[] = "# the admin's own\n10.9.0.0/16 192.0.2.9 - -\n";
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *routes = NULL, *text = NULL;
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        TmpDir t;

        tmpdir_open(&t);
        write_routes_case(&t, &routes);
        write_text(t.fd, "ifroute-bondweb", admin);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        text = read_text(t.fd, "ifroute-bondweb");
        assert_string_equal(text, admin);
        text = mfree(text);
        text = read_text(t.fd, "ifroute-" BACKUP);
        assert_string_equal(text, routes);
        check_golden(t.fd, "ifcfg-bondweb", "ip-static4-bond.expected");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 0);
        tmpdir_close(&t);
}

/* Two ports with addresses: the VF's goes to the bond; the backup's,
 * which differs, is not the bond's to take and stays in its file under
 * 'none'. A bond file that has IP keys is never given others. */
static void test_ip_two_ports(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *b = NULL, *p = NULL;
        TmpDir t;

        tmpdir_open(&t);
        write_text(t.fd, "ifcfg-" VF, "BOOTPROTO='dhcp'\n");
        write_text(t.fd, "ifcfg-" BACKUP, "BOOTPROTO='static'\nIPADDR='192.0.2.99/24'\n");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        assert_int_equal(ifcfg_read(t.fd, "bondweb", &b, NULL), 0);
        assert_string_equal(ifcfg_doc_get(b, "BOOTPROTO"), "dhcp");
        assert_null(ifcfg_doc_get(b, "IPADDR"));
        assert_int_equal(ifcfg_read(t.fd, BACKUP, &p, NULL), 0);
        assert_string_equal(ifcfg_doc_get(p, "BOOTPROTO"), "none");
        assert_string_equal(ifcfg_doc_get(p, "IPADDR"), "192.0.2.99/24");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 0);
        b = ifcfg_doc_free(b);

        /* The VF, gone and back under the same name with a file that has
         * an address again, does not put a second one into the bond. */
        write_text(t.fd, "ifcfg-" VF, "BOOTPROTO='static'\nIPADDR='192.0.2.50/24'\n");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        assert_int_equal(ifcfg_read(t.fd, "bondweb", &b, NULL), 0);
        assert_string_equal(ifcfg_doc_get(b, "BOOTPROTO"), "dhcp");
        assert_null(ifcfg_doc_get(b, "IPADDR"));
        tmpdir_close(&t);
}

/* A group formed with only the backup, whose file has no address, gets
 * the VF's when the VF comes: the bond's file is hnv's and had none. */
static void test_ip_late_port(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *b = NULL;
        TmpDir t;

        tmpdir_open(&t);
        assert_int_equal(ifcfg_save_group(t.fd, g, NULL, BACKUP, NULL), 1);
        write_text(t.fd, "ifcfg-" VF, "BOOTPROTO='static'\nIPADDR='192.0.2.50/24'\n");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        assert_int_equal(ifcfg_read(t.fd, "bondweb", &b, NULL), 0);
        assert_string_equal(ifcfg_doc_get(b, "BOOTPROTO"), "static");
        assert_string_equal(ifcfg_doc_get(b, "IPADDR"), "192.0.2.50/24");
        b = ifcfg_doc_free(b);

        /* The admin's bond file without an address (a bond under a bridge)
         * is left so: nothing moves into a file that is not hnv's. */
        write_text(t.fd, "ifcfg-bondweb", "BONDING_MASTER='yes'\nBOOTPROTO='none'\n");
        write_text(t.fd, "ifcfg-" VF, "BOOTPROTO='static'\nIPADDR='192.0.2.50/24'\n");
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        assert_int_equal(ifcfg_read(t.fd, "bondweb", &b, NULL), 0);
        assert_string_equal(ifcfg_doc_get(b, "BOOTPROTO"), "none");
        assert_null(ifcfg_doc_get(b, "IPADDR"));
        /* ...and on dissolve it keeps what it has: its file stays, and the
         * backup's file, hnv's, goes with nothing given. */
        assert_int_equal(ifcfg_remove_group(t.fd, "bondweb", BACKUP), 1);
        b = ifcfg_doc_free(b);
        assert_int_equal(ifcfg_read(t.fd, "bondweb", &b, NULL), 0);
        assert_int_equal(ifcfg_read(t.fd, BACKUP, &b, NULL), -ENOENT);
        tmpdir_close(&t);
}

/* The boot reconcile forgets a group whose bond is gone (the console
 * removed it while the guest was off): the address the bond's file had
 * from the backup's goes back to the backup, which is still there. */
static void test_prune_gives_back(void **state) {
        static const char *const kept[] = {BACKUP, NULL};
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *routes = NULL, *text = NULL;
        TmpDir t;

        tmpdir_open(&t);
        write_routes_case(&t, &routes);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        /* bondweb's file and the VF's. */
        assert_int_equal(ifcfg_prune(t.fd, keep_listed, (void *)kept), 2);
        assert_null(read_text(t.fd, "ifcfg-bondweb"));
        assert_null(read_text(t.fd, "ifcfg-" VF));
        check_golden(t.fd, "ifcfg-" BACKUP, "ip-static4-giveback.expected");
        text = read_text(t.fd, "ifroute-" BACKUP);
        assert_string_equal(text, routes);
        assert_null(read_text(t.fd, "ifroute-bondweb"));
        assert_int_equal(ifcfg_prune(t.fd, keep_listed, (void *)kept), 0);
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

/* Runs this test program again as a child that saves (or dissolves)
 * group web in dir and is killed at crash point point, as a power cut
 * would kill hnvd there (the point is read once per process, hence a
 * process of its own). */
static void run_killed_at(const char *point, const char *what, const char *dir) {
        int status;
        pid_t pid;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                setenv("HNV_CRASH_POINT", point, 1);
                execl("/proc/self/exe", "test-ifcfg", what, dir, (char *)NULL);
                _exit(127);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
                fail_msg("the child was not killed at %s (status %d)", point, status);
}

static int child_main(const char *what, const char *dir) {
        _cleanup_(group_spec_freep) GroupSpec *g = group_spec_new("web", GROUP_SOURCE_CONFIG);
        _cleanup_(closep) int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (!g || fd < 0)
                return 2;
        if (streq(what, "--child-save"))
                return ifcfg_save_group(fd, g, VF, BACKUP, NULL) < 0 ? 3 : 0;
        if (streq(what, "--child-remove"))
                return ifcfg_remove_group(fd, "bondweb", BACKUP) < 0 ? 3 : 0;
        return 2;
}

/* hnvd killed anywhere in the move: the next run finishes it, with the
 * same files as a move never interrupted, nothing lost, nothing twice. */
static void test_ip_move_crash(void **state) {
        static const char *const points[] = {
                "ifcfg-routes-copied",
                "ifcfg-bond-ip-written", /* between the bond's file and the port's */
                "ifcfg-port-stripped",
        };

        for (size_t i = 0; i < ELEMENTSOF(points); i++) {
                _cleanup_(group_spec_freep) GroupSpec *g = web_group();
                _cleanup_(freep) char *routes = NULL;
                TmpDir t;

                tmpdir_open(&t);
                write_routes_case(&t, &routes);
                run_killed_at(points[i], "--child-save", t.path);
                assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
                check_golden(t.fd, "ifcfg-bondweb", "ip-static4-bond.expected");
                check_golden(t.fd, "ifcfg-" BACKUP, "ip-static4-port.expected");
                check_golden(t.fd, "ifcfg-" VF, "new-port.expected");
                check_golden(t.fd, "ifroute-bondweb", "ip-routes-bond.expected");
                assert_null(read_text(t.fd, "ifroute-" BACKUP));
                check_no_temporaries(t.fd);
                assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 0);
                tmpdir_close(&t);
        }
}

/* hnvd killed after the port got the configuration back but before the
 * bond's files went: the next try gives back the same, once. */
static void test_ip_give_back_crash(void **state) {
        _cleanup_(group_spec_freep) GroupSpec *g = web_group();
        _cleanup_(freep) char *routes = NULL, *text = NULL;
        TmpDir t;

        tmpdir_open(&t);
        write_routes_case(&t, &routes);
        assert_int_equal(ifcfg_save_group(t.fd, g, VF, BACKUP, NULL), 1);
        run_killed_at("ifcfg-given-back", "--child-remove", t.path);
        check_golden(t.fd, "ifcfg-" BACKUP, "ip-static4-giveback.expected");
        assert_non_null(text = read_text(t.fd, "ifcfg-bondweb"));
        text = mfree(text);

        assert_int_equal(ifcfg_remove_group(t.fd, "bondweb", BACKUP), 2);
        check_golden(t.fd, "ifcfg-" BACKUP, "ip-static4-giveback.expected");
        text = read_text(t.fd, "ifroute-" BACKUP);
        assert_string_equal(text, routes);
        assert_null(read_text(t.fd, "ifroute-bondweb"));
        assert_null(read_text(t.fd, "ifcfg-bondweb"));
        check_no_temporaries(t.fd);
        tmpdir_close(&t);
}

/* ---------------------------------------------------------------------- */
/* commands */

static void test_wicked_argv(void **state) {
        const char *argv[WICKED_ARGV_MAX];

        assert_int_equal(wicked_argv(WICKED_IFUP, "bondweb", argv), 0);
        assert_string_equal(argv[0], "wicked");
        assert_string_equal(argv[1], "ifup");
        assert_string_equal(argv[2], "bondweb");
        assert_null(argv[3]);
        assert_int_equal(wicked_argv(WICKED_IFDOWN, VF, argv), 0);
        assert_string_equal(argv[1], "ifdown");
        assert_int_equal(wicked_argv(WICKED_IFRELOAD, "a b", argv), -EINVAL);
        assert_int_equal(wicked_argv(WICKED_IFRELOAD, "x;reboot", argv), 0);
        assert_string_equal(argv[2], "x;reboot");
        assert_string_equal(argv[1], "ifreload");

        assert_int_equal(wicked_argv(WICKED_IFUP, "-x", argv), -EINVAL);
        assert_int_equal(wicked_argv(WICKED_IFUP, "all", argv), -EINVAL);
        assert_int_equal(wicked_argv(WICKED_IFUP, "", argv), -EINVAL);
        assert_int_equal(wicked_argv(WICKED_IFUP, NULL, argv), -EINVAL);
        assert_int_equal(wicked_argv(WICKED_IFUP, "1234567890123456", argv), -EINVAL);
        assert_int_equal(wicked_argv(_WICKED_VERB_MAX, "eth0", argv), -EINVAL);
        assert_int_equal(wicked_argv(_WICKED_VERB_INVALID, "eth0", argv), -EINVAL);
}

static void test_wicked_run(void **state) {
        _cleanup_(freep) char *old_path = NULL, *log = NULL, *path = NULL, *log_path = NULL;
        TmpDir t;

        old_path = strdup(getenv("PATH") ?: "/usr/bin:/bin");
        assert_non_null(old_path);
        tmpdir_open(&t);

        /* No wicked at all. */
        assert_int_equal(setenv("PATH", t.path, 1), 0);
        assert_int_equal(wicked_run(WICKED_IFUP, "bondweb"), -ENOENT);

        /* One line per call, an argument a field; it reads stdin to show
         * that it gets nothing there. */
        assert_true(asprintf(&log_path, "%s/calls", t.path) > 0);
        assert_int_equal(setenv("FAKE_WICKED_LOG", log_path, 1), 0);
        write_text(t.fd, "wicked",
                   "#!/bin/sh\n"
                   "printf '%s|' \"$@\" >>\"$FAKE_WICKED_LOG\"\n"
                   "printf 'stdin=%s\\n' \"$(cat)\" >>\"$FAKE_WICKED_LOG\"\n"
                   "exit \"${FAKE_WICKED_RC:-0}\"\n");
        assert_int_equal(fchmodat(t.fd, "wicked", 0755, 0), 0);
        assert_true(asprintf(&path, "%s:%s", t.path, old_path) > 0);
        assert_int_equal(setenv("PATH", path, 1), 0);

        assert_int_equal(wicked_run(WICKED_IFUP, "bondweb"), 0);
        assert_int_equal(wicked_run(WICKED_IFDOWN, "x;reboot"), 0);
        assert_int_equal(setenv("FAKE_WICKED_RC", "162", 1), 0);
        assert_int_equal(wicked_run(WICKED_IFRELOAD, VF), 162);
        assert_int_equal(wicked_run(WICKED_IFRELOAD, "-x"), -EINVAL);
        assert_int_equal(unsetenv("FAKE_WICKED_RC"), 0);

        log = read_text(t.fd, "calls");
        assert_non_null(log);
        assert_string_equal(log, "ifup|bondweb|stdin=\n"
                                 "ifdown|x;reboot|stdin=\n"
                                 "ifreload|" VF "|stdin=\n");

        assert_int_equal(setenv("PATH", old_path, 1), 0);
        assert_int_equal(unsetenv("FAKE_WICKED_LOG"), 0);
        tmpdir_close(&t);
}

/* A recording wicked, as tests/integration/wicked-lib.sh installs one:
 * one line per call, then FAKE_WICKED_SLEEP seconds (a hung wicked) and
 * exit FAKE_WICKED_RC. */
static void fake_wicked_install(TmpDir *t, char **ret_old_path) {
        _cleanup_(freep) char *path = NULL, *log_path = NULL;

        *ret_old_path = strdup(getenv("PATH") ?: "/usr/bin:/bin");
        assert_non_null(*ret_old_path);
        write_text(t->fd, "wicked",
                   "#!/bin/sh\n"
                   "echo \"$*\" >>\"$FAKE_WICKED_LOG\"\n"
                   "[ -z \"$FAKE_WICKED_SLEEP\" ] || exec sleep \"$FAKE_WICKED_SLEEP\"\n"
                   "exit \"${FAKE_WICKED_RC:-0}\"\n");
        assert_int_equal(fchmodat(t->fd, "wicked", 0755, 0), 0);
        assert_true(asprintf(&log_path, "%s/calls", t->path) > 0);
        assert_int_equal(setenv("FAKE_WICKED_LOG", log_path, 1), 0);
        assert_true(asprintf(&path, "%s:%s", t->path, *ret_old_path) > 0);
        assert_int_equal(setenv("PATH", path, 1), 0);
}

static void fake_wicked_remove(char *old_path) {
        assert_int_equal(setenv("PATH", old_path, 1), 0);
        assert_int_equal(unsetenv("FAKE_WICKED_LOG"), 0);
        free(old_path);
}

/* Runs the loop until the runner is idle; returns how long it took. */
static uint64_t drain(sd_event *e, WickedRunner *r) {
        uint64_t start = now_usec();

        for (int i = 0; wicked_runner_pending(r) > 0; i++) {
                assert_true(i < 1000);
                assert_true(sd_event_run(e, 100 * 1000) >= 0);
        }
        return now_usec() - start;
}

static void test_wicked_runner(void **state) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(wicked_runner_freep) WickedRunner *r = NULL;
        _cleanup_(freep) char *log = NULL;
        char *old_path;
        TmpDir t;

        tmpdir_open(&t);
        fake_wicked_install(&t, &old_path);
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(wicked_runner_new(&r, e, WICKED_TIMEOUT_USEC), 0);

        /* One queue runs in order; reloads still waiting coalesce, the one
         * running does not (it may have read the files before). */
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFDOWN, VF), 1);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 0);
        assert_int_equal(wicked_runner_pending(r), 2);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "-x"), -EINVAL);
        assert_int_equal(wicked_runner_submit(r, "a b", WICKED_IFRELOAD, "bondweb"), -EINVAL);
        drain(e, r);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 0);
        drain(e, r);
        log = read_text(t.fd, "calls");
        assert_string_equal(log, "ifdown " VF "\nifreload bondweb\nifreload bondweb\nifreload bondweb\n");
        log = mfree(log);
        assert_int_equal(unlinkat(t.fd, "calls", 0), 0);

        /* A failure is logged and the queue goes on. */
        assert_int_equal(setenv("FAKE_WICKED_RC", "3", 1), 0);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFUP, "bondweb"), 1);
        drain(e, r);
        assert_int_equal(unsetenv("FAKE_WICKED_RC"), 0);
        log = read_text(t.fd, "calls");
        assert_string_equal(log, "ifreload bondweb\nifup bondweb\n");
        log = mfree(log);
        assert_int_equal(unlinkat(t.fd, "calls", 0), 0);

        /* A hung wicked is killed at the timeout; it holds up only its own
         * queue: another bond's command runs meanwhile. */
        r = wicked_runner_free(r);
        assert_int_equal(wicked_runner_new(&r, e, 300 * 1000), 0);
        assert_int_equal(setenv("FAKE_WICKED_SLEEP", "30", 1), 0);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(unsetenv("FAKE_WICKED_SLEEP"), 0);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFUP, "bondweb"), 1);
        assert_int_equal(wicked_runner_submit(r, "bondx", WICKED_IFRELOAD, "bondx"), 1);
        for (int i = 0; i < 100 && wicked_runner_pending(r) == 3; i++)
                assert_true(sd_event_run(e, 10 * 1000) >= 0);
        assert_int_equal(wicked_runner_pending(r), 2); /* bondx done, bondweb still hung */
        uint64_t took = drain(e, r);
        assert_true(took < 10ULL * 1000 * 1000);
        log = read_text(t.fd, "calls");
        /* The two queues' first commands run at once and log as they are
         * scheduled; within bondweb's queue the order is fixed. */
        if (!streq(log, "ifreload bondweb\nifreload bondx\nifup bondweb\n"))
                assert_string_equal(log, "ifreload bondx\nifreload bondweb\nifup bondweb\n");
        log = mfree(log);

        /* A wicked that started but cannot be watched (here: SIGCHLD not
         * blocked, which sd-event refuses) must not hold the loop for as
         * long as it runs: it is killed and reaped at once. */
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        assert_int_equal(sigprocmask(SIG_UNBLOCK, &chld, NULL), 0);
        assert_int_equal(setenv("FAKE_WICKED_SLEEP", "30", 1), 0);
        uint64_t start = now_usec();
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_true(now_usec() - start < 5ULL * 1000 * 1000);
        assert_int_equal(wicked_runner_pending(r), 0);
        assert_int_equal(unsetenv("FAKE_WICKED_SLEEP"), 0);
        assert_int_equal(sigprocmask(SIG_BLOCK, &chld, NULL), 0);

        /* No wicked at all: dropped, the loop is not held up. */
        assert_int_equal(setenv("PATH", "/nonexistent", 1), 0);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(wicked_runner_submit(r, "bondweb", WICKED_IFRELOAD, "bondweb"), 1);
        assert_int_equal(wicked_runner_pending(r), 0);

        fake_wicked_remove(old_path);
        tmpdir_close(&t);
}

int main(int argc, char **argv) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_values),
                cmocka_unit_test(test_bad_input),
                cmocka_unit_test(test_set),
                cmocka_unit_test(test_marker),
                cmocka_unit_test(test_module_opts),
                cmocka_unit_test(test_module_opts_names),
                cmocka_unit_test(test_bond_update),
                cmocka_unit_test(test_hcnmgr_recognition),
                cmocka_unit_test(test_golden_new_group),
                cmocka_unit_test(test_golden_admin_bond),
                cmocka_unit_test(test_golden_migration),
                cmocka_unit_test(test_golden_hcnmgr),
                cmocka_unit_test(test_file_errors),
                cmocka_unit_test(test_file_mode_kept),
                cmocka_unit_test(test_prune),
                cmocka_unit_test(test_remove_group),
                cmocka_unit_test(test_ip_keys),
                cmocka_unit_test(test_ip_move_docs),
                cmocka_unit_test(test_routes_rename),
                cmocka_unit_test(test_golden_ip_static4),
                cmocka_unit_test(test_golden_ip_static46),
                cmocka_unit_test(test_golden_ip_dhcp),
                cmocka_unit_test(test_golden_ip_dhcp6),
                cmocka_unit_test(test_golden_ip_routes),
                cmocka_unit_test(test_ip_routes_not_overwritten),
                cmocka_unit_test(test_ip_two_ports),
                cmocka_unit_test(test_ip_late_port),
                cmocka_unit_test(test_prune_gives_back),
                cmocka_unit_test(test_ip_move_crash),
                cmocka_unit_test(test_ip_give_back_crash),
                cmocka_unit_test(test_wicked_argv),
                cmocka_unit_test(test_wicked_run),
                cmocka_unit_test(test_wicked_runner),
        };
        sigset_t mask;

        /* run_killed_at()'s child. */
        if (argc == 3)
                return child_main(argv[1], argv[2]);

        /* sd_event_add_child() wants SIGCHLD blocked, as hnvd's main() does. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        return cmocka_run_group_tests(tests, NULL, NULL);
}
