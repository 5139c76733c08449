/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include "group.h"
#include "hcn-id.h"

static const char *const port_role_table[_PORT_ROLE_MAX] = {
        [PORT_ROLE_PRIMARY] = "primary",
        [PORT_ROLE_BACKUP] = "backup",
};

static const char *const group_source_table[_GROUP_SOURCE_MAX] = {
        [GROUP_SOURCE_CONFIG] = "config",   [GROUP_SOURCE_DEVICETREE] = "devicetree",
        [GROUP_SOURCE_RUNTIME] = "runtime", [GROUP_SOURCE_UDEV] = "udev",
        [GROUP_SOURCE_AUTO] = "auto",
};

static const char *const group_state_table[_GROUP_STATE_MAX] = {
        [GROUP_STATE_PENDING] = "pending",     [GROUP_STATE_HEALTHY] = "healthy",
        [GROUP_STATE_DEGRADED] = "degraded",   [GROUP_STATE_DOWN] = "down",
        [GROUP_STATE_MIGRATING] = "migrating",
};

static const char *table_to_string(const char *const *table, size_t n, int i) {
        if (i < 0 || (size_t)i >= n)
                return NULL;
        return table[i];
}

static int table_from_string(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (streq(table[i], s))
                        return (int)i;
        return -EINVAL;
}

const char *port_role_to_string(PortRole r) {
        return table_to_string(port_role_table, ELEMENTSOF(port_role_table), r);
}

PortRole port_role_from_string(const char *s) {
        return table_from_string(port_role_table, ELEMENTSOF(port_role_table), s);
}

const char *group_source_to_string(GroupSource s) {
        return table_to_string(group_source_table, ELEMENTSOF(group_source_table), s);
}

const char *group_state_to_string(GroupState s) {
        return table_to_string(group_state_table, ELEMENTSOF(group_state_table), s);
}

GroupState group_state_from_string(const char *s) {
        return table_from_string(group_state_table, ELEMENTSOF(group_state_table), s);
}

void port_match_done(PortMatch *m) {
        if (!m)
                return;
        free(m->key);
        free(m->value);
        *m = (PortMatch){};
}

int port_match_copy(PortMatch *dst, const PortMatch *src) {
        PortMatch copy = {
                .type = src->type,
                .mac = src->mac,
        };

        if (src->key) {
                copy.key = strdup(src->key);
                if (!copy.key)
                        return -ENOMEM;
        }
        if (src->value) {
                copy.value = strdup(src->value);
                if (!copy.value) {
                        port_match_done(&copy);
                        return -ENOMEM;
                }
        }

        *dst = copy;
        return 0;
}

/* The kernel's isspace() (lib/ctype.c) is Latin-1: besides the ASCII blanks
 * it counts 0xA0 as a space, and dev_valid_name() rejects it too. */
static bool kernel_isspace(unsigned char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
}

/* A name pattern may hold anything an interface name may, plus fnmatch()
 * syntax, which uses none of the characters the kernel forbids. */
static bool name_pattern_is_valid(const char *s) {
        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++)
                if (kernel_isspace((unsigned char)*p) || *p == '/' || *p == ':')
                        return false;
        return true;
}

/* udev property names are environment variable names. */
static bool udev_key_is_valid(const char *s, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isascii((unsigned char)s[i]) || !(isalnum((unsigned char)s[i]) || s[i] == '_'))
                        return false;
        return true;
}

/* Values may contain inner blanks (ID_MODEL_FROM_DATABASE does), but not at
 * either end: a configuration line is trimmed, so those would not round-trip. */
static bool udev_value_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0)
                return false;
        if (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (iscntrl((unsigned char)s[i]))
                        return false;
        return true;
}

static int parse_mac(const char *s, PortMatch *ret) {
        HwAddr mac;

        if (hw_addr_parse(s, &mac) < 0)
                return -EINVAL;
        /* An all-zero permanent address means "none": it identifies nothing. */
        if (hw_addr_is_null(&mac))
                return -EINVAL;

        *ret = (PortMatch){.type = PORT_MATCH_MAC, .mac = mac};
        return 0;
}

/* A match that is just its type and one string. */
static int match_with_value(PortMatchType type, const char *s, PortMatch *ret) {
        char *v = strdup(s);

        if (!v)
                return -ENOMEM;
        *ret = (PortMatch){.type = type, .value = v};
        return 0;
}

static int parse_name(const char *s, PortMatch *ret) {
        if (!name_pattern_is_valid(s))
                return -EINVAL;
        return match_with_value(PORT_MATCH_NAME, s, ret);
}

static int parse_udev(const char *s, PortMatch *ret) {
        _cleanup_(freep) char *key = NULL, *value = NULL;
        const char *eq = strchr(s, '=');

        if (!eq || !udev_key_is_valid(s, (size_t)(eq - s)) || !udev_value_is_valid(eq + 1))
                return -EINVAL;
        key = strndup(s, (size_t)(eq - s));
        value = strdup(eq + 1);
        if (!key || !value)
                return -ENOMEM;

        *ret = (PortMatch){
                .type = PORT_MATCH_UDEV_PROPERTY,
                .key = TAKE_PTR(key),
                .value = TAKE_PTR(value),
        };
        return 0;
}

/* Exactly the form the device tree reader gives, so that a state file
 * round-trips and two spellings of one id never make two groups. */
static bool hcn_id_is_valid(const char *s) {
        char normal[HCN_ID_SIZE];

        return hcn_id_normalize(s, normal) == 0 && streq(normal, s);
}

static int parse_hcn_id(const char *s, PortMatch *ret) {
        if (!hcn_id_is_valid(s))
                return -EINVAL;
        return match_with_value(PORT_MATCH_HCN_ID, s, ret);
}

int port_match_parse(const char *s, PortMatch *ret) {
        const char *rest;

        if (!s || !ret)
                return -EINVAL;

        if ((rest = startswith(s, "mac:")))
                return parse_mac(rest, ret);
        if ((rest = startswith(s, "name:")))
                return parse_name(rest, ret);
        if ((rest = startswith(s, "udev:")))
                return parse_udev(rest, ret);
        if ((rest = startswith(s, "hcn-id:")))
                return parse_hcn_id(rest, ret);

        /* "02-00-00-00-00-01" is also a valid interface name; the MAC reading
         * wins, because that is what someone pasting a MAC means. */
        if (parse_mac(s, ret) >= 0)
                return 0;
        if (!ifname_is_valid(s))
                return -EINVAL;
        return parse_name(s, ret);
}

char *port_match_to_string(const PortMatch *m) {
        char buf[HW_ADDR_STRLEN];
        char *s = NULL;
        int r = -1;

        switch (m->type) {
        case PORT_MATCH_NONE:
                /* NULL is kept for "out of memory". */
                return strdup("");
        case PORT_MATCH_MAC:
                r = asprintf(&s, "mac:%s", hw_addr_format(&m->mac, buf));
                break;
        case PORT_MATCH_NAME:
                r = asprintf(&s, "name:%s", strempty(m->value));
                break;
        case PORT_MATCH_UDEV_PROPERTY:
                r = asprintf(&s, "udev:%s=%s", strempty(m->key), strempty(m->value));
                break;
        case PORT_MATCH_HCN_ID:
                r = asprintf(&s, "hcn-id:%s", strempty(m->value));
                break;
        case _PORT_MATCH_TYPE_MAX:
        case _PORT_MATCH_TYPE_INVALID:
                return NULL;
        }

        return r < 0 ? NULL : s;
}

void bond_options_init(BondOptions *o) {
        *o = (BondOptions){
                .miimon_ms = 100,
                .updelay_ms = 0,
                .downdelay_ms = 0,
                .fail_over_mac = FAIL_OVER_MAC_FOLLOW,
                .num_peer_notif = 3,
                .peer_notif_delay_ms = 0,
                .mtu = 0,
        };
}

/* Plain decimal only: no sign, no blanks, no hex, nothing after the digits. */
static int parse_uint(const char *s, uint32_t max, uint32_t *ret) {
        uint64_t v = 0;

        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*p - '0');
                if (v > max)
                        return -ERANGE;
        }

        *ret = (uint32_t)v;
        return 0;
}

static const char *const fail_over_mac_names[_FAIL_OVER_MAC_MAX] = {
        [FAIL_OVER_MAC_NONE] = "none",
        [FAIL_OVER_MAC_ACTIVE] = "active",
        [FAIL_OVER_MAC_FOLLOW] = "follow",
};

const char *fail_over_mac_to_string(uint8_t v) {
        return v < _FAIL_OVER_MAC_MAX ? fail_over_mac_names[v] : "?";
}

static int parse_fail_over_mac(const char *s, uint32_t *ret) {
        for (size_t i = 0; i < ELEMENTSOF(fail_over_mac_names); i++)
                if (streq(s, fail_over_mac_names[i])) {
                        *ret = (uint32_t)i;
                        return 0;
                }
        return parse_uint(s, _FAIL_OVER_MAC_MAX - 1, ret);
}

size_t bond_options_to_words(const BondOptions *o, BondOptionWord ret[static BOND_OPTION_WORDS_MAX]) {
        bool mii = o->miimon_ms > 0;
        size_t n = 0;

#define WORD(on, k, fmt, v)                                                                                 \
        do {                                                                                                \
                if (on) {                                                                                   \
                        ret[n].key = (k);                                                                   \
                        snprintf(ret[n].value, sizeof(ret[n].value), fmt, v);                               \
                        n++;                                                                                \
                }                                                                                           \
        } while (0)
        WORD(true, "mode", "%s", "active-backup");
        WORD(true, "miimon", "%" PRIu32, o->miimon_ms);
        /* With miimon 0 the kernel refuses updelay and downdelay, even 0
         * (see link-msg.c); 0 is their default anyway. */
        WORD(mii && o->updelay_ms, "updelay", "%" PRIu32, o->updelay_ms);
        WORD(mii && o->downdelay_ms, "downdelay", "%" PRIu32, o->downdelay_ms);
        WORD(true, "fail_over_mac", "%s", fail_over_mac_to_string(o->fail_over_mac));
        /* sysfs has two names for the one count (IFLA_BOND_NUM_PEER_NOTIF);
         * giving both keeps a later write of either from undoing it. */
        WORD(true, "num_grat_arp", "%u", (unsigned)o->num_peer_notif);
        WORD(true, "num_unsol_na", "%u", (unsigned)o->num_peer_notif);
        WORD(o->peer_notif_delay_ms, "peer_notif_delay", "%" PRIu32, o->peer_notif_delay_ms);
#undef WORD
        return n;
}

int bond_options_set(BondOptions *o, const char *word) {
        const char *eq, *value;
        uint32_t v;
        size_t n;
        int r;

        if (!o || !word)
                return -EINVAL;
        eq = strchr(word, '=');
        if (!eq)
                return -EINVAL;
        n = (size_t)(eq - word);
        value = eq + 1;

#define KEY_IS(k) (n == strlen(k) && strncmp(word, k, n) == 0)
        /* The kernel keeps the millisecond settings in an int and refuses
         * anything above INT_MAX, so refuse it here, where a line number can
         * be given. */
        if (KEY_IS("miimon")) {
                r = parse_uint(value, INT_MAX, &v);
                if (r >= 0)
                        o->miimon_ms = v;
        } else if (KEY_IS("updelay")) {
                r = parse_uint(value, INT_MAX, &v);
                if (r >= 0)
                        o->updelay_ms = v;
        } else if (KEY_IS("downdelay")) {
                r = parse_uint(value, INT_MAX, &v);
                if (r >= 0)
                        o->downdelay_ms = v;
        } else if (KEY_IS("peer_notif_delay")) {
                r = parse_uint(value, INT_MAX, &v);
                if (r >= 0)
                        o->peer_notif_delay_ms = v;
        } else if (KEY_IS("fail_over_mac")) {
                r = parse_fail_over_mac(value, &v);
                if (r >= 0)
                        o->fail_over_mac = (uint8_t)v;
        } else if (KEY_IS("num_peer_notif")) {
                /* IFLA_BOND_NUM_PEER_NOTIF is a u8. */
                r = parse_uint(value, UINT8_MAX, &v);
                if (r >= 0)
                        o->num_peer_notif = (uint8_t)v;
        } else if (KEY_IS("mtu")) {
                /* 68 is the IPv4 minimum (RFC 791); 0 leaves the ports' MTU alone. */
                r = parse_uint(value, 65535, &v);
                if (r >= 0 && v != 0 && v < 68)
                        r = -ERANGE;
                if (r >= 0)
                        o->mtu = v;
        } else
                r = -EINVAL;
#undef KEY_IS

        return r < 0 ? -EINVAL : 0;
}

GroupSpec *group_spec_new(const char *name, GroupSource source) {
        GroupSpec *g;

        if (!name)
                return NULL;
        g = calloc(1, sizeof(GroupSpec));
        if (!g)
                return NULL;
        g->name = strdup(name);
        if (!g->name)
                return mfree(g);
        g->source = source;
        bond_options_init(&g->options);
        return g;
}

GroupSpec *group_spec_free(GroupSpec *g) {
        if (!g)
                return NULL;
        for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                port_match_done(&g->match[r]);
        free(g->name);
        free(g->origin);
        return mfree(g);
}

GroupSpec *group_spec_dup(const GroupSpec *g) {
        _cleanup_(group_spec_freep) GroupSpec *copy = NULL;

        if (!g)
                return NULL;
        copy = group_spec_new(g->name, g->source);
        if (!copy)
                return NULL;
        memcpy(copy->bond_name, g->bond_name, sizeof(copy->bond_name));
        copy->options = g->options;
        for (PortRole r = 0; r < _PORT_ROLE_MAX; r++)
                if (port_match_copy(&copy->match[r], &g->match[r]) < 0)
                        return NULL;
        if (g->origin) {
                copy->origin = strdup(g->origin);
                if (!copy->origin)
                        return NULL;
        }
        return TAKE_PTR(copy);
}

bool group_name_is_valid(const char *name) {
        size_t n;

        if (!name)
                return false;
        n = strlen(name);
        if (n == 0 || n > GROUP_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-'))
                        return false;
        }
        return true;
}

/* The kernel's dev_valid_name(). */
bool ifname_is_valid(const char *name) {
        if (!name || !*name)
                return false;
        if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ)
                return false;
        if (streq(name, ".") || streq(name, ".."))
                return false;
        for (const char *p = name; *p; p++)
                if (*p == '/' || *p == ':' || kernel_isspace((unsigned char)*p))
                        return false;
        return true;
}

int group_default_bond_name(const char *name, char ret[static IFNAMSIZ]) {
        char buf[IFNAMSIZ];
        int n;

        if (!group_name_is_valid(name))
                return -EINVAL;
        n = snprintf(buf, sizeof(buf), "bond%s", name);
        if (n < 0 || (size_t)n >= sizeof(buf) || !ifname_is_valid(buf))
                return -ENAMETOOLONG;

        memcpy(ret, buf, sizeof(buf));
        return 0;
}
