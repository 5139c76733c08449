/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "ifcfg-bond.h"
#include "ifcfg-files.h"
#include "util.h"

/* Far more than any ifcfg file; a larger one is not what we think it is. */
#define IFCFG_SIZE_MAX (1024 * 1024)

const char *ifcfg_ifname_problem(const char *ifname) {
        if (!ifname || !*ifname)
                return "the name is empty";
        if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
                return "the name is longer than 15 characters";
        if (strchr(ifname, '/'))
                return "the name contains '/'";
        if (streq(ifname, ".") || streq(ifname, ".."))
                return "the name is '.' or '..'";
        if (!ifname_is_valid(ifname))
                return "the name contains ':' or white space";
        return NULL;
}

int ifcfg_file_name(const char *ifname, char ret[static IFCFG_FILENAME_MAX]) {
        if (ifcfg_ifname_problem(ifname))
                return ifname && strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ ? -ENAMETOOLONG : -EINVAL;
        snprintf(ret, IFCFG_FILENAME_MAX, "ifcfg-%s", ifname);
        return 0;
}

/* A file the admin may have replaced by a FIFO or grown without bound
 * must neither hang hnvd nor fill its memory: the files are opened with
 * O_NONBLOCK and read by the shared bounded reader. A device or FIFO is a
 * file hnv cannot read (-EBADMSG), as a malformed one is. */
static int read_all(int fd, const char *name, char **ret, size_t *ret_size) {
        int r = read_fd_bounded(fd, name, IFCFG_SIZE_MAX, ret, ret_size, NULL);
        if (r == -EINVAL || r == -EISDIR)
                return -EBADMSG;
        return r < 0 ? r : 0;
}

int ifcfg_read(int dir_fd, const char *ifname, IfcfgDoc **ret, unsigned *ret_line) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *text = NULL;
        char name[IFCFG_FILENAME_MAX];
        size_t size;
        int r;

        r = ifcfg_file_name(ifname, name);
        if (r < 0)
                return r;
        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        r = read_all(fd, name, &text, &size);
        if (r < 0)
                return r;
        return ifcfg_doc_parse(text, size, ret, ret_line);
}

static int write_all(int fd, const char *p, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += n;
                size -= (size_t)n;
        }
        return 0;
}

/* The longest name written here: "ifroute-" + an interface name + NUL. */
#define FILE_NAME_MAX (sizeof("ifroute-") + IFNAMSIZ)

/* mkstemp() relative to dir_fd. The leading dot keeps wicked, which reads
 * ifcfg-* and ifroute-*, from ever seeing a half-written file; hcnmgr used
 * the same name. */
static int open_temporary(int dir_fd, const char *name, char ret[static FILE_NAME_MAX + 16]) {
        for (unsigned attempt = 0; attempt < 64; attempt++) {
                uint32_t x;
                int fd;

                if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
                        x = (uint32_t)getpid() * 2654435761u + attempt;
                snprintf(ret, FILE_NAME_MAX + 16, ".%s.%08" PRIx32, name, x);
                fd = openat(dir_fd, ret, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd >= 0)
                        return fd;
                if (errno != EEXIST)
                        return negative_errno();
        }
        return -EEXIST;
}

/* Replaces the file name in dir_fd with text, atomically. A file that was
 * there keeps its mode; a new one gets new_mode. */
static int write_file(int dir_fd, const char *name, const char *text, size_t size, mode_t new_mode) {
        _cleanup_(closep) int fd = -EBADF;
        char tmp[FILE_NAME_MAX + 16];
        int r;

        /* A file the admin made keeps its mode (an ifcfg file can hold a
         * password, and 0600 must not become world-readable). */
        struct stat st;
        mode_t mode = new_mode;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISREG(st.st_mode))
                mode = st.st_mode & 07777;

        fd = open_temporary(dir_fd, name, tmp);
        if (fd < 0)
                return fd;
        /* The umask may have taken bits off the mode openat() was given. */
        r = write_all(fd, text, size);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        /* The data must be on disk before the rename makes it the file, or a
         * crash can leave an empty ifcfg file behind a complete rename. */
        if (r >= 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = negative_errno();
        if (r < 0) {
                (void)unlinkat(dir_fd, tmp, 0);
                return r;
        }
        /* And the rename itself survives a crash only once the directory is. */
        if (fsync(dir_fd) < 0)
                return negative_errno();
        return 0;
}

int ifcfg_write(int dir_fd, const char *ifname, const IfcfgDoc *d) {
        _cleanup_(freep) char *text = NULL;
        char name[IFCFG_FILENAME_MAX];
        size_t size;
        int r;

        r = ifcfg_file_name(ifname, name);
        if (r < 0)
                return r;
        r = ifcfg_doc_format(d, &text, &size);
        if (r < 0)
                return r;
        /* A new file is 0644, as wicked's own. */
        return write_file(dir_fd, name, text, size, 0644);
}

/* Writes d unless the file holds these bytes already; 1 when written.
 * *old_text then becomes the new text. */
static int save(int dir_fd, const char *ifname, const IfcfgDoc *d, char **old_text) {
        _cleanup_(freep) char *text = NULL;
        int r;

        r = ifcfg_doc_format(d, &text, NULL);
        if (r < 0)
                return r;
        if (*old_text && streq(*old_text, text))
                return 0;
        r = ifcfg_write(dir_fd, ifname, d);
        if (r < 0)
                return r;
        free(*old_text);
        *old_text = TAKE_PTR(text);
        return 1;
}

/* The existing document and its text, or (NULL, NULL) when there is none. */
static int load(int dir_fd, const char *ifname, IfcfgDoc **ret, char **ret_text) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        int r;

        r = ifcfg_read(dir_fd, ifname, &d, NULL);
        if (r == -ENOENT) {
                *ret = NULL;
                *ret_text = NULL;
                return 0;
        }
        if (r < 0)
                return r;
        r = ifcfg_doc_format(d, ret_text, NULL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

/* A bond's document as hnv is to update it: a new one, or the existing one
 * (an hcnmgr file adopted). */
static int load_bond(int dir_fd, const char *bond, IfcfgDoc **ret, char **ret_text) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        _cleanup_(freep) char *text = NULL;
        int r;

        r = load(dir_fd, bond, &d, &text);
        if (r < 0)
                return r;
        if (!d)
                r = ifcfg_bond_new(&d);
        else if (ifcfg_is_hcnmgr_bond(bond, d))
                /* Adopted: from now on the marker says whose it is, whatever
                 * the options become. */
                r = ifcfg_doc_add_marker(d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        *ret_text = TAKE_PTR(text);
        return 0;
}

int ifcfg_save_bond(int dir_fd, const char *bond, const BondOptions *o, const char *vf, const char *backup,
                    char ***ret_dropped) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        _cleanup_(strv_freep) char **dropped = NULL;
        _cleanup_(freep) char *old_text = NULL;
        int r;

        r = load_bond(dir_fd, bond, &d, &old_text);
        if (r < 0)
                return r;
        r = ifcfg_bond_update(d, o, vf, backup, &dropped);
        if (r < 0)
                return r;
        r = save(dir_fd, bond, d, &old_text);
        if (r < 0)
                return r;
        if (ret_dropped)
                *ret_dropped = TAKE_PTR(dropped);
        return r;
}

int ifcfg_save_port(int dir_fd, const char *ifname) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        _cleanup_(freep) char *old_text = NULL;
        int r;

        r = load(dir_fd, ifname, &d, &old_text);
        if (r < 0)
                return r;
        /* An admin's file for the port is updated but not marked: it was
         * theirs before and stays theirs, so hnv never deletes it. */
        r = d ? ifcfg_port_update(d) : ifcfg_port_new(&d);
        if (r < 0)
                return r;
        return save(dir_fd, ifname, d, &old_text);
}

int ifcfg_route_file_name(const char *ifname, char ret[static IFROUTE_FILENAME_MAX]) {
        if (ifcfg_ifname_problem(ifname))
                return ifname && strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ ? -ENAMETOOLONG : -EINVAL;
        snprintf(ret, IFROUTE_FILENAME_MAX, "ifroute-%s", ifname);
        return 0;
}

/* The text of ifroute-<ifname> and its mode. */
static int read_routes(int dir_fd, const char *ifname, char **ret, size_t *ret_size, mode_t *ret_mode) {
        _cleanup_(closep) int fd = -EBADF;
        char name[IFROUTE_FILENAME_MAX];
        struct stat st;
        int r;

        r = ifcfg_route_file_name(ifname, name);
        if (r < 0)
                return r;
        fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        if (ret_mode) {
                if (fstat(fd, &st) < 0)
                        return negative_errno();
                *ret_mode = st.st_mode & 07777;
        }
        return read_all(fd, name, ret, ret_size);
}

/* Whether text is all that ifroute-<ifname> holds; -ENOENT when there is
 * no such file. */
static int routes_equal(int dir_fd, const char *ifname, const char *text, size_t size) {
        _cleanup_(freep) char *have = NULL;
        size_t have_size;
        int r;

        r = read_routes(dir_fd, ifname, &have, &have_size, NULL);
        if (r < 0)
                return r;
        return have_size == size && memcmp(have, text, size) == 0;
}

int ifcfg_routes_copy(int dir_fd, const char *from, const char *to, bool create) {
        _cleanup_(freep) char *text = NULL, *renamed = NULL;
        char name[IFROUTE_FILENAME_MAX];
        size_t size, renamed_size;
        mode_t mode;
        int r;

        r = ifcfg_route_file_name(to, name);
        if (r < 0)
                return r;
        r = read_routes(dir_fd, from, &text, &size, &mode);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = ifcfg_routes_rename(text, size, from, to, &renamed, &renamed_size);
        if (r < 0)
                return r;

        r = routes_equal(dir_fd, to, renamed, renamed_size);
        if (r == -ENOENT && create) {
                /* With the mode of the file it came from, as an ifcfg
                 * file that is rewritten keeps its own. */
                r = write_file(dir_fd, name, renamed, renamed_size, mode);
                return r < 0 ? r : 1;
        }
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        /* Someone else's routes are never overwritten. */
        return r ? 1 : -EEXIST;
}

int ifcfg_routes_remove(int dir_fd, const char *ifname) {
        char name[IFROUTE_FILENAME_MAX];
        int r;

        r = ifcfg_route_file_name(ifname, name);
        if (r < 0)
                return r;
        if (unlinkat(dir_fd, name, 0) < 0)
                return negative_errno();
        if (fsync(dir_fd) < 0)
                return negative_errno();
        return 0;
}

/* An ifroute file that cannot go along (someone else's routes where they
 * would go, a link, a file wicked could not read either) stays where it is:
 * the IP keys still move, and nothing is lost. Anything else is an error
 * that stops the whole save before a file changed. */
static bool routes_left_alone(int r) {
        return r == -EEXIST || r == -ELOOP || r == -EBADMSG || r == -EFBIG;
}

typedef struct PortFile {
        const char *name;
        IfcfgDoc *doc; /* NULL: none yet */
        char *text;
        bool routes;        /* its ifroute file goes to the bond's */
        bool routes_create; /* ...and may be written there, not only found */
        bool routes_done;   /* the bond's ifroute file has its routes */
} PortFile;

static void port_files_done(PortFile (*p)[2]) {
        for (size_t i = 0; i < 2; i++) {
                ifcfg_doc_free((*p)[i].doc);
                free((*p)[i].text);
        }
}

/* Decides, in memory, what becomes of each port's IP configuration. Only
 * into a bond's file of hnv's own: an admin's bond file without an address
 * may be meant so (a bond under a bridge). */
static int plan_ip(IfcfgDoc *bond, PortFile ports[static 2], bool *ret_moved) {
        int r;

        *ret_moved = false;
        if (!ifcfg_doc_has_marker(bond))
                return 0;
        for (size_t i = 0; i < 2; i++) {
                PortFile *p = &ports[i];

                if (!p->doc)
                        continue;
                if (ifcfg_port_has_ip(p->doc) && !ifcfg_bond_has_ip(bond)) {
                        /* The first port with an address gives it, VF first:
                         * the bond has one address, as the kernel's move of
                         * the addresses gives it. */
                        r = ifcfg_ip_move(p->doc, bond);
                        if (r < 0)
                                return r;
                        *ret_moved = true;
                        p->routes = p->routes_create = true;
                } else if (ifcfg_port_has_ip(p->doc) && ifcfg_ip_moved(p->doc, bond)) {
                        /* A move cut short after the bond's file was
                         * written: the bond has the keys, the port goes on
                         * to lose them. Moving them again would duplicate
                         * them. */
                        r = ifcfg_ip_strip(p->doc);
                        if (r < 0)
                                return r;
                        p->routes = p->routes_create = true;
                } else if (!ifcfg_port_has_ip(p->doc) && ifcfg_bond_has_ip(bond))
                        /* Cut short after the port's file: only the old
                         * routes file may be left to remove. */
                        p->routes = true;
                /* Otherwise a port's address that differs from the bond's
                 * is not hnv's to judge: its file only says 'none', as
                 * ever. */
        }
        return 0;
}

int ifcfg_save_group(int dir_fd, const GroupSpec *g, const char *vf, const char *backup,
                     char ***ret_dropped) {
        _cleanup_(port_files_done) PortFile ports[2] = {{.name = vf}, {.name = backup}};
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *b = NULL;
        _cleanup_(strv_freep) char **dropped = NULL;
        _cleanup_(freep) char *b_text = NULL;
        char bond[IFNAMSIZ];
        bool moved;
        int r, changed = 0;

        if (!g)
                return -EINVAL;
        if (g->bond_name[0])
                memcpy(bond, g->bond_name, sizeof(bond));
        else {
                r = group_default_bond_name(g->name, bond);
                if (r < 0)
                        return r;
        }

        r = load_bond(dir_fd, bond, &b, &b_text);
        if (r < 0)
                return r;
        for (size_t i = 0; i < 2; i++)
                if (ports[i].name) {
                        r = load(dir_fd, ports[i].name, &ports[i].doc, &ports[i].text);
                        if (r < 0)
                                return r;
                }
        r = plan_ip(b, ports, &moved);
        if (r < 0)
                return r;

        /* The order makes the move safe against a crash anywhere: the
         * routes and the keys reach the bond's file before they leave the
         * port's, and a bond's file with the port's keys means "moved" to
         * the next run (plan_ip()). Nothing is lost, nothing is doubled. */
        for (size_t i = 0; i < 2; i++) {
                PortFile *p = &ports[i];

                if (!p->routes)
                        continue;
                r = ifcfg_routes_copy(dir_fd, p->name, bond, p->routes_create);
                if (r < 0 && !routes_left_alone(r))
                        return r;
                p->routes_done = r > 0;
                if (r > 0)
                        crash_point("ifcfg-routes-copied");
        }
        if (moved) {
                /* Only the keys, not yet the ports: see below. */
                r = save(dir_fd, bond, b, &b_text);
                if (r < 0)
                        return r;
                changed |= r;
                crash_point("ifcfg-bond-ip-written");
        }

        /* Then the ports: once the bond names a port, wicked may act on it,
         * and it should find the port's own file already saying "no IP". */
        for (size_t i = 0; i < 2; i++) {
                PortFile *p = &ports[i];

                if (!p->name)
                        continue;
                /* An admin's file for the port is updated but not marked: it
                 * was theirs before and stays theirs, so hnv never deletes
                 * it. */
                r = p->doc ? ifcfg_port_update(p->doc) : ifcfg_port_new(&p->doc);
                if (r < 0)
                        return r;
                r = save(dir_fd, p->name, p->doc, &p->text);
                if (r < 0)
                        return r;
                changed |= r;
                if (p->routes_done) {
                        crash_point("ifcfg-port-stripped");
                        r = ifcfg_routes_remove(dir_fd, p->name);
                        if (r < 0 && r != -ENOENT)
                                return r;
                        if (r >= 0)
                                changed = 1;
                }
        }

        r = ifcfg_bond_update(b, &g->options, vf, backup, &dropped);
        if (r < 0)
                return r;
        r = save(dir_fd, bond, b, &b_text);
        if (r < 0)
                return r;
        changed |= r;

        for (char **name = dropped; name && *name; name++) {
                r = ifcfg_remove(dir_fd, *name);
                /* Not ours, already gone, or a name no file can have: all
                 * fine for a port the bond no longer lists. */
                if (r < 0 && r != -EPERM && r != -ENOENT && r != -EINVAL && r != -ENAMETOOLONG)
                        return r;
                if (r >= 0)
                        changed = 1;
        }
        if (ret_dropped)
                *ret_dropped = TAKE_PTR(dropped);
        return changed;
}

/* Whether hnv may change or delete d: it made it, or hcnmgr made it. */
static bool ours(const char *ifname, const IfcfgDoc *d) {
        return ifcfg_doc_has_marker(d) || ifcfg_is_hcnmgr_bond(ifname, d);
}

int ifcfg_remove(int dir_fd, const char *ifname) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        char name[IFCFG_FILENAME_MAX];
        int r;

        r = ifcfg_file_name(ifname, name);
        if (r < 0)
                return r;
        r = ifcfg_read(dir_fd, ifname, &d, NULL);
        if (r < 0)
                return r;
        if (!ours(ifname, d))
                return -EPERM;
        if (unlinkat(dir_fd, name, 0) < 0)
                return negative_errno();
        return 0;
}

/* Hands the bond's IP configuration and routes to keep. The port's file
 * is written before the bond's goes (ifcfg_remove_group()): a crash in
 * between leaves the keys in both, never in neither, and doing it again
 * gives the same file. */
static int give_back(int dir_fd, const char *bond, const IfcfgDoc *b, const char *keep) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *k = NULL;
        _cleanup_(freep) char *k_text = NULL;
        int r, routes;

        r = load(dir_fd, keep, &k, &k_text);
        if (r < 0)
                return r;
        if (!k) {
                /* Someone deleted it: the port that now has the addresses
                 * needs a file that brings it up at boot. */
                k = ifcfg_doc_new();
                if (!k)
                        return -ENOMEM;
                r = ifcfg_doc_set(k, "STARTMODE", "auto");
                if (r < 0)
                        return r;
        }

        routes = ifcfg_routes_copy(dir_fd, bond, keep, true);
        if (routes < 0 && !routes_left_alone(routes))
                return routes;

        r = ifcfg_ip_give_back(b, k);
        if (r < 0)
                return r;
        /* A file of hnv's that now holds the guest's addresses is the
         * admin's from here on: hnv must never delete it. */
        r = ifcfg_doc_remove_marker(k);
        if (r < 0)
                return r;
        r = save(dir_fd, keep, k, &k_text);
        if (r < 0)
                return r;
        crash_point("ifcfg-given-back");

        if (routes > 0) {
                r = ifcfg_routes_remove(dir_fd, bond);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

int ifcfg_remove_group(int dir_fd, const char *bond, const char *keep) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        const char *key, *value;
        int r, n = 0;

        r = ifcfg_read(dir_fd, bond, &d, NULL);
        if (r < 0)
                return r;
        /* Only from a file hnv is about to delete: an admin's bond file
         * keeps its addresses, as it keeps everything else. */
        if (keep && ours(bond, d) && ifcfg_bond_has_ip(d)) {
                r = give_back(dir_fd, bond, d, keep);
                if (r < 0)
                        return r;
        }
        /* The ports' files first: a bond file left behind by a failure
         * still names them, and a second try finds them again. The port
         * that was given the addresses is no longer hnv's to delete. */
        for (int i = 0; (i = ifcfg_doc_find_prefix(d, (size_t)i, "BONDING_SLAVE", &key, &value)) >= 0; i++) {
                r = ifcfg_remove(dir_fd, value);
                if (r >= 0)
                        n++;
                else if (r != -EPERM && r != -ENOENT && r != -EINVAL && r != -ENAMETOOLONG)
                        return r;
        }
        r = ifcfg_remove(dir_fd, bond);
        if (r < 0 && r != -EPERM)
                return r;
        return r >= 0 ? n + 1 : n;
}

/* The interface names of the ifcfg-* files in the directory; read in full
 * before anything changes, as readdir() may skip or repeat entries of a
 * directory that changes under it. */
static int list_names(int dir_fd, char ***ret) {
        _cleanup_(strv_freep) char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        DIR *dir;
        int fd, r = 0;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        dir = fdopendir(fd);
        if (!dir) {
                r = negative_errno();
                close(fd);
                return r;
        }
        while ((de = readdir(dir))) {
                const char *ifname = de->d_name + strlen("ifcfg-");

                if (strncmp(de->d_name, "ifcfg-", strlen("ifcfg-")) != 0 || ifcfg_ifname_problem(ifname))
                        continue;
                r = ifcfg_strv_push(&names, &n, ifname);
                if (r < 0)
                        break;
        }
        closedir(dir);
        if (r < 0)
                return r;
        if (!names) {
                names = calloc(1, sizeof(char *));
                if (!names)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(names);
        return 0;
}

/* Drops the entries of a kept bond's file that name ports not kept. */
static int prune_bond(int dir_fd, const char *bond, IfcfgDoc *d,
                      bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        _cleanup_(strv_freep) char **gone = NULL;
        const char *key, *value;
        size_t n_gone = 0;
        int r, n = 0;

        /* Names first: dropping one changes the document's lines. */
        for (int i = 0; (i = ifcfg_doc_find_prefix(d, (size_t)i, "BONDING_SLAVE", &key, &value)) >= 0; i++)
                if (!keep(value, userdata)) {
                        r = ifcfg_strv_push(&gone, &n_gone, value);
                        if (r < 0)
                                return r;
                }
        for (size_t j = 0; j < n_gone; j++) {
                r = ifcfg_bond_drop_port(d, gone[j]);
                if (r < 0)
                        return r;
                n += r;
        }
        if (n == 0)
                return 0;
        /* An hcnmgr file that hnv changes is hnv's from now on. */
        r = ifcfg_doc_add_marker(d);
        if (r < 0)
                return r;
        r = ifcfg_write(dir_fd, bond, d);
        return r < 0 ? r : n;
}

/* A bond pruned with IP configuration in its file gives it to the last
 * port it names that is kept (the backup: hnv and hcnmgr list the VF
 * first), as dissolving it would. Otherwise an address that came from a
 * port's file would be gone at the next boot with the group. */
static int prune_give_back(int dir_fd, const char *bond, const IfcfgDoc *d,
                           bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        const char *key, *value, *to = NULL;

        for (int i = 0; (i = ifcfg_doc_find_prefix(d, (size_t)i, "BONDING_SLAVE", &key, &value)) >= 0; i++)
                if (!ifcfg_ifname_problem(value) && keep(value, userdata))
                        to = value;
        return to ? give_back(dir_fd, bond, d, to) : 0;
}

int ifcfg_prune(int dir_fd, bool (*keep)(const char *ifname, void *userdata), void *userdata) {
        _cleanup_(strv_freep) char **names = NULL;
        int r, n = 0;

        if (!keep)
                return -EINVAL;
        r = list_names(dir_fd, &names);
        if (r < 0)
                return r;
        for (char **name = names; *name; name++) {
                _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
                char file[IFCFG_FILENAME_MAX];

                /* What cannot be read as wicked reads it (or is a link) is
                 * not hnv's to judge: left alone. */
                if (ifcfg_read(dir_fd, *name, &d, NULL) < 0 || !ours(*name, d))
                        continue;
                if (!keep(*name, userdata)) {
                        if (ifcfg_is_bond(d) && ifcfg_bond_has_ip(d)) {
                                r = prune_give_back(dir_fd, *name, d, keep, userdata);
                                if (r < 0)
                                        return r;
                        }
                        r = ifcfg_file_name(*name, file);
                        if (r < 0)
                                return r;
                        if (unlinkat(dir_fd, file, 0) < 0 && errno != ENOENT)
                                return negative_errno();
                        n++;
                        continue;
                }
                if (!ifcfg_is_bond(d))
                        continue;
                r = prune_bond(dir_fd, *name, d, keep, userdata);
                if (r < 0)
                        return r;
                n += r;
        }
        return n;
}
