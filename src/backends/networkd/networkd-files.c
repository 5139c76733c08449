/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "networkd-files.h"
#include "util.h"

static const char *const fail_over_mac_words[_FAIL_OVER_MAC_MAX] = {
        [FAIL_OVER_MAC_NONE] = "none",
        [FAIL_OVER_MAC_ACTIVE] = "active",
        [FAIL_OVER_MAC_FOLLOW] = "follow",
};

static int finish(FILE *f, char **buf, char **ret) {
        bool bad = ferror(f);

        if (fclose(f) != 0 || bad) {
                free(*buf);
                return -ENOMEM;
        }
        *ret = *buf;
        return 0;
}

/* A file of hnv's for bond, in memory: the marker lines first. NULL when
 * out of memory. */
static FILE *begin(char **buf, size_t *size, const char *bond) {
        FILE *f = open_memstream(buf, size);

        if (!f)
                return NULL;
        fprintf(f, "%s\n%s%s\n", HNV_NETWORKD_MARKER, HNV_NETWORKD_BOND_KEY, bond);
        return f;
}

int networkd_netdev_text(const char *bond, const BondOptions *o, char **ret) {
        char *buf = NULL;
        size_t size;
        FILE *f;

        if (!ifname_is_valid(bond) || o->fail_over_mac >= _FAIL_OVER_MAC_MAX)
                return -EINVAL;
        f = begin(&buf, &size, bond);
        if (!f)
                return -ENOMEM;
        fprintf(f, "\n[NetDev]\nName=%s\nKind=bond\n", bond);
        if (o->mtu > 0)
                fprintf(f, "MTUBytes=%" PRIu32 "\n", o->mtu);
        /* PrimaryReselectPolicy=always: the VF takes over again as soon as
         * it is back, which is what hnvd asks the kernel for too. */
        fprintf(f, "\n[Bond]\nMode=active-backup\nPrimaryReselectPolicy=always\nFailOverMACPolicy=%s\n",
                fail_over_mac_words[o->fail_over_mac]);
        fprintf(f, "MIIMonitorSec=%" PRIu32 "ms\n", o->miimon_ms);
        if (o->updelay_ms > 0)
                fprintf(f, "UpDelaySec=%" PRIu32 "ms\n", o->updelay_ms);
        if (o->downdelay_ms > 0)
                fprintf(f, "DownDelaySec=%" PRIu32 "ms\n", o->downdelay_ms);
        fprintf(f, "GratuitousARP=%u\n", (unsigned)o->num_peer_notif);
        if (o->peer_notif_delay_ms > 0)
                fprintf(f, "PeerNotifyDelaySec=%" PRIu32 "ms\n", o->peer_notif_delay_ms);
        return finish(f, &buf, ret);
}

int networkd_port_text(const char *port, const char *bond, bool primary, char **ret) {
        char *buf = NULL;
        size_t size;
        FILE *f;

        if (!ifname_is_valid(port) || !ifname_is_valid(bond))
                return -EINVAL;
        f = begin(&buf, &size, bond);
        if (!f)
                return -ENOMEM;
        /* By name: hnvd writes the file again whenever the port in the
         * bond changes, a VF renamed by a migration included. No address,
         * no DHCP and no IPv6 link-local address on a port: they belong
         * to the bond. */
        fprintf(f, "\n[Match]\nName=%s\n\n[Network]\nBond=%s\n", port, bond);
        if (primary)
                fprintf(f, "PrimarySlave=yes\n");
        fprintf(f, "LinkLocalAddressing=no\nIPv6AcceptRA=no\n");
        return finish(f, &buf, ret);
}

int networkd_port_left_text(const char *port, const char *bond, char **ret) {
        char *buf = NULL;
        size_t size;
        FILE *f;

        if (!ifname_is_valid(port) || !ifname_is_valid(bond))
                return -EINVAL;
        f = begin(&buf, &size, bond);
        if (!f)
                return -ENOMEM;
        fprintf(f, "\n[Match]\nName=%s\n\n[Link]\nUnmanaged=yes\n", port);
        return finish(f, &buf, ret);
}

static const char *const ip_sections[] = {
        "Network", "Address", "Route", "DHCP", "DHCPv4", "DHCPv6", "IPv6AcceptRA", "RoutingPolicyRule",
};

static const char *const port_keys[] = {
        "Bond", "Bridge", "VRF", "PrimarySlave", "ActiveSlave",
};

static bool in_list(const char *s, size_t n, const char *const *list, size_t count) {
        for (size_t i = 0; i < count; i++)
                if (strlen(list[i]) == n && strncmp(s, list[i], n) == 0)
                        return true;
        return false;
}

/* A line's key, leading blanks skipped: its start and length, 0 when the
 * line is blank, a comment or a section header. */
static size_t line_key(const char *line, size_t len, const char **ret) {
        size_t i = 0, n;

        while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
        if (i == len || line[i] == '#' || line[i] == ';' || line[i] == '[')
                return 0;
        n = i;
        while (n < len && line[n] != '=' && line[n] != ' ' && line[n] != '\t')
                n++;
        *ret = line + i;
        return n - i;
}

/* Copies the IP sections of text to f, line by line, as they are (their
 * comments too), and says whether any key was copied. A section that
 * appears twice is copied twice: [Address] and [Route] are repeated to
 * give several. */
static bool copy_ip(FILE *f, const char *text) {
        bool copying = false, any = false;
        const char *p = text;

        while (*p) {
                const char *eol = strchr(p, '\n'), *key;
                size_t len = eol ? (size_t)(eol - p) : strlen(p), klen, i = 0;

                while (i < len && (p[i] == ' ' || p[i] == '\t'))
                        i++;
                if (i < len && p[i] == '[') {
                        const char *close = memchr(p + i, ']', len - i);
                        copying = close && in_list(p + i + 1, (size_t)(close - p - i - 1), ip_sections,
                                                   ELEMENTSOF(ip_sections));
                        if (copying)
                                fprintf(f, "\n%.*s\n", (int)len, p);
                } else if (copying) {
                        klen = line_key(p, len, &key);
                        if (klen > 0 && in_list(key, klen, port_keys, ELEMENTSOF(port_keys)))
                                ; /* the port's, not the bond's */
                        else if (klen > 0 || (i < len && (p[i] == '#' || p[i] == ';'))) {
                                fprintf(f, "%.*s\n", (int)len, p);
                                any = any || klen > 0;
                        }
                }
                p += len + (eol ? 1 : 0);
        }
        return any;
}

int networkd_bond_network_text(const char *bond, const char *admin_network, char **ret) {
        char *buf = NULL;
        size_t size;
        FILE *f;

        if (!ifname_is_valid(bond))
                return -EINVAL;
        f = begin(&buf, &size, bond);
        if (!f)
                return -ENOMEM;
        fprintf(f, "\n[Match]\nName=%s\n", bond);
        if (!admin_network || !copy_ip(f, admin_network))
                /* Said in the file, since nothing else says it after a
                 * reboot: hnvd found no IP configuration to move. */
                fprintf(f,
                        "\n# No IP configuration was found for a port; add yours here or in an\n"
                        "# earlier file matching Name=%s.\n",
                        bond);
        return finish(f, &buf, ret);
}

bool networkd_text_has_ip(const char *text) {
        /* The copy (and nothing else) puts a section header after [Match]. */
        const char *match = text ? strstr(text, "[Match]") : NULL;
        return match && strchr(match + 1, '[');
}

/* ---- files ------------------------------------------------------------ */

int networkd_read_text(int dir_fd, const char *path, char **ret) {
        _cleanup_(closep) int fd = -EBADF;
        size_t size;
        int r;

        /* O_NONBLOCK: a FIFO in networkd's directory must not hang hnvd;
         * the bounded reader then refuses it. */
        fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        r = read_fd_bounded(fd, path, NETWORKD_FILE_MAX, ret, &size, NULL);
        return r < 0 ? r : 0;
}

static int file_name(const char *ifname, const char *suffix, char ret[static NETWORKD_FILENAME_MAX]) {
        if (!ifname_is_valid(ifname))
                return -EINVAL;
        snprintf(ret, NETWORKD_FILENAME_MAX, HNV_NETWORKD_PREFIX "%s%s", ifname, suffix);
        return 0;
}

int networkd_file_bond(int dir_fd, const char *name, char ret[static IFNAMSIZ]) {
        _cleanup_(freep) char *text = NULL;
        const char *p;
        size_t n;
        int k;

        k = networkd_read_text(dir_fd, name, &text);
        if (k < 0)
                return k;
        p = startswith(text, HNV_NETWORKD_MARKER "\n" HNV_NETWORKD_BOND_KEY);
        if (!p)
                return -ENOENT;
        n = strcspn(p, "\n");
        if (n == 0 || n >= IFNAMSIZ)
                return -ENOENT;
        memcpy(ret, p, n);
        ret[n] = '\0';
        return ifname_is_valid(ret) ? 0 : -ENOENT;
}

/* Replaces name with text, atomically (written under a dot name, which
 * networkd does not read, synced, renamed). 1: written, 0: it was so. */
static int write_text(int dir_fd, const char *name, const char *text) {
        _cleanup_(freep) char *old = NULL;
        _cleanup_(closep) int fd = -EBADF;
        char tmp[NETWORKD_FILENAME_MAX + 16];
        size_t size = strlen(text), done = 0;
        int k;

        if (networkd_read_text(dir_fd, name, &old) >= 0 && streq(old, text))
                return 0;
        for (unsigned attempt = 0; fd < 0 && attempt < 64; attempt++) {
                uint32_t x;
                if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
                        x = (uint32_t)getpid() * 2654435761u + attempt;
                snprintf(tmp, sizeof(tmp), ".%s.%08" PRIx32, name, x);
                fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0 && errno != EEXIST)
                        return negative_errno();
        }
        if (fd < 0)
                return -EEXIST;
        k = 0;
        while (k >= 0 && done < size) {
                ssize_t n = write(fd, text + done, size - done);
                if (n < 0 && errno != EINTR)
                        k = negative_errno();
                else if (n > 0)
                        done += (size_t)n;
        }
        /* networkd is a reader that must see a whole file, before and
         * after a crash. */
        if (k >= 0 && fchmod(fd, 0644) < 0)
                k = negative_errno();
        if (k >= 0 && fsync(fd) < 0)
                k = negative_errno();
        if (k >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                k = negative_errno();
        if (k < 0) {
                (void)unlinkat(dir_fd, tmp, 0);
                return k;
        }
        (void)fsync(dir_fd);
        return 1;
}

/* Deletes name if it is hnv's file of bond (any bond: NULL). 1: deleted. */
static int remove_ours(int dir_fd, const char *name, const char *bond) {
        char owner[IFNAMSIZ];

        if (networkd_file_bond(dir_fd, name, owner) < 0 || (bond && !streq(owner, bond)))
                return 0;
        if (unlinkat(dir_fd, name, 0) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return 1;
}

typedef struct OurFile {
        char name[256];
        char bond[IFNAMSIZ];
        char ifname[IFNAMSIZ]; /* the link its name is for */
} OurFile;

/* hnv's files in the directory. */
static int list_ours(int dir_fd, OurFile **ret, size_t *ret_n) {
        _cleanup_(closep) int fd = -EBADF;
        OurFile *files = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *d;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        fd = -EBADF;
        while ((de = readdir(d))) {
                const char *rest = startswith(de->d_name, HNV_NETWORKD_PREFIX), *dot;
                OurFile f = {};

                if (!rest || !(dot = strrchr(rest, '.')) ||
                    (!streq(dot, ".network") && !streq(dot, ".netdev")) ||
                    (size_t)(dot - rest) >= IFNAMSIZ || strlen(de->d_name) >= sizeof(f.name))
                        continue;
                memcpy(f.ifname, rest, (size_t)(dot - rest));
                strscpy_strict(f.name, sizeof(f.name), de->d_name);
                if (networkd_file_bond(dir_fd, f.name, f.bond) < 0)
                        continue;
                OurFile *more = reallocarray(files, n + 1, sizeof(*files));
                if (!more) {
                        free(files);
                        closedir(d);
                        return -ENOMEM;
                }
                files = more;
                files[n++] = f;
        }
        closedir(d);
        *ret = files;
        *ret_n = n;
        return 0;
}

int networkd_save_group(int dir_fd, const GroupSpec *g, const char *vf, const char *backup,
                        const char *admin_network) {
        const char *bond = g->bond_name;
        char name[NETWORKD_FILENAME_MAX];
        _cleanup_(freep) OurFile *files = NULL;
        bool changed = false;
        size_t n;
        int k;

        /* The bond's .network first: networkd must never see the ports
         * taken from their own files with no file for the bond. It is
         * written once, with the IP configuration found then, and left as
         * it is afterwards (an admin may edit it). */
        k = file_name(bond, ".network", name);
        if (k < 0)
                return k;
        if (faccessat(dir_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                _cleanup_(freep) char *text = NULL;
                if (errno != ENOENT)
                        return negative_errno();
                k = networkd_bond_network_text(bond, admin_network, &text);
                if (k >= 0)
                        k = write_text(dir_fd, name, text);
                if (k < 0)
                        return k;
                changed = true;
        }

        {
                _cleanup_(freep) char *text = NULL;
                k = networkd_netdev_text(bond, &g->options, &text);
                if (k >= 0)
                        k = file_name(bond, ".netdev", name);
                if (k >= 0)
                        k = write_text(dir_fd, name, text);
                if (k < 0)
                        return k;
                changed = changed || k > 0;
        }

        for (int i = 0; i < 2; i++) {
                const char *port = i == 0 ? vf : backup;
                _cleanup_(freep) char *text = NULL;
                if (!port)
                        continue;
                k = networkd_port_text(port, bond, i == 0, &text);
                if (k >= 0)
                        k = file_name(port, ".network", name);
                if (k >= 0)
                        k = write_text(dir_fd, name, text);
                if (k < 0)
                        return k;
                changed = changed || k > 0;
        }

        /* A port of this bond that left it (the VF released before a
         * migration) keeps a file, one that tells networkd to leave it
         * alone: without it the admin's file, which still matches the VF,
         * would give it the bond's address or run DHCP on it with the
         * bond's MAC. It goes with the group, or when the port is gone
         * (prune). */
        k = list_ours(dir_fd, &files, &n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) char *text = NULL;
                if (!streq(files[i].bond, bond) || streq(files[i].ifname, bond) ||
                    streq_ptr(files[i].ifname, vf) || streq_ptr(files[i].ifname, backup))
                        continue;
                k = networkd_port_left_text(files[i].ifname, bond, &text);
                if (k >= 0)
                        k = write_text(dir_fd, files[i].name, text);
                if (k < 0)
                        return k;
                changed = changed || k > 0;
        }
        return changed;
}

int networkd_remove_group(int dir_fd, const char *bond) {
        _cleanup_(freep) OurFile *files = NULL;
        size_t n;
        int k, removed = 0;

        k = list_ours(dir_fd, &files, &n);
        if (k < 0)
                return k;
        /* The ports' files first: until they go, networkd still puts the
         * ports into a bond it is told about. */
        for (int bond_pass = 0; bond_pass < 2; bond_pass++)
                for (size_t i = 0; i < n; i++) {
                        if (!streq(files[i].bond, bond) || streq(files[i].ifname, bond) != (bond_pass == 1))
                                continue;
                        k = remove_ours(dir_fd, files[i].name, bond);
                        if (k < 0)
                                return k;
                        removed += k;
                }
        return removed;
}

int networkd_prune(int dir_fd, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        _cleanup_(freep) OurFile *files = NULL;
        size_t n;
        int k, removed = 0;

        k = list_ours(dir_fd, &files, &n);
        if (k < 0)
                return k;
        for (size_t i = 0; i < n; i++) {
                if (keep(files[i].bond, userdata) && keep(files[i].ifname, userdata))
                        continue;
                k = remove_ours(dir_fd, files[i].name, files[i].bond);
                if (k < 0)
                        return k;
                removed += k;
        }
        return removed;
}
