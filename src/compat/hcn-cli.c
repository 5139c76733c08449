/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hcn-cli.h"

static const char *const command_names[_HCN_CMD_MAX] = {
        [HCN_CMD_SCAN] = "hcnmgr",     [HCN_CMD_CONFIGURE] = "hcncfgdrc", [HCN_CMD_QUERY] = "hcnqrydev",
        [HCN_CMD_REMOVE] = "hcnrmdev", [HCN_CMD_REMOVE_HCN] = "hcnrmhcn", [HCN_CMD_VERSION] = "hcnversion",
};

const char *hcn_command_name(HcnCommand c) {
        return c >= 0 && c < _HCN_CMD_MAX ? command_names[c] : NULL;
}

HcnCommand hcn_command_from_name(const char *argv0) {
        const char *base;

        if (!argv0)
                return _HCN_CMD_INVALID;
        base = strrchr(argv0, '/');
        base = base ? base + 1 : argv0;
        for (HcnCommand c = 0; c < _HCN_CMD_MAX; c++)
                if (streq(base, command_names[c]))
                        return c;
        return _HCN_CMD_INVALID;
}

static int parse_error(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static int parse_error(char **ret_error, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (ret_error && vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return -EINVAL;
}

/* KEY=VALUE words: the console passes them after the options or before. */
static int parse_word(HcnRequest *r, const char *word, char **ret_error) {
        const char *eq = strchr(word, '=');
        const char *v = eq ? eq + 1 : NULL;
        size_t klen = eq ? (size_t)(eq - word) : 0;

        if (!eq || klen == 0)
                return parse_error(ret_error, "unexpected argument '%s'", word);

        if (klen == strlen("DRC_INDEX") && strncmp(word, "DRC_INDEX", klen) == 0) {
                uint32_t drc;
                if (dt_drc_index_parse(v, &drc) < 0)
                        return parse_error(ret_error,
                                           "DRC_INDEX='%s' is not a DRC index (up to 8 hex digits)", v);
                if (r->has_drc_index && r->drc_index != drc)
                        return parse_error(ret_error, "DRC_INDEX= given twice with different values");
                r->has_drc_index = true;
                r->drc_index = drc;
        } else if (klen == strlen("HCN_ID") && strncmp(word, "HCN_ID", klen) == 0) {
                char id[HCN_ID_SIZE];
                if (hcn_id_normalize(v, id) < 0)
                        return parse_error(ret_error, "HCN_ID='%s' is not an hcn-id (up to 8 hex digits)",
                                           v);
                if (r->has_hcn_id && !streq(r->hcn_id, id))
                        return parse_error(ret_error, "HCN_ID= given twice with different values");
                r->has_hcn_id = true;
                memcpy(r->hcn_id, id, sizeof(id));
        }
        /* Anything else (STAKE_TOKEN=, which the usage text shows) the
         * predecessor ignored; so do we, and the console stays served when
         * it passes a key we do not know. */
        return 0;
}

int hcn_parse_args(int argc, char **argv, HcnRequest *ret, char **ret_error) {
        HcnRequest r = {};
        bool options_done = false;
        int k;

        r.command = hcn_command_from_name(argc > 0 ? argv[0] : NULL);
        if (r.command < 0)
                return parse_error(ret_error,
                                   "called as '%s': install this program as hcnmgr, hcncfgdrc, hcnqrydev, "
                                   "hcnrmdev, hcnrmhcn or hcnversion",
                                   argc > 0 ? argv[0] : "");
        r.name = hcn_command_name(r.command);

        bool scan = false;
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (!options_done && streq(a, "--")) {
                        options_done = true;
                        continue;
                }
                /* The predecessor knew only -V and -h; every program of
                 * hnv also answers the long forms. */
                if (!options_done && streq(a, "--version")) {
                        r.version = true;
                        continue;
                }
                if (!options_done && streq(a, "--help")) {
                        r.help = true;
                        continue;
                }
                if (options_done || a[0] != '-' || a[1] == '\0') {
                        k = parse_word(&r, a, ret_error);
                        if (k < 0)
                                return k;
                        continue;
                }
                for (const char *o = a + 1; *o; o++)
                        switch (*o) {
                        case 's':
                                scan = true;
                                break;
                        case 'x':
                                r.trace = true;
                                break;
                        case 'V':
                                r.version = true;
                                break;
                        case 'h':
                                r.help = true;
                                break;
                        case 'd':
                                /* getopt's "d:": the rest of the word, or the next one. */
                                if (o[1])
                                        r.debug_level = o + 1;
                                else if (i + 1 < argc)
                                        r.debug_level = argv[++i];
                                else
                                        return parse_error(ret_error, "option -d needs a level");
                                o += strlen(o) - 1;
                                break;
                        default:
                                return parse_error(ret_error, "unknown option -%c", *o);
                        }
        }

        /* As before, -s makes any of the names run the scan. */
        if (scan)
                r.command = HCN_CMD_SCAN;
        if (r.help || r.version) {
                *ret = r;
                return 0;
        }

        switch (r.command) {
        case HCN_CMD_SCAN:
                if (!scan)
                        return parse_error(ret_error,
                                           "no command: hcnmgr runs the scan with -s; the console "
                                           "calls the other commands by their names");
                break;
        case HCN_CMD_CONFIGURE:
        case HCN_CMD_QUERY:
        case HCN_CMD_REMOVE:
                if (!r.has_drc_index)
                        return parse_error(ret_error, "%s needs DRC_INDEX=<index>", r.name);
                break;
        case HCN_CMD_REMOVE_HCN:
                if (!r.has_hcn_id)
                        return parse_error(ret_error, "%s needs HCN_ID=<id>", r.name);
                break;
        case HCN_CMD_VERSION:
                break;
        case _HCN_CMD_MAX:
        case _HCN_CMD_INVALID:
                return -EINVAL;
        }
        *ret = r;
        return 0;
}

void hcn_usage(FILE *f, const char *name) {
        fprintf(f,
                "Usage: %s [-s] [-x] [-V] [-h] [-d LEVEL] [DRC_INDEX=<index>] [HCN_ID=<id>]\n\n"
                "Hybrid network virtualization commands, as the HMC calls them (hcnmgr(8)):\n"
                "  hcnmgr -s                         rebuild the groups from the device tree (boot)\n"
                "  hcncfgdrc DRC_INDEX=<index>       put the device into its group's bond\n"
                "  hcnqrydev DRC_INDEX=<index>       may the device be removed? (exit 1: busy)\n"
                "  hcnrmdev  DRC_INDEX=<index>       take the device out of its bond, losing nothing\n"
                "  hcnrmhcn  HCN_ID=<id>             dissolve the group\n"
                "  hcnversion                        print the features\n\n"
                "  -s  scan   -x  trace the request   -V --version   -h --help\n"
                "  -d  the HMC's log level (logged)\n",
                name);
}

const char *hcn_request_method(const HcnRequest *r) {
        switch (r->command) {
        case HCN_CMD_SCAN:
                return "io.hnv.Scan";
        case HCN_CMD_CONFIGURE:
                return "io.hnv.ConfigureDevice";
        case HCN_CMD_QUERY:
                return "io.hnv.QueryDevice";
        case HCN_CMD_REMOVE:
                return "io.hnv.RemoveDevice";
        case HCN_CMD_REMOVE_HCN:
                return "io.hnv.Remove";
        case HCN_CMD_VERSION:
        case _HCN_CMD_MAX:
        case _HCN_CMD_INVALID:
                break;
        }
        return NULL;
}

json_object *hcn_request_params(const HcnRequest *r, int timeout_sec) {
        json_object *o = json_object_new_object();
        char drc[sizeof("ffffffff")];

        if (!o)
                return NULL;
        snprintf(drc, sizeof(drc), "%08x", r->drc_index);
        switch (r->command) {
        case HCN_CMD_CONFIGURE:
        case HCN_CMD_QUERY:
        case HCN_CMD_REMOVE:
                json_object_object_add(o, "drc_index", json_object_new_string(drc));
                if (r->has_hcn_id && r->command != HCN_CMD_CONFIGURE)
                        json_object_object_add(o, "hcn_id", json_object_new_string(r->hcn_id));
                break;
        case HCN_CMD_REMOVE_HCN:
                /* A device-tree group is named by its hcn-id. */
                json_object_object_add(o, "group", json_object_new_string(r->hcn_id));
                break;
        case HCN_CMD_SCAN:
        case HCN_CMD_VERSION:
        case _HCN_CMD_MAX:
        case _HCN_CMD_INVALID:
                break;
        }
        if (timeout_sec > 0 && r->command != HCN_CMD_QUERY && r->command != HCN_CMD_REMOVE_HCN)
                json_object_object_add(o, "timeout_ms", json_object_new_int64((int64_t)timeout_sec * 1000));
        return o;
}

static const char *error_text(HcnError code) {
        switch (code) {
        case HCN_E_PERM:
                return "Operation not permitted";
        case HCN_E_NOMODULE:
                return "Failed to load bonding module";
        case HCN_E_BUSY:
                return "Network device busy, no backup device";
        case HCN_E_NODEV:
                return "Failed to find device or get device name";
        case HCN_E_INVAL:
                return "Invalid argument";
        case HCN_E_NETUNREACH:
                return "hnvd cannot be reached";
        }
        return "Failed";
}

void hcn_print_error(FILE *err, const HcnRequest *r, HcnError code, const char *detail) {
        fprintf(err, "%s:error code %d, %s\n", r && r->name ? r->name : "hcnmgr", (int)code,
                error_text(code));
        if (detail && *detail)
                fprintf(err, "%s: %s\n", r && r->name ? r->name : "hcnmgr", detail);
}

static const char *get_str(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static bool get_bool(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static HcnError error_code(const HcnRequest *r, const char *error) {
        if (streq(error, "io.hnv.NotSafe"))
                return HCN_E_BUSY;
        if (streq(error, "org.varlink.service.PermissionDenied"))
                return HCN_E_PERM;
        if (streq(error, "io.hnv.InvalidArgument") || streq(error, "org.varlink.service.InvalidParameter"))
                return HCN_E_INVAL;
        if (streq(error, "io.hnv.Timeout") && r->command == HCN_CMD_REMOVE)
                return HCN_E_BUSY;
        return HCN_E_NODEV;
}

static void render_devices(FILE *out, const HcnRequest *r, json_object *list) {
        size_t n = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;

        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(list, i);
                const char *reason = get_str(d, "reason");
                fprintf(out, "%s: %s (%s) hcn-id %s: %s%s%s\n", r->name, strna(get_str(d, "device")),
                        strna(get_str(d, "devspec")), strna(get_str(d, "hcn_id")),
                        get_bool(d, "in_bond") ? "in its bond" : "not in its bond", reason ? ": " : "",
                        strempty(reason));
        }
}

int hcn_render(FILE *out, FILE *err, const HcnRequest *r, const char *error, json_object *reply) {
        const char *msg = get_str(reply, "message");
        json_object *v;

        if (error) {
                /* Removing a group that is not there leaves nothing to do:
                 * the console's job is done, as the predecessor said. */
                if (r->command == HCN_CMD_REMOVE_HCN && streq(error, "io.hnv.NoSuchGroup")) {
                        fprintf(out, "%s: no group with hcn-id %s: nothing to remove\n", r->name, r->hcn_id);
                        return HCN_EXIT_OK;
                }
                if (r->command == HCN_CMD_SCAN && json_object_object_get_ex(reply, "devices", &v))
                        render_devices(out, r, v);
                hcn_print_error(err, r, error_code(r, error), msg ? msg : error);
                return HCN_EXIT_FAILED;
        }

        switch (r->command) {
        case HCN_CMD_CONFIGURE:
                fprintf(out, "%s: %s (DRC index %08x) is in bond%s\n", r->name,
                        strna(get_str(reply, "device")), r->drc_index, strna(get_str(reply, "hcn_id")));
                return HCN_EXIT_OK;
        case HCN_CMD_QUERY:
                if (!get_bool(reply, "removable")) {
                        _cleanup_(freep) char *d = NULL;
                        if (asprintf(&d, "%s (DRC index %08x) carries the traffic of bond%s alone",
                                     strna(get_str(reply, "device")), r->drc_index,
                                     strna(get_str(reply, "hcn_id"))) < 0)
                                d = NULL;
                        hcn_print_error(err, r, HCN_E_BUSY, d);
                        return HCN_EXIT_FAILED;
                }
                fprintf(out, "%s: %s (DRC index %08x) may be removed: %s\n", r->name,
                        get_str(reply, "device") ?: "no network device", r->drc_index,
                        strna(get_str(reply, "reason")));
                return HCN_EXIT_OK;
        case HCN_CMD_REMOVE:
                if (json_object_object_get_ex(reply, "groups", &v))
                        fprintf(out, "%s: DRC index %08x released for removal, no frame lost\n", r->name,
                                r->drc_index);
                else if (get_bool(reply, "released"))
                        fprintf(out, "%s: %s (DRC index %08x) taken out of its bond\n", r->name,
                                strna(get_str(reply, "device")), r->drc_index);
                else if (get_str(reply, "device"))
                        fprintf(out, "%s: %s (DRC index %08x) is in no bond: nothing to release\n", r->name,
                                get_str(reply, "device"), r->drc_index);
                else
                        fprintf(out, "%s: DRC index %08x has no network device: nothing to release\n",
                                r->name, r->drc_index);
                return HCN_EXIT_OK;
        case HCN_CMD_REMOVE_HCN:
                fprintf(out, "%s: bond%s dissolved\n", r->name, r->hcn_id);
                return HCN_EXIT_OK;
        case HCN_CMD_SCAN:
                if (json_object_object_get_ex(reply, "devices", &v))
                        render_devices(out, r, v);
                if (json_object_object_get_ex(reply, "pruned", &v) && json_object_get_int(v) > 0)
                        fprintf(out, "%s: forgot the configuration of %d vanished interface(s)\n", r->name,
                                json_object_get_int(v));
                return HCN_EXIT_OK;
        case HCN_CMD_VERSION:
        case _HCN_CMD_MAX:
        case _HCN_CMD_INVALID:
                break;
        }
        return HCN_EXIT_OK;
}
