/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "devicetree.h"

#define PROP_HCN_ID    "ibm,hcn-id"
#define PROP_HCN_MODE  "ibm,hcn-mode"
#define PROP_DRC_INDEX "ibm,my-drc-index"
#define PROP_LOC_CODE  "ibm,loc-code"

/* Location codes are about 30 characters; anything near this is not one. */
#define PROP_STRING_MAX 256

static const char *const dt_node_kind_table[_DT_NODE_KIND_MAX] = {
        [DT_NODE_VF] = "vf",
        [DT_NODE_VNIC] = "vnic",
        [DT_NODE_LLAN] = "l-lan",
};

const char *dt_node_kind_to_string(DtNodeKind k) {
        if (k < 0 || (size_t)k >= ELEMENTSOF(dt_node_kind_table))
                return NULL;
        return dt_node_kind_table[k];
}

static void dt_entry_done(DtEntry *e) {
        free(e->devspec);
        free(e->loc_code);
        *e = (DtEntry){};
}

static void dt_rejected_done(DtRejected *r) {
        free(r->devspec);
        free(r->why);
        *r = (DtRejected){};
}

DtTable *dt_table_free(DtTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_entries; i++)
                dt_entry_done(&t->entries[i]);
        free(t->entries);
        for (size_t i = 0; i < t->n_rejected; i++)
                dt_rejected_done(&t->rejected[i]);
        free(t->rejected);
        return mfree(t);
}

/* Where nodes of each kind sit: hcnmgr's globs, one directory level each,
 * so that hnv and hcnmgr agree on which nodes are HNV devices. */
typedef struct NodePattern {
        const char *parent; /* NULL: each directory below the root matching parent_glob */
        const char *parent_glob;
        const char *glob;
        DtNodeKind kind;
} NodePattern;

static const NodePattern node_patterns[] = {
        {NULL, "pci*", "ethernet*", DT_NODE_VF},
        {"/vdevice", NULL, "vnic*", DT_NODE_VNIC},
        {"/vdevice", NULL, "l-lan*", DT_NODE_LLAN},
};

typedef struct Candidate {
        char *devspec;
        DtNodeKind kind;
} Candidate;

typedef struct Scan {
        int root_fd;
        dt_problem_cb on_problem;
        void *userdata;
        Candidate *candidates;
        size_t n_candidates;
        DtEntry *entries;
        size_t n_entries;
        DtRejected *rejected;
        size_t n_rejected;
        /* The last problem's text: a node left out keeps it as its reason. */
        char *last_problem;
} Scan;

static void scan_done(Scan *s) {
        for (size_t i = 0; i < s->n_candidates; i++)
                free(s->candidates[i].devspec);
        free(s->candidates);
        for (size_t i = 0; i < s->n_entries; i++)
                dt_entry_done(&s->entries[i]);
        free(s->entries);
        for (size_t i = 0; i < s->n_rejected; i++)
                dt_rejected_done(&s->rejected[i]);
        free(s->rejected);
        closep(&s->root_fd);
}

_printf_(3, 4) static void problem(const Scan *s, const char *devspec, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(s->last_problem, DT_PROBLEM_MAX, fmt, ap);
        va_end(ap);
        if (s->on_problem)
                s->on_problem(devspec, s->last_problem, s->userdata);
}

/* Node paths are devspecs ("/vdevice/l-lan@30000002", "" for the root);
 * the root fd wants them relative. */
static int open_node(const Scan *s, const char *devspec) {
        return openat(s->root_fd, devspec[0] ? devspec + 1 : ".",
                      O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

static bool entry_is_dir(int dir_fd, const struct dirent *de) {
        struct stat st;

        if (de->d_type != DT_UNKNOWN)
                return de->d_type == DT_DIR;
        return fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode);
}

typedef int (*subdir_fn)(Scan *s, const char *devspec, const NodePattern *p);

/* Calls fn with the devspec of each subdirectory of node whose name matches
 * glob. A missing node has none. Order is the file system's: the caller
 * sorts. */
static int for_each_subdir(Scan *s, const char *node, const char *glob, subdir_fn fn, const NodePattern *p) {
        DIR *d;
        int fd, r = 0;

        fd = open_node(s, node);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }

        for (;;) {
                _cleanup_(freep) char *devspec = NULL;
                struct dirent *de;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        r = errno > 0 ? -errno : 0;
                        break;
                }
                if (de->d_name[0] == '.' || fnmatch(glob, de->d_name, 0) != 0 || !entry_is_dir(fd, de))
                        continue;
                if (asprintf(&devspec, "%s/%s", node, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                r = fn(s, devspec, p);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

static int add_candidate(Scan *s, const char *devspec, const NodePattern *p) {
        Candidate *c;
        char *copy;

        copy = strdup(devspec);
        if (!copy)
                return -ENOMEM;
        c = reallocarray(s->candidates, s->n_candidates + 1, sizeof(Candidate));
        if (!c) {
                free(copy);
                return -ENOMEM;
        }
        s->candidates = c;
        s->candidates[s->n_candidates++] = (Candidate){.devspec = copy, .kind = p->kind};
        return 0;
}

/* One unreadable bridge or vdevice node costs its children, not the scan. */
static int add_children(Scan *s, const char *devspec, const NodePattern *p) {
        int r;

        r = for_each_subdir(s, devspec, p->glob, add_candidate, p);
        if (r < 0 && r != -ENOMEM) {
                problem(s, devspec, "cannot list: %s: its %s nodes are left out", strerror(-r), p->glob);
                r = 0;
        }
        return r;
}

static int list_candidates(Scan *s) {
        for (size_t i = 0; i < ELEMENTSOF(node_patterns); i++) {
                const NodePattern *p = &node_patterns[i];
                int r;

                if (p->parent)
                        r = add_children(s, p->parent, p);
                else
                        r = for_each_subdir(s, "", p->parent_glob, add_children, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What read_property()'s error means, for a problem's text. */
static const char *property_error(int r) {
        return r == -EBADFD ? "not a regular file" : strerror(-r);
}

/* Reads one property file. Returns -ENOENT when the node has no such
 * property, -EFBIG when it holds more than size bytes, -EBADFD when it is
 * no regular file. */
static int read_property(int node_fd, const char *name, uint8_t *buf, size_t size, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;
        size_t n = 0;

        /* O_NONBLOCK and a regular file only: the tree the scan is pointed
         * at is a directory like any other, and a FIFO there must not hang
         * hnvd (the kernel's properties are regular files). */
        fd = openat(node_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;

        for (;;) {
                uint8_t extra;
                ssize_t k;

                /* One byte past the buffer tells "full" from "too long". */
                if (n < size)
                        k = read(fd, buf + n, size - n);
                else
                        k = read(fd, &extra, 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                if (n >= size)
                        return -EFBIG;
                n += (size_t)k;
        }
        *ret_size = n;
        return 0;
}

/* A 4-byte big-endian cell, as ibm,hcn-id and ibm,my-drc-index are.
 * Returns 1 and the value, 0 when absent, <0 when unusable, which is
 * reported as "<where><name> <what is wrong>: <outcome>". */
static int read_u32(const Scan *s, const char *devspec, int node_fd, const char *where, const char *name,
                    const char *outcome, uint32_t *ret) {
        uint8_t buf[16];
        size_t n = 0;
        int r;

        r = read_property(node_fd, name, buf, sizeof(buf), &n);
        if (r == -ENOENT)
                return 0;
        if (r == -EFBIG)
                problem(s, devspec, "%s%s has more than %zu bytes, not 4: %s", where, name, sizeof(buf),
                        outcome);
        else if (r < 0)
                problem(s, devspec, "%s%s cannot be read (%s): %s", where, name, property_error(r), outcome);
        else if (dt_prop_u32(buf, n, ret) < 0) {
                problem(s, devspec, "%s%s has %zu bytes, not 4: %s", where, name, n, outcome);
                r = -EBADMSG;
        }
        return r < 0 ? r : 1;
}

int dt_prop_u32(const uint8_t *buf, size_t n, uint32_t *ret) {
        if (n != 4)
                return -EBADMSG;
        *ret = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
        return 0;
}

int dt_prop_string(char *buf, size_t n) {
        if (n > 0 && buf[n - 1] == '\0')
                n--;
        buf[n] = '\0';
        for (size_t i = 0; i < n; i++)
                if (buf[i] < 0x20 || buf[i] > 0x7e)
                        return -EBADMSG;
        return 0;
}

/* A device-tree string (dt_prop_string()). Returns as read_u32(). */
static int read_string(const Scan *s, const char *devspec, int node_fd, const char *name,
                       const char *outcome, char ret[static PROP_STRING_MAX + 1]) {
        size_t n = 0;
        int r;

        r = read_property(node_fd, name, (uint8_t *)ret, PROP_STRING_MAX, &n);
        if (r == -ENOENT)
                return 0;
        if (r == -EFBIG)
                problem(s, devspec, "%s is longer than %d bytes: %s", name, PROP_STRING_MAX, outcome);
        else if (r < 0)
                problem(s, devspec, "%s cannot be read (%s): %s", name, property_error(r), outcome);
        if (r < 0)
                return r;
        if (dt_prop_string(ret, n) < 0) {
                problem(s, devspec, "%s is not one printable string: %s", name, outcome);
                return -EBADMSG;
        }
        return 1;
}

/* The DRC index of the node, or for a VF of its pci* parent: the console
 * adds and removes the whole slot, and names it by the slot's index. Only
 * the console's commands need it; pairing does not, so a node without one
 * stays in its group. */
static void read_drc_index(const Scan *s, const Candidate *c, int node_fd, DtEntry *e) {
        static const char outcome[] = "kept without a DRC index";
        _cleanup_(closep) int parent_fd = -EBADF;
        _cleanup_(freep) char *parent = NULL, *where = NULL;
        int fd = node_fd, r;

        if (c->kind == DT_NODE_VF) {
                parent = strndup(c->devspec, (size_t)(strrchr(c->devspec, '/') - c->devspec));
                if (!parent || asprintf(&where, "%s: ", parent) < 0) {
                        problem(s, c->devspec, "out of memory: %s", outcome);
                        return;
                }
                parent_fd = open_node(s, parent);
                if (parent_fd < 0) {
                        problem(s, c->devspec, "%scannot be opened (%m): %s", where, outcome);
                        return;
                }
                fd = parent_fd;
        }

        r = read_u32(s, c->devspec, fd, strempty(where), PROP_DRC_INDEX, outcome, &e->drc_index);
        if (r == 0)
                problem(s, c->devspec, "%sno %s: %s, the console cannot name it", strempty(where),
                        PROP_DRC_INDEX, outcome);
        e->has_drc_index = r > 0;
}

/* Remembers a node that carries an hcn-id but was left out, with the last
 * problem as the reason: the console names it by its DRC index and must
 * hear why, not "no such device". */
static int add_rejected(Scan *s, const char *devspec, bool has_drc_index, uint32_t drc_index) {
        DtRejected *r;

        r = reallocarray(s->rejected, s->n_rejected + 1, sizeof(DtRejected));
        if (!r)
                return -ENOMEM;
        s->rejected = r;
        r = &s->rejected[s->n_rejected];
        *r = (DtRejected){
                .devspec = strdup(devspec),
                .why = strdup(s->last_problem),
                .has_drc_index = has_drc_index,
                .drc_index = drc_index,
        };
        if (!r->devspec || !r->why) {
                dt_rejected_done(r);
                return -ENOMEM;
        }
        s->n_rejected++;
        return 0;
}

/* Returns 0 (the node is left out) or -ENOMEM, for read_entry(). */
static int reject(Scan *s, const Candidate *c, int node_fd) {
        char quiet_problem[DT_PROBLEM_MAX];
        Scan quiet = *s;
        DtEntry e = {};

        /* Its DRC index read quietly: only the reason already given is news. */
        quiet.on_problem = NULL;
        quiet.last_problem = quiet_problem;
        read_drc_index(&quiet, c, node_fd, &e);
        return add_rejected(s, c->devspec, e.has_drc_index, e.drc_index);
}

/* Returns 1 with *e filled, 0 when the node is left out, -ENOMEM. */
static int read_entry(Scan *s, const Candidate *c, DtEntry *e) {
        static const char left_out[] = "left out";
        _cleanup_(closep) int fd = -EBADF;
        char str[PROP_STRING_MAX + 1];
        uint32_t hcn_id;
        int r;

        *e = (DtEntry){.kind = c->kind, .mode = _PORT_ROLE_INVALID};

        fd = open_node(s, c->devspec);
        if (fd < 0) {
                /* Gone since it was listed: a DLPAR remove, not a fault. */
                if (errno != ENOENT)
                        problem(s, c->devspec, "cannot be opened (%m): %s", left_out);
                return 0;
        }

        /* Without an hcn-id a node is a plain device, not ours; with a
         * malformed one it is ours but unusable. */
        r = read_u32(s, c->devspec, fd, "", PROP_HCN_ID, left_out, &hcn_id);
        if (r < 0)
                return reject(s, c, fd);
        if (r == 0)
                return 0;
        hcn_id_format(hcn_id, e->hcn_id);

        /* A node without a known role is left out rather than given one from
         * its kind: enslaved in the wrong role it would make the bond prefer
         * the backup, and hcnmgr never guessed either. */
        r = read_string(s, c->devspec, fd, PROP_HCN_MODE, left_out, str);
        if (r == 0)
                problem(s, c->devspec, "no %s: %s", PROP_HCN_MODE, left_out);
        if (r <= 0)
                return reject(s, c, fd);
        e->mode = port_role_from_string(str);
        if (e->mode < 0) {
                problem(s, c->devspec, "%s '%s' is neither primary nor backup: %s", PROP_HCN_MODE, str,
                        left_out);
                return reject(s, c, fd);
        }

        read_drc_index(s, c, fd, e);

        /* Only for messages: a bad one costs nothing but itself. */
        if (read_string(s, c->devspec, fd, PROP_LOC_CODE, "ignored", str) > 0 && str[0]) {
                e->loc_code = strdup(str);
                if (!e->loc_code)
                        return -ENOMEM;
        }

        e->devspec = strdup(c->devspec);
        if (!e->devspec) {
                dt_entry_done(e);
                return -ENOMEM;
        }
        return 1;
}

static int candidate_cmp(const void *a, const void *b) {
        return strcmp(((const Candidate *)a)->devspec, ((const Candidate *)b)->devspec);
}

/* Two primaries in one group: the console should never do it, and the
 * bond can prefer only one. Dropping both would take the working VF out
 * of its bond over a mistake elsewhere; keeping the first by devspec (not
 * by readdir() order, which differs between file systems and boots) makes
 * every scan keep the same one, so the bond does not flap between them. */
static int drop_second_primaries(Scan *s) {
        size_t kept = 0;
        int r = 0;

        for (size_t i = 0; i < s->n_entries; i++) {
                DtEntry *e = &s->entries[i];
                const DtEntry *first = NULL;

                if (e->mode == PORT_ROLE_PRIMARY)
                        for (size_t j = 0; j < kept && !first; j++)
                                if (s->entries[j].mode == PORT_ROLE_PRIMARY &&
                                    streq(s->entries[j].hcn_id, e->hcn_id))
                                        first = &s->entries[j];
                if (first) {
                        problem(s, e->devspec, "second primary of hcn-id %s, after %s: left out", e->hcn_id,
                                first->devspec);
                        if (r == 0)
                                r = add_rejected(s, e->devspec, e->has_drc_index, e->drc_index);
                        dt_entry_done(e);
                        continue;
                }
                s->entries[kept++] = *e;
        }
        s->n_entries = kept;
        return r;
}

int dt_scan(const char *root, DtTable **ret, dt_problem_cb on_problem, void *userdata) {
        char last_problem[DT_PROBLEM_MAX] = "";
        _cleanup_(scan_done) Scan s = {
                .root_fd = -EBADF,
                .on_problem = on_problem,
                .userdata = userdata,
                .last_problem = last_problem,
        };
        DtTable *t;
        int r;

        if (!ret)
                return -EINVAL;

        s.root_fd = open(root ?: DEVICETREE_ROOT_DEFAULT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s.root_fd < 0)
                return -errno;

        r = list_candidates(&s);
        if (r < 0)
                return r;

        /* Sorted before reading, so that problems come in a stable order
         * and the duplicate rule picks the same node every time. */
        if (s.n_candidates > 0) /* qsort() wants a pointer even for nothing */
                qsort(s.candidates, s.n_candidates, sizeof(Candidate), candidate_cmp);

        s.entries = calloc(s.n_candidates ?: 1, sizeof(DtEntry));
        if (!s.entries)
                return -ENOMEM;
        for (size_t i = 0; i < s.n_candidates; i++) {
                r = read_entry(&s, &s.candidates[i], &s.entries[s.n_entries]);
                if (r < 0)
                        return r;
                if (r > 0)
                        s.n_entries++;
        }

        r = drop_second_primaries(&s);
        if (r < 0)
                return r;

        t = calloc(1, sizeof(DtTable));
        if (!t)
                return -ENOMEM;
        t->entries = TAKE_PTR(s.entries);
        t->n_entries = s.n_entries;
        s.n_entries = 0;
        t->rejected = TAKE_PTR(s.rejected);
        t->n_rejected = s.n_rejected;
        s.n_rejected = 0;
        *ret = t;
        return 0;
}

static int devspec_cmp_key(const void *key, const void *e) {
        return strcmp(key, ((const DtEntry *)e)->devspec);
}

const DtEntry *dt_table_find_devspec(const DtTable *t, const char *devspec) {
        if (!t || !devspec || t->n_entries == 0)
                return NULL;
        return bsearch(devspec, t->entries, t->n_entries, sizeof(DtEntry), devspec_cmp_key);
}

const DtRejected *dt_table_find_rejected_drc_index(const DtTable *t, uint32_t drc_index) {
        for (size_t i = 0; i < t->n_rejected; i++)
                if (t->rejected[i].has_drc_index && t->rejected[i].drc_index == drc_index)
                        return &t->rejected[i];
        return NULL;
}

const DtEntry *dt_table_next_drc_index(const DtTable *t, uint32_t drc_index, const DtEntry *prev) {
        if (!t)
                return NULL;
        for (size_t i = prev ? (size_t)(prev - t->entries) + 1 : 0; i < t->n_entries; i++)
                if (t->entries[i].has_drc_index && t->entries[i].drc_index == drc_index)
                        return &t->entries[i];
        return NULL;
}

int dt_devspec_parse(const char *attr, char **ret) {
        size_t n;
        char *p;

        if (!attr || !ret)
                return -EINVAL;

        /* sysfs ends the value with one newline. */
        n = strlen(attr);
        if (n > 0 && attr[n - 1] == '\n')
                n--;

        /* A PCI device without a node shows an empty attribute; a vio
         * device prints its NULL node with %pOF, which gives "(null)". */
        if (n == 0 || (n == 6 && memcmp(attr, "(null)", 6) == 0))
                return -ENODATA;
        if (attr[0] != '/')
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (attr[i] <= 0x20 || attr[i] > 0x7e)
                        return -EINVAL;

        p = strndup(attr, n);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int dt_table_match_devspec(const DtTable *t, const char *attr, const DtEntry **ret) {
        _cleanup_(freep) char *devspec = NULL;
        const DtEntry *e;
        int r;

        r = dt_devspec_parse(attr, &devspec);
        if (r < 0)
                return r;
        e = dt_table_find_devspec(t, devspec);
        if (ret)
                *ret = e;
        return !!e;
}

DtGroups *dt_groups_free(DtGroups *g) {
        if (!g)
                return NULL;
        for (size_t i = 0; i < g->n_groups; i++)
                free(g->groups[i].members);
        free(g->groups);
        return mfree(g);
}

static int entry_by_hcn_id_cmp(const void *a, const void *b) {
        const DtEntry *x = *(const DtEntry *const *)a, *y = *(const DtEntry *const *)b;
        int r = strcmp(x->hcn_id, y->hcn_id);

        return r != 0 ? r : strcmp(x->devspec, y->devspec);
}

int dt_table_group(const DtTable *t, DtGroups **ret) {
        _cleanup_(dt_groups_freep) DtGroups *g = NULL;
        _cleanup_(freep) const DtEntry **sorted = NULL;
        size_t n;
        int r;

        if (!t || !ret)
                return -EINVAL;
        n = t->n_entries;

        g = calloc(1, sizeof(DtGroups));
        sorted = calloc(n ?: 1, sizeof(DtEntry *));
        /* At most one group an entry. */
        if (g)
                g->groups = calloc(n ?: 1, sizeof(DtGroup));
        if (!g || !sorted || !g->groups)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++)
                sorted[i] = &t->entries[i];
        qsort(sorted, n, sizeof(DtEntry *), entry_by_hcn_id_cmp);

        for (size_t i = 0, end; i < n; i = end) {
                DtGroup *grp = &g->groups[g->n_groups];

                for (end = i + 1; end < n && streq(sorted[end]->hcn_id, sorted[i]->hcn_id); end++)
                        ;

                memcpy(grp->hcn_id, sorted[i]->hcn_id, sizeof(grp->hcn_id));
                /* "bond" and 8 digits always fit IFNAMSIZ; the check is group.c's. */
                r = group_default_bond_name(grp->hcn_id, grp->bond_name);
                if (r < 0)
                        return r;
                grp->members = calloc(end - i, sizeof(DtEntry *));
                if (!grp->members)
                        return -ENOMEM;
                g->n_groups++;

                for (size_t j = i; j < end; j++) {
                        if (sorted[j]->mode == PORT_ROLE_PRIMARY) {
                                if (grp->primary)
                                        return -ENOTUNIQ;
                                grp->primary = sorted[j];
                        }
                        grp->members[grp->n_members++] = sorted[j];
                }
        }

        *ret = TAKE_PTR(g);
        return 0;
}

const DtGroup *dt_groups_find(const DtGroups *g, const char *hcn_id) {
        if (!g || !hcn_id)
                return NULL;
        for (size_t i = 0; i < g->n_groups; i++)
                if (streq(g->groups[i].hcn_id, hcn_id))
                        return &g->groups[i];
        return NULL;
}
