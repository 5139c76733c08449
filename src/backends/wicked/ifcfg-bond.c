/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "ifcfg-bond.h"

#define BOND_SLAVE_PREFIX "BONDING_SLAVE"

/* One word of BONDING_MODULE_OPTS that hnv owns. value NULL: hnv owns the
 * key but leaves it out (updelay without miimon, primary without a VF), so
 * an old value in the file goes too. */
typedef struct OptWord {
        const char *key;
        char *value;
} OptWord;

/* group.c's words but peer_notif_delay, plus primary. */
enum { _OPT_MAX = BOND_OPTION_WORDS_MAX };

static void opt_words_done(OptWord (*w)[_OPT_MAX]) {
        for (size_t i = 0; i < _OPT_MAX; i++)
                (*w)[i].value = mfree((*w)[i].value);
}

static int opt_word(OptWord *w, const char *key, bool on, const char *fmt, ...) _printf_(4, 5);
static int opt_word(OptWord *w, const char *key, bool on, const char *fmt, ...) {
        va_list ap;
        int r;

        *w = (OptWord){.key = key};
        if (!on)
                return 0;
        va_start(ap, fmt);
        r = vasprintf(&w->value, fmt, ap);
        va_end(ap);
        if (r < 0) {
                w->value = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* group.c's words (the same as NetworkManager's bond.options get), with the
 * primary after fail_over_mac and without peer_notif_delay, which wicked
 * does not know: it would refuse the whole bond. */
static int opt_words(const BondOptions *o, const char *primary, OptWord (*ret)[_OPT_MAX]) {
        BondOptionWord words[BOND_OPTION_WORDS_MAX];
        size_t n = bond_options_to_words(o, words), k = 0;
        OptWord *w = *ret;
        int r = 0;

        memset(w, 0, sizeof(*ret));
        if (streq(fail_over_mac_to_string(o->fail_over_mac), "?"))
                return -EINVAL;
        if (primary && (!ifname_is_valid(primary) || strpbrk(primary, "'=")))
                return -EINVAL;

        for (size_t i = 0; i < n && r >= 0; i++) {
                if (streq(words[i].key, "peer_notif_delay"))
                        continue;
                r = opt_word(&w[k++], words[i].key, true, "%s", words[i].value);
                if (r >= 0 && primary && streq(words[i].key, "fail_over_mac"))
                        r = opt_word(&w[k++], "primary", true, "%s", primary);
        }
        /* Keys hnv owns but leaves out this time: an old value goes. */
        static const char *const owned[] = {"updelay", "downdelay", "primary"};
        for (size_t i = 0; i < ELEMENTSOF(owned) && r >= 0 && k < _OPT_MAX; i++) {
                bool present = false;
                for (size_t j = 0; j < k; j++)
                        present = present || streq(w[j].key, owned[i]);
                if (!present)
                        w[k++] = (OptWord){.key = owned[i]};
        }
        if (r < 0)
                opt_words_done(ret);
        return r;
}

int ifcfg_strv_push(char ***l, size_t *n, const char *s) {
        char **p = reallocarray(*l, *n + 2, sizeof(char *));
        if (!p)
                return -ENOMEM;
        *l = p;
        p[*n] = strdup(s);
        if (!p[*n])
                return -ENOMEM;
        p[++*n] = NULL;
        return 0;
}

static int cmp_words(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The blank-separated words of s, sorted if asked to. */
static int split_words(const char *s, bool sort, char ***ret, size_t *ret_n) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0;
        int r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (const char *p = strempty(s); *p;) {
                _cleanup_(freep) char *w = NULL;
                size_t k;

                p += strspn(p, " \t");
                k = strcspn(p, " \t");
                if (k == 0)
                        break;
                w = strndup(p, k);
                if (!w)
                        return -ENOMEM;
                r = ifcfg_strv_push(&l, &n, w);
                if (r < 0)
                        return r;
                p += k;
        }
        if (sort)
                qsort(l, n, sizeof(char *), cmp_words);
        *ret = TAKE_PTR(l);
        *ret_n = n;
        return 0;
}

static bool word_has_key(const char *word, const char *key) {
        size_t k = strlen(key);
        return strncmp(word, key, k) == 0 && word[k] == '=';
}

int ifcfg_bond_merge_module_opts(const char *old, const BondOptions *o, const char *primary, char **ret) {
        _cleanup_(opt_words_done) OptWord w[_OPT_MAX] = {};
        _cleanup_(strv_freep) char **old_words = NULL;
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, n_old;
        bool first = true;
        FILE *f;
        int r;

        if (!o || !ret)
                return -EINVAL;
        r = opt_words(o, primary, &w);
        if (r < 0)
                return r;
        r = split_words(old, false, &old_words, &n_old);
        if (r < 0)
                return r;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < _OPT_MAX; i++)
                if (w[i].value) {
                        fprintf(f, "%s%s=%s", first ? "" : " ", w[i].key, w[i].value);
                        first = false;
                }
        for (size_t j = 0; j < n_old; j++) {
                bool ours = false;

                for (size_t i = 0; i < _OPT_MAX; i++)
                        ours = ours || word_has_key(old_words[j], w[i].key);
                if (!ours) {
                        fprintf(f, "%s%s", first ? "" : " ", old_words[j]);
                        first = false;
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(buf);
        return 0;
}

int ifcfg_bond_module_opts(const BondOptions *o, const char *primary, char **ret) {
        return ifcfg_bond_merge_module_opts(NULL, o, primary, ret);
}

int ifcfg_bond_new(IfcfgDoc **ret) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = ifcfg_doc_new();
        int r;

        if (!d)
                return -ENOMEM;
        r = ifcfg_doc_add_marker(d);
        r = r ?: ifcfg_doc_set(d, "STARTMODE", "auto");
        r = r ?: ifcfg_doc_set(d, "BOOTPROTO", "none");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

/* ifcfg(5): "onboot" and "boot" are older names for "auto". */
static bool startmode_is_auto(const char *v) {
        return v && (streq(v, "auto") || streq(v, "onboot") || streq(v, "boot"));
}

/* wicked reads a boolean as yes, true or on, in any case. */
static bool ifcfg_value_is_true(const char *v) {
        return v && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0);
}

static int slave_key_free(const IfcfgDoc *d, char ret[static 32]) {
        for (unsigned n = 0; n < 1024; n++) {
                snprintf(ret, 32, BOND_SLAVE_PREFIX "_%u", n);
                if (!ifcfg_doc_get(d, ret))
                        return 0;
        }
        return -E2BIG;
}

static int update_slaves(IfcfgDoc *d, const char *const want[], size_t n_want, char ***ret_dropped) {
        _cleanup_(strv_freep) char **dropped = NULL;
        /* Pointers into d stay valid until their own line is rewritten. */
        _cleanup_(freep) struct {
                int line;
                const char *value;
        } *stale = NULL;
        bool placed[2] = {};
        size_t n_dropped = 0, n_stale = 0, n_lines = ifcfg_doc_n_lines(d), at;
        const char *value;
        int r, i;

        dropped = calloc(1, sizeof(char *));
        stale = calloc(n_lines + 1, sizeof(*stale));
        if (!dropped || !stale)
                return -ENOMEM;

        /* First every entry that names a wanted port stays as it is... */
        for (i = 0; (i = ifcfg_doc_find_prefix(d, (size_t)i, BOND_SLAVE_PREFIX, NULL, &value)) >= 0; i++) {
                size_t j;

                for (j = 0; j < n_want; j++)
                        if (!placed[j] && streq(value, want[j]))
                                break;
                if (j < n_want)
                        placed[j] = true;
                else
                        stale[n_stale++] = (typeof(*stale)){i, value};
        }

        /* ...then the others are reused in place, so that a migrated VF
         * takes the old one's entry (BONDING_SLAVE_0 stays the VF). What is
         * left is removed, from the end so the indices hold. */
        for (size_t s = 0; s < n_stale; s++) {
                bool wanted = false;
                size_t j;

                value = stale[s].value;
                for (j = 0; j < n_want; j++)
                        wanted = wanted || streq(value, want[j]);
                /* A second entry for a port goes, but the port stays. */
                if (*value && !wanted) {
                        r = ifcfg_strv_push(&dropped, &n_dropped, value);
                        if (r < 0)
                                return r;
                }
                for (j = 0; j < n_want && placed[j]; j++)
                        ;
                if (j == n_want)
                        continue;
                r = ifcfg_doc_set_at(d, (size_t)stale[s].line, want[j]);
                if (r < 0)
                        return r;
                placed[j] = true;
                stale[s].line = -1;
        }
        for (size_t s = n_stale; s > 0; s--)
                if (stale[s - 1].line >= 0) {
                        r = ifcfg_doc_remove_at(d, (size_t)stale[s - 1].line);
                        if (r < 0)
                                return r;
                }

        /* New entries go after the last one, so that they stay together. */
        at = ifcfg_doc_n_lines(d);
        for (i = 0; (i = ifcfg_doc_find_prefix(d, (size_t)i, BOND_SLAVE_PREFIX, NULL, NULL)) >= 0; i++)
                at = (size_t)i + 1;
        for (size_t j = 0; j < n_want; j++) {
                char k[32];

                if (placed[j])
                        continue;
                r = slave_key_free(d, k);
                if (r < 0)
                        return r;
                r = ifcfg_doc_insert(d, at++, k, want[j]);
                if (r < 0)
                        return r;
        }

        if (ret_dropped)
                *ret_dropped = TAKE_PTR(dropped);
        return 0;
}

/* The bonding driver does not care about the order of the words: an admin's
 * "miimon=100 mode=active-backup" is left as written. */
static int same_words(const char *a, const char *b) {
        _cleanup_(strv_freep) char **x = NULL, **y = NULL;
        size_t nx, ny;
        int r;

        r = split_words(a, true, &x, &nx);
        if (r < 0)
                return r;
        r = split_words(b, true, &y, &ny);
        if (r < 0)
                return r;
        if (nx != ny)
                return false;
        for (size_t i = 0; i < nx; i++)
                if (!streq(x[i], y[i]))
                        return false;
        return true;
}

int ifcfg_bond_update(IfcfgDoc *d, const BondOptions *o, const char *vf, const char *backup,
                      char ***ret_dropped) {
        _cleanup_(freep) char *opts = NULL;
        const char *want[2], *old_opts;
        size_t n_want = 0;
        int r;

        if (!d || !o)
                return -EINVAL;
        if ((vf && !ifname_is_valid(vf)) || (backup && !ifname_is_valid(backup)) ||
            (vf && streq_ptr(vf, backup)))
                return -EINVAL;
        if (vf)
                want[n_want++] = vf;
        if (backup)
                want[n_want++] = backup;

        if (!startmode_is_auto(ifcfg_doc_get(d, "STARTMODE"))) {
                r = ifcfg_doc_set(d, "STARTMODE", "auto");
                if (r < 0)
                        return r;
        }
        if (!ifcfg_value_is_true(ifcfg_doc_get(d, "BONDING_MASTER"))) {
                r = ifcfg_doc_set(d, "BONDING_MASTER", "yes");
                if (r < 0)
                        return r;
        }

        r = update_slaves(d, want, n_want, ret_dropped);
        if (r < 0)
                return r;

        old_opts = ifcfg_doc_get(d, "BONDING_MODULE_OPTS");
        r = ifcfg_bond_merge_module_opts(old_opts, o, vf, &opts);
        if (r < 0)
                goto fail;
        r = old_opts ? same_words(old_opts, opts) : false;
        if (r == 0)
                r = ifcfg_doc_set(d, "BONDING_MODULE_OPTS", opts);
        if (r < 0)
                goto fail;

        /* mtu 0 keeps what the ports have: then an MTU is the admin's. */
        if (o->mtu > 0) {
                char buf[16];
                snprintf(buf, sizeof(buf), "%" PRIu32, o->mtu);
                r = ifcfg_doc_set(d, "MTU", buf);
                if (r < 0)
                        goto fail;
        }
        return 0;

fail:
        if (ret_dropped)
                *ret_dropped = (strv_free(*ret_dropped), NULL);
        return r;
}

int ifcfg_port_new(IfcfgDoc **ret) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = ifcfg_doc_new();
        int r;

        if (!d)
                return -ENOMEM;
        r = ifcfg_doc_add_marker(d);
        r = r ?: ifcfg_port_update(d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(d);
        return 0;
}

int ifcfg_port_update(IfcfgDoc *d) {
        int r;

        if (!d)
                return -EINVAL;
        /* An address on a port would be a second path around the bond: the
         * VF with a DHCP profile of its own is the commonest HNV breakage. */
        r = ifcfg_doc_set(d, "STARTMODE", "hotplug");
        return r ?: ifcfg_doc_set(d, "BOOTPROTO", "none");
}

static bool hcn_bond_name(const char *ifname) {
        if (!ifname || strncmp(ifname, "bond", 4) != 0 || strlen(ifname) != 12)
                return false;
        for (const char *p = ifname + 4; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return false;
        return true;
}

/* Whether opts has the word a or the word b. */
static bool opts_have_word(const char *opts, const char *a, const char *b) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n;

        if (split_words(opts, false, &l, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (streq(l[i], a) || streq(l[i], b))
                        return true;
        return false;
}

bool ifcfg_is_hcnmgr_bond(const char *ifname, const IfcfgDoc *d) {
        const char *opts;

        if (!hcn_bond_name(ifname) || !d || !ifcfg_value_is_true(ifcfg_doc_get(d, "BONDING_MASTER")))
                return false;
        opts = ifcfg_doc_get(d, "BONDING_MODULE_OPTS");
        return opts_have_word(opts, "mode=active-backup", "mode=1") &&
               opts_have_word(opts, "fail_over_mac=follow", "fail_over_mac=2");
}

bool ifcfg_is_bond(const IfcfgDoc *d) {
        return ifcfg_value_is_true(ifcfg_doc_get(d, "BONDING_MASTER"));
}

int ifcfg_bond_drop_port(IfcfgDoc *d, const char *port) {
        _cleanup_(strv_freep) char **words = NULL;
        _cleanup_(freep) char *primary = NULL, *buf = NULL;
        const char *key, *value, *opts;
        size_t size = 0, n_words;
        bool first = true, had = false;
        int n = 0, r, i = 0;
        FILE *f;

        if (!d || !port)
                return -EINVAL;
        while ((i = ifcfg_doc_find_prefix(d, (size_t)i, "BONDING_SLAVE", &key, &value)) >= 0) {
                if (!streq(value, port)) {
                        i++;
                        continue;
                }
                r = ifcfg_doc_remove_at(d, (size_t)i);
                if (r < 0)
                        return r;
                n++;
        }

        /* The kernel keeps primary as a name: one that names a port gone for
         * good would take the next device that gets the name. */
        opts = ifcfg_doc_get(d, "BONDING_MODULE_OPTS");
        if (!opts)
                return n;
        if (asprintf(&primary, "primary=%s", port) < 0)
                return -ENOMEM;
        r = split_words(opts, false, &words, &n_words);
        if (r < 0)
                return r;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t j = 0; j < n_words; j++) {
                if (streq(words[j], primary)) {
                        had = true;
                        continue;
                }
                fprintf(f, "%s%s", first ? "" : " ", words[j]);
                first = false;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (had) {
                r = ifcfg_doc_set(d, "BONDING_MODULE_OPTS", buf);
                if (r < 0)
                        return r;
        }
        return n;
}

/* ---- the IP configuration ------------------------------------------- */

bool ifcfg_key_is_ip(const char *key) {
        /* Each may carry a suffix (ifcfg(5), "Multiple addresses"), so a
         * prefix is enough: no other key of ifcfg(5) starts with one. */
        static const char *const prefixes[] = {
                "IPADDR", "PREFIXLEN", "NETMASK",    "BROADCAST", "REMOTE_IPADDR",
                "LABEL",  "SCOPE",     "IP_OPTIONS", "DHCLIENT",  "AUTO6_",
        };
        static const char *const keys[] = {"BOOTPROTO", "CHECK_DUPLICATE_IP", "SEND_GRATUITOUS_ARP"};

        if (!key)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (streq(key, keys[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (strncmp(key, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

static bool has_ip_key(const IfcfgDoc *d, bool count_bootproto_none) {
        for (size_t i = 0; i < ifcfg_doc_n_lines(d); i++) {
                const char *key = ifcfg_doc_key_at(d, i);

                if (!ifcfg_key_is_ip(key))
                        continue;
                if (!count_bootproto_none && streq(key, "BOOTPROTO") &&
                    streq_ptr(ifcfg_doc_get(d, "BOOTPROTO"), "none"))
                        continue;
                return true;
        }
        return false;
}

bool ifcfg_port_has_ip(const IfcfgDoc *d) {
        /* A port hnv (or an earlier hnv) has stripped says 'none'; what the
         * admin left beside it then means nothing to wicked. */
        return d && !streq_ptr(ifcfg_doc_get(d, "BOOTPROTO"), "none") && has_ip_key(d, true);
}

bool ifcfg_bond_has_ip(const IfcfgDoc *d) {
        return d && has_ip_key(d, false);
}

bool ifcfg_ip_moved(const IfcfgDoc *port, const IfcfgDoc *bond) {
        if (!port || !bond)
                return false;
        /* Compared apart: a BOOTPROTO the port lacks must be missing in the
         * bond too, as a move leaves it. */
        if (!streq_ptr(ifcfg_doc_get(port, "BOOTPROTO"), ifcfg_doc_get(bond, "BOOTPROTO")))
                return false;
        for (size_t i = 0; i < ifcfg_doc_n_lines(port); i++) {
                const char *key = ifcfg_doc_key_at(port, i);

                if (ifcfg_key_is_ip(key) && !streq_ptr(ifcfg_doc_get(port, key), ifcfg_doc_get(bond, key)))
                        return false;
        }
        return true;
}

/* Replaces dst's IP lines with copies of src's. With only_src_keys, of
 * dst's IP lines only BOOTPROTO and the keys src assigns go. */
static int ip_replace(IfcfgDoc *dst, const IfcfgDoc *src, bool only_src_keys) {
        size_t at = SIZE_MAX;
        int r;

        for (size_t i = 0; i < ifcfg_doc_n_lines(dst);) {
                const char *key = ifcfg_doc_key_at(dst, i);

                if (!ifcfg_key_is_ip(key) ||
                    (only_src_keys && !streq(key, "BOOTPROTO") && !ifcfg_doc_get(src, key))) {
                        i++;
                        continue;
                }
                if (at == SIZE_MAX)
                        at = i;
                r = ifcfg_doc_remove_at(dst, i);
                if (r < 0)
                        return r;
        }
        if (at == SIZE_MAX)
                at = ifcfg_doc_n_lines(dst);

        for (size_t i = 0; i < ifcfg_doc_n_lines(src); i++) {
                if (!ifcfg_key_is_ip(ifcfg_doc_key_at(src, i)))
                        continue;
                r = ifcfg_doc_copy_line(dst, at++, src, i);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ifcfg_ip_strip(IfcfgDoc *port) {
        ssize_t last = -1;
        size_t at = SIZE_MAX;
        int r;

        if (!port)
                return -EINVAL;
        for (size_t i = 0; i < ifcfg_doc_n_lines(port); i++)
                if (streq_ptr(ifcfg_doc_key_at(port, i), "BOOTPROTO"))
                        last = (ssize_t)i;

        for (size_t i = 0; i < ifcfg_doc_n_lines(port);) {
                if ((ssize_t)i == last || !ifcfg_key_is_ip(ifcfg_doc_key_at(port, i))) {
                        i++;
                        continue;
                }
                if (at == SIZE_MAX)
                        at = i;
                r = ifcfg_doc_remove_at(port, i);
                if (r < 0)
                        return r;
                if (last > (ssize_t)i)
                        last--;
        }

        /* In place: given back later, the configuration returns to where
         * the admin had it. */
        if (last >= 0)
                return ifcfg_doc_set_at(port, (size_t)last, "none");
        return ifcfg_doc_insert(port, at == SIZE_MAX ? ifcfg_doc_n_lines(port) : at, "BOOTPROTO", "none");
}

int ifcfg_ip_move(IfcfgDoc *port, IfcfgDoc *bond) {
        int r;

        if (!port || !bond)
                return -EINVAL;
        r = ip_replace(bond, port, false);
        return r < 0 ? r : ifcfg_ip_strip(port);
}

int ifcfg_ip_give_back(const IfcfgDoc *bond, IfcfgDoc *port) {
        if (!port || !bond)
                return -EINVAL;
        return ip_replace(port, bond, true);
}

/* The start and end (offsets into line) of its n-th blank-separated field,
 * 0-based; false when it has fewer. */
static bool route_field(const char *line, size_t len, unsigned n, size_t *ret_start, size_t *ret_end) {
        size_t p = 0;

        for (unsigned k = 0;; k++) {
                while (p < len && (line[p] == ' ' || line[p] == '\t'))
                        p++;
                if (p == len)
                        return false;
                size_t start = p;
                while (p < len && line[p] != ' ' && line[p] != '\t')
                        p++;
                if (k == n) {
                        *ret_start = start;
                        *ret_end = p;
                        return true;
                }
        }
}

int ifcfg_routes_rename(const char *text, size_t size, const char *from, const char *to, char **ret,
                        size_t *ret_size) {
        _cleanup_(freep) char *buf = NULL;
        size_t out_size = 0, pos = 0;
        FILE *f;

        if (!text || !from || !to || !ret || !ifname_is_valid(from) || !ifname_is_valid(to))
                return -EINVAL;
        if (memchr(text, '\0', size))
                return -EBADMSG;
        f = open_memstream(&buf, &out_size);
        if (!f)
                return -ENOMEM;
        while (pos < size) {
                const char *line = text + pos, *nl = memchr(line, '\n', size - pos);
                size_t len = nl ? (size_t)(nl - line) : size - pos, start, end, lead = 0;

                while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
                        lead++;
                if (lead < len && line[lead] != '#' && route_field(line, len, 3, &start, &end) &&
                    end - start == strlen(from) && memcmp(line + start, from, end - start) == 0)
                        fprintf(f, "%.*s%s%.*s", (int)start, line, to, (int)(len - end), line + end);
                else
                        fwrite(line, 1, len, f);
                if (nl)
                        fputc('\n', f);
                pos += len + (nl ? 1 : 0);
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = out_size;
        return 0;
}
