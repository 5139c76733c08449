/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "util.h"

static const char *const default_paravirt_drivers[] = {"virtio_net", "ibmveth", "ibmvnic", "hv_netvsc"};

/* A group's bond-options= must sit on top of the [global] bond-options= that
 * is in force once *all* files are read, and a drop-in read later may still
 * change those. So each group's own words are kept (Config.group_bond_options),
 * and its BondOptions are recomputed whenever a file has been parsed. */

static char **strv_new_copy(const char *const *l, size_t n) {
        _cleanup_(strv_freep) char **v = calloc(n + 1, sizeof(char *));

        if (!v)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                v[i] = strdup(l[i]);
                if (!v[i])
                        return NULL;
        }
        return TAKE_PTR(v);
}

static const char *const backend_kind_names[_BACKEND_KIND_MAX] = {
        [BACKEND_AUTO] = "auto",
        [BACKEND_KERNEL] = "kernel",
        [BACKEND_NETWORKMANAGER] = "networkmanager",
        [BACKEND_WICKED] = "wicked",
        [BACKEND_NETWORKD] = "networkd",
};

const char *backend_kind_to_string(BackendKind k) {
        return k >= 0 && k < _BACKEND_KIND_MAX ? backend_kind_names[k] : NULL;
}

BackendKind backend_kind_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(backend_kind_names); i++)
                if (streq_ptr(s, backend_kind_names[i]))
                        return (BackendKind)i;
        return _BACKEND_KIND_INVALID;
}

Config *config_new(void) {
        Config *c = calloc(1, sizeof(Config));

        if (!c)
                return NULL;
        c->auto_pairing = true;
        c->device_tree = true;
        c->migration_timeout_sec = HNV_MIGRATION_TIMEOUT_DEFAULT_SEC;
        bond_options_init(&c->bond_defaults);
        c->paravirt_drivers = strv_new_copy(default_paravirt_drivers, ELEMENTSOF(default_paravirt_drivers));
        c->device_tree_root = strdup(DEVICETREE_ROOT_DEFAULT);
        c->sysfs_root = strdup(HNV_SYSFS_ROOT_DEFAULT);
        if (!c->paravirt_drivers || !c->device_tree_root || !c->sysfs_root)
                return config_free(c);
        return c;
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_groups; i++) {
                group_spec_free(c->groups[i]);
                if (c->group_bond_options)
                        free(c->group_bond_options[i]);
        }
        free(c->groups);
        free(c->group_bond_options);
        strv_free(c->paravirt_drivers);
        free(c->device_tree_root);
        free(c->sysfs_root);
        free(c->ifcfg_dir);
        free(c->networkd_dir);
        return mfree(c);
}

static int config_add_group(Config *c, GroupSpec *g, char *bond_options) {
        GroupSpec **groups;
        char **opts;

        /* Both arrays grow before either gets the new entry, so a failure
         * leaves them the same length. */
        groups = reallocarray(c->groups, c->n_groups + 1, sizeof(GroupSpec *));
        if (!groups)
                return -ENOMEM;
        c->groups = groups;
        opts = reallocarray(c->group_bond_options, c->n_groups + 1, sizeof(char *));
        if (!opts)
                return -ENOMEM;
        c->group_bond_options = opts;

        groups[c->n_groups] = g;
        opts[c->n_groups] = bond_options;
        c->n_groups++;
        return 0;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char *trim(char *s) {
        size_t n;

        while (is_blank(*s))
                s++;
        n = strlen(s);
        while (n > 0 && is_blank(s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* Calls f on each blank-separated word of s. No valid word is longer than
 * WORD_MAX, so longer ones are rejected without calling f: the copy fits on
 * the stack, and config_recompute_groups(), which re-reads words, cannot fail. */
#define WORD_MAX 64
static int foreach_word(const char *s, int (*f)(const char *word, void *userdata), void *userdata,
                        const char **ret_bad, size_t *ret_bad_len) {
        while (*s) {
                char word[WORD_MAX + 1];
                size_t n;
                int r;

                while (is_blank(*s))
                        s++;
                if (!*s)
                        break;
                for (n = 0; s[n] && !is_blank(s[n]); n++)
                        ;
                if (n > WORD_MAX)
                        r = -EINVAL;
                else {
                        memcpy(word, s, n);
                        word[n] = '\0';
                        r = f(word, userdata);
                }
                if (r < 0) {
                        if (ret_bad)
                                *ret_bad = s;
                        if (ret_bad_len)
                                *ret_bad_len = n;
                        return r;
                }
                s += n;
        }
        return 0;
}

static int apply_bond_option(const char *word, void *userdata) {
        return bond_options_set(userdata, word);
}

static int bond_options_apply_words(BondOptions *o, const char *words, const char **ret_bad,
                                    size_t *ret_bad_len) {
        return foreach_word(strempty(words), apply_bond_option, o, ret_bad, ret_bad_len);
}

static void config_recompute_groups(Config *c) {
        for (size_t i = 0; i < c->n_groups; i++) {
                c->groups[i]->options = c->bond_defaults;
                /* The words were checked when they were parsed. */
                (void)bond_options_apply_words(&c->groups[i]->options, c->group_bond_options[i], NULL, NULL);
        }
}

typedef enum SectionKind {
        SECTION_NONE,
        SECTION_GLOBAL,
        SECTION_GROUP,
} SectionKind;

enum {
        KEY_AUTO_PAIRING = 1u << 0,
        KEY_PARAVIRT_DRIVERS = 1u << 1,
        KEY_BOND_OPTIONS = 1u << 2,
        KEY_PRIMARY = 1u << 3,
        KEY_BACKUP = 1u << 4,
        KEY_BOND = 1u << 5,
        KEY_MIGRATION_TIMEOUT = 1u << 6,
        KEY_BACKEND = 1u << 7,
        KEY_DEVICE_TREE = 1u << 8,
        KEY_DEVICE_TREE_ROOT = 1u << 9,
        KEY_SYSFS_ROOT = 1u << 10,
        KEY_IFCFG_DIR = 1u << 11,
        KEY_NETWORKD_DIR = 1u << 12,
};

typedef struct Parser {
        Config *config;
        const char *origin;
        char **error;
        unsigned line;

        SectionKind section;
        /* [global] keys set in this file, across all its [global] sections: one
         * file saying a thing twice is a mistake, a later file saying it again
         * is an override. */
        unsigned global_seen;

        /* The [group] section being read; it joins the Config when it ends. */
        GroupSpec *group;
        char *group_bond_options;
        unsigned group_line;
        unsigned group_seen;
} Parser;

static void parser_done(Parser *p) {
        p->group = group_spec_free(p->group);
        p->group_bond_options = mfree(p->group_bond_options);
}

static int parser_error(Parser *p, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int parser_error(Parser *p, unsigned line, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;
        int r;

        if (!p->error)
                return -EINVAL;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (asprintf(p->error, "%s:%u: %s", p->origin, line, msg) < 0) {
                *p->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

static const char *parser_section_name(const Parser *p, char *buf, size_t size) {
        switch (p->section) {
        case SECTION_GLOBAL:
                return "[global]";
        case SECTION_GROUP:
                snprintf(buf, size, "[group %s]", p->group->name);
                return buf;
        case SECTION_NONE:
                break;
        }
        return "";
}

/* Called when a [group] section ends: at the next header or the end of the file. */
static int parser_finish_group(Parser *p) {
        int r;

        if (!p->group)
                return 0;

        if (p->group->bond_name[0] == '\0') {
                r = group_default_bond_name(p->group->name, p->group->bond_name);
                if (r < 0)
                        return parser_error(p, p->group_line,
                                            "group '%s': bond name 'bond%s' is too long, set bond= (at most "
                                            "%d characters)",
                                            p->group->name, p->group->name, IFNAMSIZ - 1);
        }

        r = config_add_group(p->config, p->group, p->group_bond_options);
        if (r < 0)
                return r;
        p->group = NULL;
        p->group_bond_options = NULL;
        return 0;
}

static int parser_section(Parser *p, char *line) {
        size_t n = strlen(line);
        char *inner, *name;
        int r;

        if (n < 2 || line[n - 1] != ']')
                return parser_error(p, p->line, "invalid section header '%s'", line);
        line[n - 1] = '\0';
        inner = trim(line + 1);

        r = parser_finish_group(p);
        if (r < 0)
                return r;
        p->section = SECTION_NONE;

        if (streq(inner, "global")) {
                p->section = SECTION_GLOBAL;
                return 0;
        }

        if (strncmp(inner, "group", 5) != 0 || (inner[5] != '\0' && !is_blank(inner[5])))
                return parser_error(p, p->line, "unknown section '[%s]'", inner);
        name = trim(inner + 5);
        if (!*name)
                return parser_error(p, p->line, "missing group name in '[group]'");
        if (!group_name_is_valid(name))
                return parser_error(p, p->line, "invalid group name '%s': use 1-%d of A-Z a-z 0-9 _ . -",
                                    name, GROUP_NAME_MAX);

        p->group = group_spec_new(name, GROUP_SOURCE_CONFIG);
        if (!p->group)
                return -ENOMEM;
        if (asprintf(&p->group->origin, "%s:%u", p->origin, p->line) < 0) {
                p->group->origin = NULL;
                return -ENOMEM;
        }
        p->section = SECTION_GROUP;
        p->group_line = p->line;
        p->group_seen = 0;
        return 0;
}

static int parse_boolean(const char *s) {
        if (streq(s, "1") || strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0)
                return 1;
        if (streq(s, "0") || strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0)
                return 0;
        return -EINVAL;
}

/* Kernel module names, which is what udev's ID_NET_DRIVER reports. */
static bool driver_name_is_valid(const char *s) {
        for (; *s; s++)
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
                      *s == '_' || *s == '-' || *s == '.'))
                        return false;
        return true;
}

typedef struct StrvBuilder {
        char **l; /* NULL-terminated whenever it is not NULL */
        size_t n;
} StrvBuilder;

static void strv_builder_done(StrvBuilder *b) {
        strv_free(b->l);
}

static int strv_builder_add(const char *word, void *userdata) {
        StrvBuilder *b = userdata;
        char **l;

        if (!driver_name_is_valid(word))
                return -EINVAL;
        l = reallocarray(b->l, b->n + 2, sizeof(char *));
        if (!l)
                return -ENOMEM;
        b->l = l;
        l[b->n] = strdup(word);
        if (!l[b->n])
                return -ENOMEM;
        l[++b->n] = NULL;
        return 0;
}

static int parser_bond_options(Parser *p, const char *key, const char *value, BondOptions *ret) {
        BondOptions o;
        const char *bad;
        size_t bad_len;

        bond_options_init(&o);
        if (bond_options_apply_words(&o, value, &bad, &bad_len) < 0)
                return parser_error(p, p->line, "invalid bond option '%.*s' in %s", (int)bad_len, bad, key);
        if (ret)
                *ret = o;
        return 0;
}

/* A path that prints as itself in a log line and a man page. */
static bool path_is_printable(const char *s) {
        for (; *s; s++)
                if (iscntrl((unsigned char)*s))
                        return false;
        return true;
}

static int parser_global_key(Parser *p, const char *key, const char *value) {
        Config *c = p->config;
        unsigned bit;
        int r;

        static const struct {
                const char *key;
                unsigned bit;
        } keys[] = {
                {"auto-pairing", KEY_AUTO_PAIRING},
                {"paravirt-drivers", KEY_PARAVIRT_DRIVERS},
                {"bond-options", KEY_BOND_OPTIONS},
                {"migration-timeout", KEY_MIGRATION_TIMEOUT},
                {"backend", KEY_BACKEND},
                {"device-tree", KEY_DEVICE_TREE},
                {"device-tree-root", KEY_DEVICE_TREE_ROOT},
                {"sysfs-root", KEY_SYSFS_ROOT},
                {"ifcfg-dir", KEY_IFCFG_DIR},
                {"networkd-dir", KEY_NETWORKD_DIR},
        };

        bit = 0;
        for (size_t i = 0; i < ELEMENTSOF(keys) && !bit; i++)
                if (streq(key, keys[i].key))
                        bit = keys[i].bit;
        if (!bit)
                return parser_error(p, p->line, "unknown key '%s' in [global]", key);

        if (p->global_seen & bit)
                return parser_error(p, p->line, "duplicate key '%s' in [global]", key);
        p->global_seen |= bit;

        if (bit == KEY_AUTO_PAIRING || bit == KEY_DEVICE_TREE) {
                r = parse_boolean(value);
                if (r < 0)
                        return parser_error(p, p->line, "invalid value '%s' for %s: use yes or no", value,
                                            key);
                if (bit == KEY_AUTO_PAIRING)
                        c->auto_pairing = r;
                else
                        c->device_tree = r;

        } else if (bit == KEY_DEVICE_TREE_ROOT || bit == KEY_SYSFS_ROOT || bit == KEY_IFCFG_DIR ||
                   bit == KEY_NETWORKD_DIR) {
                char *copy;

                /* Relative to what? hnvd's working directory is no place to
                 * look for the system's trees and files, and means something
                 * else under systemd than in a shell. A path must also print
                 * as itself in a log line. */
                if (value[0] != '/' || !path_is_printable(value))
                        return parser_error(p, p->line, "invalid value '%s' for %s: use an absolute path",
                                            value, key);
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
                char **slot = bit == KEY_DEVICE_TREE_ROOT ? &c->device_tree_root
                              : bit == KEY_SYSFS_ROOT     ? &c->sysfs_root
                              : bit == KEY_IFCFG_DIR      ? &c->ifcfg_dir
                                                          : &c->networkd_dir;
                free(*slot);
                *slot = copy;

        } else if (bit == KEY_PARAVIRT_DRIVERS) {
                _cleanup_(strv_builder_done) StrvBuilder b = {};
                const char *bad;
                size_t bad_len;

                r = foreach_word(value, strv_builder_add, &b, &bad, &bad_len);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return parser_error(p, p->line, "invalid driver name '%.*s' in paravirt-drivers",
                                            (int)bad_len, bad);
                if (!b.l) {
                        b.l = calloc(1, sizeof(char *));
                        if (!b.l)
                                return -ENOMEM;
                }
                strv_free(c->paravirt_drivers);
                c->paravirt_drivers = TAKE_PTR(b.l);

        } else if (bit == KEY_BACKEND) {
                BackendKind k = backend_kind_from_string(value);
                if (k < 0)
                        return parser_error(
                                p, p->line,
                                "invalid value '%s' for backend: use auto, kernel, networkmanager, wicked or networkd",
                                value);
                c->backend = k;
        } else if (bit == KEY_MIGRATION_TIMEOUT) {
                char *end;
                errno = 0;
                unsigned long v = strtoul(value, &end, 10);
                if (errno != 0 || end == value || *end != '\0' || *value == '-' || v < 1 ||
                    v > HNV_MIGRATION_TIMEOUT_MAX_SEC)
                        return parser_error(p, p->line,
                                            "invalid value '%s' for migration-timeout: seconds, 1 to %u",
                                            value, HNV_MIGRATION_TIMEOUT_MAX_SEC);
                c->migration_timeout_sec = (unsigned)v;
        } else {
                r = parser_bond_options(p, key, value, &c->bond_defaults);
                if (r < 0)
                        return r;
        }

        return 0;
}

static int parser_group_key(Parser *p, const char *key, const char *value) {
        GroupSpec *g = p->group;
        char buf[sizeof("[group ]") + GROUP_NAME_MAX];
        unsigned bit;
        PortRole role;
        int r;

        if (streq(key, "primary"))
                bit = KEY_PRIMARY;
        else if (streq(key, "backup"))
                bit = KEY_BACKUP;
        else if (streq(key, "bond"))
                bit = KEY_BOND;
        else if (streq(key, "bond-options"))
                bit = KEY_BOND_OPTIONS;
        else
                return parser_error(p, p->line, "unknown key '%s' in %s", key,
                                    parser_section_name(p, buf, sizeof(buf)));

        if (p->group_seen & bit)
                return parser_error(p, p->line, "duplicate key '%s' in %s", key,
                                    parser_section_name(p, buf, sizeof(buf)));
        p->group_seen |= bit;

        if (bit == KEY_PRIMARY || bit == KEY_BACKUP) {
                role = bit == KEY_PRIMARY ? PORT_ROLE_PRIMARY : PORT_ROLE_BACKUP;
                r = port_match_parse(value, &g->match[role]);
                if (r == -ENOMEM)
                        return r;
                /* An hcn-id names both ports of a group at once; only the
                 * device tree's ibm,hcn-mode can tell them apart. */
                if (r >= 0 && g->match[role].type == PORT_MATCH_HCN_ID)
                        r = -EINVAL;
                if (r < 0)
                        return parser_error(
                                p, p->line,
                                "invalid %s '%s': use mac:ADDRESS, name:PATTERN or udev:KEY=PATTERN", key,
                                value);

        } else if (bit == KEY_BOND) {
                if (!ifname_is_valid(value))
                        return parser_error(p, p->line, "invalid bond name '%s' (at most %d characters)",
                                            value, IFNAMSIZ - 1);
                r = strscpy_strict(g->bond_name, sizeof(g->bond_name), value);
                if (r < 0)
                        return r;

        } else {
                r = parser_bond_options(p, key, value, NULL);
                if (r < 0)
                        return r;
                p->group_bond_options = strdup(value);
                if (!p->group_bond_options)
                        return -ENOMEM;
        }

        return 0;
}

/* A '#' or ';' starts a comment at the start of a line or after a blank, so
 * that "a#b" stays a value but "yes   # the default" is just "yes". */
static void strip_comment(char *line) {
        for (char *s = line; *s; s++)
                if ((*s == '#' || *s == ';') && (s == line || is_blank(s[-1]))) {
                        *s = '\0';
                        return;
                }
}

static int parser_line(Parser *p, char *line) {
        char *eq, *key, *value;

        strip_comment(line);
        line = trim(line);
        if (!*line)
                return 0;

        if (*line == '[')
                return parser_section(p, line);

        eq = strchr(line, '=');
        if (!eq)
                return parser_error(p, p->line, "missing '=' in '%s'", line);
        *eq = '\0';
        key = trim(line);
        value = trim(eq + 1);
        if (!*key)
                return parser_error(p, p->line, "missing key before '='");

        switch (p->section) {
        case SECTION_NONE:
                return parser_error(p, p->line, "key '%s' outside of a section", key);
        case SECTION_GLOBAL:
                return parser_global_key(p, key, value);
        case SECTION_GROUP:
                return parser_group_key(p, key, value);
        }
        return -EINVAL;
}

int config_parse_text(Config *c, const char *origin, const char *text, char **ret_error) {
        _cleanup_(parser_done) Parser p = {
                .config = c,
                .origin = strempty(origin),
                .error = ret_error,
        };
        _cleanup_(freep) char *buf = NULL;
        char *line, *next;
        int r;

        if (!c || !text)
                return -EINVAL;
        buf = strdup(text);
        if (!buf)
                return -ENOMEM;

        for (line = buf; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                p.line++;
                r = parser_line(&p, line);
                if (r < 0)
                        return r;
        }

        r = parser_finish_group(&p);
        if (r < 0)
                return r;

        config_recompute_groups(c);
        return 0;
}

static bool port_match_equal(const PortMatch *a, const PortMatch *b) {
        if (a->type != b->type)
                return false;

        switch (a->type) {
        case PORT_MATCH_MAC:
                return hw_addr_equal(&a->mac, &b->mac);
        case PORT_MATCH_NAME:
        case PORT_MATCH_HCN_ID:
                return streq_ptr(a->value, b->value);
        case PORT_MATCH_UDEV_PROPERTY:
                return streq_ptr(a->key, b->key) && streq_ptr(a->value, b->value);
        case PORT_MATCH_NONE:
        case _PORT_MATCH_TYPE_MAX:
        case _PORT_MATCH_TYPE_INVALID:
                break;
        }
        return true;
}

/* "hnv.conf:3: " for groups read from a file, nothing for the others. */
#define ORIGIN_FMT     "%s%s"
#define ORIGIN_ARGS(g) strempty((g)->origin), (g)->origin ? ": " : ""

static int validate_group(const GroupSpec *g, char **ret_error) {
        _cleanup_(freep) char *m = NULL;

        for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                if (g->match[r].type == PORT_MATCH_NONE)
                        return set_error(ret_error, -EINVAL,
                                         ORIGIN_FMT "group '%s' has no %s=", ORIGIN_ARGS(g), g->name,
                                         port_role_to_string(r));

        if (port_match_equal(&g->match[PORT_ROLE_PRIMARY], &g->match[PORT_ROLE_BACKUP])) {
                m = port_match_to_string(&g->match[PORT_ROLE_PRIMARY]);
                if (!m)
                        return -ENOMEM;
                return set_error(ret_error, -EINVAL,
                                 ORIGIN_FMT "group '%s' uses '%s' for both primary and backup",
                                 ORIGIN_ARGS(g), g->name, m);
        }
        return 0;
}

/* Checks g against a group defined before it. */
static int validate_pair(const GroupSpec *first, const GroupSpec *g, char **ret_error) {
        if (streq(first->name, g->name))
                return set_error(ret_error, -EINVAL, ORIGIN_FMT "group '%s' is already defined at %s",
                                 ORIGIN_ARGS(g), g->name, strna(first->origin));

        if (streq(first->bond_name, g->bond_name))
                return set_error(ret_error, -EINVAL,
                                 ORIGIN_FMT "group '%s': bond '%s' already belongs to group '%s'",
                                 ORIGIN_ARGS(g), g->name, g->bond_name, first->name);

        /* One device in two groups would be fought over. Overlapping patterns
         * are allowed (a device matched twice is reported as a conflict when it
         * appears), identical matches are certainly a mistake. */
        for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                for (PortRole s = 0; s < _PORT_ROLE_MAX; s++) {
                        _cleanup_(freep) char *m = NULL;

                        if (!port_match_equal(&g->match[r], &first->match[s]))
                                continue;
                        m = port_match_to_string(&g->match[r]);
                        if (!m)
                                return -ENOMEM;
                        return set_error(ret_error, -EINVAL,
                                         ORIGIN_FMT "group '%s': %s '%s' is already the %s of group '%s'",
                                         ORIGIN_ARGS(g), g->name, port_role_to_string(r), m,
                                         port_role_to_string(s), first->name);
                }

        return 0;
}

int config_validate(const Config *c, char **ret_error) {
        int r;

        if (!c)
                return -EINVAL;

        /* Groups in definition order, each against those before it, so the
         * message points at the later of two clashing definitions. */
        for (size_t j = 0; j < c->n_groups; j++) {
                r = validate_group(c->groups[j], ret_error);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < j; i++) {
                        r = validate_pair(c->groups[i], c->groups[j], ret_error);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int config_load_file(Config *c, const char *path, char **ret_error) {
        _cleanup_(freep) char *text = NULL;
        size_t size;
        int r;

        r = read_file_bounded(path, CONFIG_FILE_MAX, &text, &size, ret_error);
        if (r <= 0)
                return r;
        /* The parser works on C strings: a NUL would silently end the file. */
        if (memchr(text, '\0', size))
                return set_error(ret_error, -EINVAL, "%s: file contains a NUL byte", path);
        return config_parse_text(c, path, text, ret_error);
}

static int strcmp_ptr(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool dropin_name_is_valid(const char *name) {
        size_t n = strlen(name);

        /* Hidden files are editor and package manager leftovers. */
        if (name[0] == '.')
                return false;
        return n > strlen(".conf") && streq(name + n - strlen(".conf"), ".conf");
}

/* The *.conf files of dir that are (or point to) regular files, sorted. */
static int list_dropins(const char *dir, char ***ret, size_t *ret_n, char **ret_error) {
        _cleanup_(strv_freep) char **l = NULL;
        DIR *d;
        struct dirent *de;
        size_t n = 0;
        int r = 0;

        d = opendir(dir);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                return set_error(ret_error, negative_errno(), "%s: %m", dir);
        }

        l = calloc(1, sizeof(char *));
        if (!l) {
                closedir(d);
                return -ENOMEM;
        }

        for (;;) {
                struct stat st;
                char **nl;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                r = set_error(ret_error, negative_errno(), "%s: %m", dir);
                        break;
                }
                if (!dropin_name_is_valid(de->d_name))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                        continue;

                nl = reallocarray(l, n + 2, sizeof(char *));
                if (!nl) {
                        r = -ENOMEM;
                        break;
                }
                l = nl;
                l[n] = strdup(de->d_name);
                if (!l[n]) {
                        r = -ENOMEM;
                        break;
                }
                l[++n] = NULL;
        }
        closedir(d);
        if (r < 0)
                return r;

        qsort(l, n, sizeof(char *), strcmp_ptr);
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 1;
}

int config_load(const char *main_path, const char *dropin_dir, Config **ret, char **ret_error) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(strv_freep) char **dropins = NULL;
        size_t n_dropins = 0;
        int r;

        if (!ret)
                return -EINVAL;

        c = config_new();
        if (!c)
                return -ENOMEM;

        if (main_path) {
                r = config_load_file(c, main_path, ret_error);
                if (r < 0)
                        return r;
        }

        if (dropin_dir) {
                r = list_dropins(dropin_dir, &dropins, &n_dropins, ret_error);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_dropins; i++) {
                        _cleanup_(freep) char *path = NULL;
                        size_t len = strlen(dropin_dir);
                        bool slash = len > 0 && dropin_dir[len - 1] == '/';

                        if (asprintf(&path, "%s%s%s", dropin_dir, slash ? "" : "/", dropins[i]) < 0)
                                return -ENOMEM;
                        r = config_load_file(c, path, ret_error);
                        if (r < 0)
                                return r;
                }
        }

        r = config_validate(c, ret_error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

const GroupSpec *config_find_group(const Config *c, const char *name) {
        if (!c || !name)
                return NULL;
        for (size_t i = 0; i < c->n_groups; i++)
                if (streq_ptr(c->groups[i]->name, name))
                        return c->groups[i];
        return NULL;
}

bool config_driver_is_paravirt(const Config *c, const char *driver) {
        if (!c || !driver || !c->paravirt_drivers)
                return false;
        for (char **d = c->paravirt_drivers; *d; d++)
                if (streq(*d, driver))
                        return true;
        return false;
}
