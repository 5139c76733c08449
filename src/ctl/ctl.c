/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>

#include "ctl.h"
#include "ether.h"
#include "group.h"
#include "hnv-build-config.h"
#include "varlink.h"

#ifndef HNV_VERSION
#define HNV_VERSION "unknown"
#endif

#define CTL_SOCKET_DEFAULT HNV_RUNDIR "/io.hnv"

/* Stable output: pretty for people, and key order as hnvd sent it. */
#define CTL_JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

static int render_status(FILE *f, json_object *reply, const CtlRequest *req);
static int render_list(FILE *f, json_object *reply, const CtlRequest *req);
static int render_add(FILE *f, json_object *reply, const CtlRequest *req);
static int render_reload(FILE *f, json_object *reply, const CtlRequest *req);
static int render_reconcile(FILE *f, json_object *reply, const CtlRequest *req);
static int render_version(FILE *f, json_object *reply, const CtlRequest *req);
static int render_query_migration(FILE *f, json_object *reply, const CtlRequest *req);
static int render_prepare_migration(FILE *f, json_object *reply, const CtlRequest *req);
static int render_complete_migration(FILE *f, json_object *reply, const CtlRequest *req);
static int render_query_migration_error(FILE *f, const char *error, json_object *parameters,
                                        const CtlRequest *req);
static int render_prepare_migration_error(FILE *f, const char *error, json_object *parameters,
                                          const CtlRequest *req);
static int render_complete_migration_error(FILE *f, const char *error, json_object *parameters,
                                           const CtlRequest *req);
static CtlExit query_migration_exit(json_object *reply);

static const CtlCommand commands[] = {
        {
                .name = "status",
                .method = "io.hnv.GetStatus",
                .operand = CTL_OPERAND_GROUP,
                .render = render_status,
                .synopsis = "[GROUP]",
                .help = "Show groups with their ports, links and counters",
        },
        {
                .name = "list",
                .method = "io.hnv.GetStatus",
                .render = render_list,
                .help = "Show one line per group",
        },
        {
                .name = "add",
                .method = "io.hnv.Add",
                .operand = CTL_OPERAND_GROUP,
                .operand_required = true,
                .options = CTL_OPTION_PRIMARY | CTL_OPTION_BACKUP | CTL_OPTION_BOND,
                .required_options = CTL_OPTION_PRIMARY | CTL_OPTION_BACKUP,
                .render = render_add,
                .synopsis = "GROUP --primary DEV|MAC --backup DEV|MAC [--bond NAME]",
                .help = "Pair a VF and its backup into a new group (root)",
        },
        {
                .name = "remove",
                .method = "io.hnv.Remove",
                .operand = CTL_OPERAND_GROUP,
                .operand_required = true,
                .synopsis = "GROUP",
                .help = "Dissolve a group: delete its bond, the backup keeps the addresses (root)",
        },
        {
                .name = "remove-port",
                .method = "io.hnv.RemovePort",
                .operand = CTL_OPERAND_DEVICE,
                .operand_required = true,
                .synopsis = "DEV",
                .help = "Release DEV from its bond and keep it out of every group (root)",
        },
        {
                .name = "reload",
                .method = "io.hnv.Reload",
                .render = render_reload,
                .help = "Reload hnv.conf; a bad file leaves the running one in place (root)",
        },
        {
                .name = "reconcile",
                .method = "io.hnv.Reconcile",
                .operand = CTL_OPERAND_GROUP,
                .render = render_reconcile,
                .synopsis = "[GROUP|BOND]",
                .help = "Look at a group again and put back what drifted (root)",
        },
        {
                .name = "query-migration",
                .method = "io.hnv.QueryMigration",
                .operand = CTL_OPERAND_GROUP,
                .operand_or_all = true,
                .options = CTL_OPTION_ALL,
                .render = render_query_migration,
                .render_error = render_query_migration_error,
                .reply_exit = query_migration_exit,
                .synopsis = "GROUP|--all",
                .help = "Tell whether the VF can be removed for a migration now",
        },
        {
                .name = "prepare-migration",
                .method = "io.hnv.PrepareMigration",
                .operand = CTL_OPERAND_GROUP,
                .operand_or_all = true,
                .waits = true,
                .options = CTL_OPTION_ALL,
                .render = render_prepare_migration,
                .render_error = render_prepare_migration_error,
                .synopsis = "GROUP|--all [--timeout S]",
                .help = "Move traffic to the backup and release the VF for a migration (root)",
        },
        {
                .name = "complete-migration",
                .method = "io.hnv.CompleteMigration",
                .operand = CTL_OPERAND_GROUP,
                .operand_or_all = true,
                .waits = true,
                .options = CTL_OPTION_ALL,
                .render = render_complete_migration,
                .render_error = render_complete_migration_error,
                .synopsis = "GROUP|--all [--timeout S]",
                .help = "Let the VF back in after a migration, or a cancelled one (root)",
        },
        {
                .name = "version",
                .render = render_version,
                .help = "Show hnvctl's version",
        },
};

static const CtlOption all_options[] = {CTL_OPTION_PRIMARY, CTL_OPTION_BACKUP, CTL_OPTION_BOND,
                                        CTL_OPTION_ALL};

/* The long option, and the name of the parameter it becomes. */
static const char *option_name(CtlOption o) {
        switch (o) {
        case CTL_OPTION_PRIMARY:
                return "primary";
        case CTL_OPTION_BACKUP:
                return "backup";
        case CTL_OPTION_BOND:
                return "bond";
        case CTL_OPTION_ALL:
                return "all";
        }
        return NULL;
}

/* The string value of an option that takes one; NULL for a flag. */
static const char *option_value(const CtlRequest *r, CtlOption o) {
        switch (o) {
        case CTL_OPTION_PRIMARY:
                return r->primary;
        case CTL_OPTION_BACKUP:
                return r->backup;
        case CTL_OPTION_BOND:
                return r->bond;
        case CTL_OPTION_ALL:
                return NULL;
        }
        return NULL;
}

static const char *operand_placeholder(CtlOperand o) {
        switch (o) {
        case CTL_OPERAND_NONE:
                return NULL;
        case CTL_OPERAND_GROUP:
                return "GROUP";
        case CTL_OPERAND_DEVICE:
                return "DEV";
        case _CTL_OPERAND_MAX:
        case _CTL_OPERAND_INVALID:
                break;
        }
        return NULL;
}

static const char *operand_param(CtlOperand o) {
        switch (o) {
        case CTL_OPERAND_NONE:
                return NULL;
        case CTL_OPERAND_GROUP:
                return "group";
        case CTL_OPERAND_DEVICE:
                return "device";
        case _CTL_OPERAND_MAX:
        case _CTL_OPERAND_INVALID:
                break;
        }
        return NULL;
}

const CtlCommand *ctl_command_find(const char *name) {
        if (!name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

void ctl_help(FILE *f) {
        fprintf(f, "hnvctl [OPTIONS...] COMMAND [ARGS...]\n\n"
                   "Query and control hnvd, which keeps SR-IOV VFs and their paravirtual\n"
                   "backups in active-backup bonds.\n\n"
                   "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                const CtlCommand *c = &commands[i];
                int n;

                n = fprintf(f, "  %s%s%s", c->name, c->synopsis ? " " : "", strempty(c->synopsis));
                if (n > 28)
                        fprintf(f, "\n%30s", "");
                else
                        fprintf(f, "%*s", 30 - n, "");
                fprintf(f, "%s\n", c->help);
        }
        fprintf(f,
                "\nOptions:\n"
                "  -h --help             Show this help\n"
                "  -V --version          Print hnvctl's version\n"
                "     --json             Print hnvd's reply as JSON\n"
                "     --socket PATH      hnvd's socket (default: $HNV_SOCKET or %s)\n"
                "     --timeout SECONDS  Wait at most this long for hnvd (default: %d; 0: forever);\n"
                "                        prepare-/complete-migration: how long hnvd may wait\n"
                "                        (default: %d, more than 0), hnvctl %d s longer\n"
                "\nSee the hnvctl(8) man page for details.\n",
                CTL_SOCKET_DEFAULT, CTL_TIMEOUT_DEFAULT_MS / 1000, CTL_WAIT_DEFAULT_MS / 1000,
                CTL_WAIT_MARGIN_MS / 1000);
}

/* ---- argument checks; messages name the bad value and the rule ---- */

_printf_(2, 3) static int usage_error(char **ret_error, const char *format, ...) {
        va_list ap;
        int k;

        va_start(ap, format);
        k = vasprintf(ret_error, format, ap);
        va_end(ap);
        if (k < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

static int check_group_name(const char *name, char **ret_error) {
        if (name[0] == 0)
                return usage_error(ret_error, "group name must not be empty");
        if (strlen(name) > GROUP_NAME_MAX)
                return usage_error(ret_error, "group name '%s' is longer than %d characters", name,
                                   GROUP_NAME_MAX);
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("_.-", *p)))
                        return usage_error(ret_error,
                                           "invalid group name '%s': use 1-%d of A-Z a-z 0-9 _ . -", name,
                                           GROUP_NAME_MAX);
        return 0;
}

/* The kernel's rules (dev_valid_name()): a longer name would not be
 * truncated by hnvd, it would name nothing. */
static int check_ifname(const char *name, char **ret_error) {
        if (name[0] == 0)
                return usage_error(ret_error, "interface name must not be empty");
        if (strlen(name) >= IFNAMSIZ)
                return usage_error(ret_error, "interface name '%s' is longer than %d characters", name,
                                   IFNAMSIZ - 1);
        if (streq(name, ".") || streq(name, "..") || strpbrk(name, "/: \t\n\r\v\f"))
                return usage_error(ret_error, "'%s' is not a valid interface name", name);
        return 0;
}

/* The length check first: hw_addr_parse() reads two characters before it
 * looks at either, so on a string that ends early ("02:") it would read past
 * the terminator. At exactly 17 characters every read stays inside. */
static bool is_mac(const char *s) {
        HwAddr mac;

        return strlen(s) == HW_ADDR_STRLEN - 1 && hw_addr_parse(s, &mac) >= 0;
}

/* The forms hnv.conf(5) takes for primary=/backup=; hnvd checks again, this
 * only catches typos before a round trip. */
static int check_port(const char *option, const char *spec, char **ret_error) {
        const char *v;

        if (spec[0] == 0)
                return usage_error(ret_error, "--%s must not be empty", option);
        if ((v = startswith(spec, "mac:"))) {
                if (!is_mac(v))
                        return usage_error(ret_error, "--%s: '%s' is not a MAC address", option, v);
                return 0;
        }
        if ((v = startswith(spec, "name:")))
                return check_ifname(v, ret_error);
        if ((v = startswith(spec, "udev:"))) {
                const char *eq = strchr(v, '=');

                if (!eq || eq == v || eq[1] == 0)
                        return usage_error(ret_error, "--%s: '%s' is not udev:KEY=VALUE", option, spec);
                return 0;
        }
        if (is_mac(spec))
                return 0;
        /* No interface name has a colon in it. */
        if (strchr(spec, ':'))
                return usage_error(ret_error, "--%s: '%s' is neither a MAC address nor an interface name",
                                   option, spec);
        return check_ifname(spec, ret_error);
}

static bool parse_seconds(const char *s, double *ret) {
        char *end;
        double d;

        errno = 0;
        d = strtod(s, &end);
        if (errno != 0 || end == s || *end != 0 || !isfinite(d))
                return false;
        *ret = d;
        return true;
}

/* Seconds to milliseconds; a tiny positive value still gets one. */
static int seconds_to_ms(double d) {
        return d * 1000 < 1 ? 1 : (int)(d * 1000);
}

static int parse_timeout(const char *s, int *ret, char **ret_error) {
        double d;

        if (!parse_seconds(s, &d) || d < 0 || d > INT_MAX / 1000)
                return usage_error(ret_error, "invalid timeout '%s': expected seconds, 0 for none", s);
        /* 0 means no limit. */
        *ret = d == 0 ? -1 : seconds_to_ms(d);
        return 0;
}

/* For a command that waits, --timeout is hnvd's wait, which must end: no 0
 * for "forever", and no more than hnvd accepts. The cap also keeps the
 * margin added for hnvctl's own wait well inside an int. */
static int parse_wait(const CtlCommand *c, const char *s, int *ret, char **ret_error) {
        double d;

        if (!parse_seconds(s, &d) || d <= 0 || d > CTL_WAIT_MAX_MS / 1000)
                return usage_error(ret_error,
                                   "invalid timeout '%s' for '%s': expected seconds, more than 0 and at "
                                   "most %d",
                                   s, c->name, CTL_WAIT_MAX_MS / 1000);
        *ret = seconds_to_ms(d);
        return 0;
}

enum {
        ARG_JSON = 0x100,
        ARG_SOCKET,
        ARG_TIMEOUT,
        ARG_PRIMARY,
        ARG_BACKUP,
        ARG_BOND,
        ARG_ALL,
};

static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"json", no_argument, NULL, ARG_JSON},
        {"socket", required_argument, NULL, ARG_SOCKET},
        {"timeout", required_argument, NULL, ARG_TIMEOUT},
        {"primary", required_argument, NULL, ARG_PRIMARY},
        {"backup", required_argument, NULL, ARG_BACKUP},
        {"bond", required_argument, NULL, ARG_BOND},
        {"all", no_argument, NULL, ARG_ALL},
        {},
};

/* One getopt pass; returns the index of the first operand. Both passes
 * accept every option, so "--json status" and "status --json" are the same;
 * whether a command option fits the command is checked afterwards. */
/* What the passes saw, for the checks that need the command. */
typedef struct ParseState {
        unsigned seen;       /* CtlOption bits */
        const char *timeout; /* the last --timeout; its meaning depends on the command */
        bool version;        /* -V: the version command, whatever else was said */
} ParseState;

static int parse_options(int argc, char **argv, const char *optstring, CtlRequest *r, ParseState *state,
                         char **ret_error) {
        int c;

        opterr = 0;
        optind = 0; /* glibc: start over, also on a new argv */
        while ((c = getopt_long(argc, argv, optstring, long_options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        r->help = true;
                        break;
                case 'V':
                        state->version = true;
                        break;
                case ARG_JSON:
                        r->json = true;
                        break;
                case ARG_SOCKET:
                        if (optarg[0] == 0)
                                return usage_error(ret_error, "--socket must not be empty");
                        r->socket_path = optarg;
                        break;
                case ARG_TIMEOUT:
                        state->timeout = optarg;
                        break;
                case ARG_PRIMARY:
                        r->primary = optarg;
                        state->seen |= CTL_OPTION_PRIMARY;
                        break;
                case ARG_BACKUP:
                        r->backup = optarg;
                        state->seen |= CTL_OPTION_BACKUP;
                        break;
                case ARG_BOND:
                        r->bond = optarg;
                        state->seen |= CTL_OPTION_BOND;
                        break;
                case ARG_ALL:
                        r->all = true;
                        state->seen |= CTL_OPTION_ALL;
                        break;
                case ':':
                        return usage_error(ret_error, "option '%s' needs an argument", argv[optind - 1]);
                case '?':
                        if (optopt != 0)
                                return usage_error(ret_error, "unknown option '-%c'", optopt);
                        return usage_error(ret_error, "unknown option '%s'", argv[optind - 1]);
                default:
                        return usage_error(ret_error, "cannot parse the command line");
                }
        return optind;
}

/* Also settles the timeouts, which depend on the command. */
static int check_request(CtlRequest *r, const ParseState *state, char **ret_error) {
        const CtlCommand *c = r->command;
        int k;

        if (c->waits) {
                r->wait_ms = CTL_WAIT_DEFAULT_MS;
                if (state->timeout && (k = parse_wait(c, state->timeout, &r->wait_ms, ret_error)) < 0)
                        return k;
                r->timeout_ms = r->wait_ms + CTL_WAIT_MARGIN_MS;
        } else if (state->timeout && (k = parse_timeout(state->timeout, &r->timeout_ms, ret_error)) < 0)
                return k;

        for (size_t i = 0; i < ELEMENTSOF(all_options); i++) {
                CtlOption o = all_options[i];

                if ((state->seen & o) && !(c->options & o))
                        return usage_error(ret_error, "option '--%s' does not apply to '%s'", option_name(o),
                                           c->name);
                if ((c->required_options & o) && !(state->seen & o))
                        return usage_error(ret_error, "'%s' needs --%s", c->name, option_name(o));
        }
        if (c->operand_required && !r->operand)
                return usage_error(ret_error, "'%s' needs a %s", c->name, operand_placeholder(c->operand));
        /* --all is spelled out rather than implied by a missing GROUP: a
         * forgotten argument must not act on every group. */
        if (c->operand_or_all && !r->operand && !r->all)
                return usage_error(ret_error, "'%s' needs a %s or --all", c->name,
                                   operand_placeholder(c->operand));
        if (c->operand_or_all && r->operand && r->all)
                return usage_error(ret_error, "'%s' takes a %s or --all, not both", c->name,
                                   operand_placeholder(c->operand));

        if (r->operand)
                switch (c->operand) {
                case CTL_OPERAND_NONE:
                        break;
                case CTL_OPERAND_GROUP:
                        k = check_group_name(r->operand, ret_error);
                        if (k < 0)
                                return k;
                        break;
                case CTL_OPERAND_DEVICE:
                        k = check_ifname(r->operand, ret_error);
                        if (k < 0)
                                return k;
                        break;
                case _CTL_OPERAND_MAX:
                case _CTL_OPERAND_INVALID:
                        return -EINVAL;
                }
        if (r->primary && (k = check_port("primary", r->primary, ret_error)) < 0)
                return k;
        if (r->backup && (k = check_port("backup", r->backup, ret_error)) < 0)
                return k;
        if (r->bond && (k = check_ifname(r->bond, ret_error)) < 0)
                return k;
        return 0;
}

int ctl_parse_args(int argc, char **argv, CtlRequest *ret, char **ret_error) {
        CtlRequest r = {
                .timeout_ms = CTL_TIMEOUT_DEFAULT_MS,
        };
        ParseState state = {};
        const char *env;
        int k, first;

        *ret_error = NULL;
        env = getenv("HNV_SOCKET");
        r.socket_path = env && env[0] ? env : CTL_SOCKET_DEFAULT;

        /* "+": stop at the command, so its own arguments are parsed in
         * the second pass, where options and operands may mix. */
        first = parse_options(argc, argv, "+:hV", &r, &state, ret_error);
        if (first < 0)
                return first;

        if (first < argc) {
                int n, sub_argc = argc - first;
                char **sub_argv = argv + first;

                r.command = ctl_command_find(argv[first]);
                if (!r.command)
                        return usage_error(ret_error, "unknown command '%s'", argv[first]);

                /* sub_argv[0], the command, stands in for the program name. */
                n = parse_options(sub_argc, sub_argv, ":hV", &r, &state, ret_error);
                if (n < 0)
                        return n;
                if (n < sub_argc && r.command->operand != CTL_OPERAND_NONE)
                        r.operand = sub_argv[n++];
                if (n < sub_argc)
                        return usage_error(ret_error, "unexpected argument '%s' after '%s'", sub_argv[n],
                                           r.command->name);
        } else if (!r.help)
                r.command = ctl_command_find("status");

        if (r.help) {
                /* Help wins over a missing or bad argument, so "add --help"
                 * helps instead of complaining about --primary. */
                r.command = NULL;
                *ret = r;
                return 0;
        }
        if (state.version) {
                /* As every program's --version: it asks nobody. */
                r.command = ctl_command_find("version");
                *ret = r;
                return 0;
        }
        k = check_request(&r, &state, ret_error);
        if (k < 0)
                return k;
        *ret = r;
        return 0;
}

const char *ctl_request_method(const CtlRequest *req) {
        return req && req->command ? req->command->method : NULL;
}

/* Takes v, also on failure. */
static int add_value(json_object *o, const char *key, json_object *v) {
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_string(json_object *o, const char *key, const char *value) {
        return add_value(o, key, json_object_new_string(value));
}

json_object *ctl_request_params(const CtlRequest *req) {
        json_object *p;
        const char *key;

        if (!req || !req->command)
                return NULL;
        p = json_object_new_object();
        if (!p)
                return NULL;

        key = operand_param(req->command->operand);
        if (key && req->operand && add_string(p, key, req->operand) < 0)
                goto fail;
        for (size_t i = 0; i < ELEMENTSOF(all_options); i++) {
                CtlOption o = all_options[i];
                const char *value = option_value(req, o);

                if ((req->command->options & o) && value && add_string(p, option_name(o), value) < 0)
                        goto fail;
        }
        if ((req->command->options & CTL_OPTION_ALL) && req->all &&
            add_value(p, option_name(CTL_OPTION_ALL), json_object_new_boolean(true)) < 0)
                goto fail;
        if (req->command->waits && add_value(p, "timeout_ms", json_object_new_int(req->wait_ms)) < 0)
                goto fail;
        return p;

fail:
        json_object_put(p);
        return NULL;
}

/* ---- rendering ---- */

/* Missing or mistyped fields render as "" / 0 / false: a newer hnvd may add
 * fields and an older one may lack some, and status must still print. */
static const char *get_str(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return "";
        return json_object_get_string(v);
}

static const char *get_str_or_dash(json_object *o, const char *key) {
        const char *s = get_str(o, key);

        return s[0] ? s : "-";
}

static bool get_bool(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
               json_object_get_boolean(v);
}

static int64_t get_int(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
                return 0;
        return json_object_get_int64(v);
}

static json_object *get_array(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
                return NULL;
        return v;
}

int ctl_render_json(FILE *f, json_object *reply) {
        const char *s = json_object_to_json_string_ext(reply, CTL_JSON_FLAGS);

        if (!s)
                return -ENOMEM;
        fprintf(f, "%s\n", s);
        return 0;
}

/* A table with columns as wide as their widest cell, two spaces apart and
 * no trailing blanks. */
#define PORT_COLUMNS 7

static const char *port_link(json_object *port) {
        if (!get_bool(port, "present"))
                return "gone";
        return get_bool(port, "carrier") ? "up" : "down";
}

static void port_cells(json_object *port, const char *cells[static PORT_COLUMNS]) {
        cells[0] = get_str_or_dash(port, "role");
        cells[1] = get_str_or_dash(port, "name");
        cells[2] = port_link(port);
        cells[3] = get_bool(port, "enslaved") ? "yes" : "no";
        cells[4] = get_bool(port, "active") ? "*" : "";
        cells[5] = get_str_or_dash(port, "mac");
        cells[6] = get_str_or_dash(port, "match");
}

static void print_row(FILE *f, const char *indent, const char *const *cells, const size_t *widths,
                      size_t n) {
        size_t last = 0;

        for (size_t i = 0; i < n; i++)
                if (cells[i][0])
                        last = i;
        fputs(indent, f);
        for (size_t i = 0; i <= last; i++)
                fprintf(f, "%-*s%s", i < last ? (int)widths[i] : 0, cells[i], i < last ? "  " : "\n");
}

static void render_group(FILE *f, json_object *g) {
        static const char *const header[PORT_COLUMNS] = {
                "ROLE", "NAME", "LINK", "ENSLAVED", "ACTIVE", "MAC", "MATCH",
        };
        size_t widths[PORT_COLUMNS];
        json_object *ports = get_array(g, "ports");
        size_t n_ports = ports ? json_object_array_length(ports) : 0;

        fprintf(f, "%s  %s  bond %s%s  active %s  (%s)\n", get_str_or_dash(g, "name"),
                get_str_or_dash(g, "state"), get_str_or_dash(g, "bond"),
                get_int(g, "bond_ifindex") > 0 ? "" : " (absent)", get_str_or_dash(g, "active"),
                get_str_or_dash(g, "source"));
        if (get_str(g, "reason")[0])
                fprintf(f, "  reason: %s\n", get_str(g, "reason"));
        fprintf(f, "  failovers %" PRId64 ", re-enslaves %" PRId64 ", state changes %" PRId64 "\n",
                get_int(g, "failovers"), get_int(g, "reenslaves"), get_int(g, "state_changes"));
        if (n_ports == 0) {
                fprintf(f, "  no ports\n");
                return;
        }

        for (size_t c = 0; c < PORT_COLUMNS; c++)
                widths[c] = strlen(header[c]);
        for (size_t i = 0; i < n_ports; i++) {
                const char *cells[PORT_COLUMNS];

                port_cells(json_object_array_get_idx(ports, i), cells);
                for (size_t c = 0; c < PORT_COLUMNS; c++)
                        if (strlen(cells[c]) > widths[c])
                                widths[c] = strlen(cells[c]);
        }
        print_row(f, "  ", header, widths, PORT_COLUMNS);
        for (size_t i = 0; i < n_ports; i++) {
                const char *cells[PORT_COLUMNS];

                port_cells(json_object_array_get_idx(ports, i), cells);
                print_row(f, "  ", cells, widths, PORT_COLUMNS);
        }
}

int ctl_render_status(FILE *f, json_object *reply, const char *only_group, bool json) {
        json_object *groups;
        size_t n, shown = 0;

        if (json)
                return ctl_render_json(f, reply);

        groups = get_array(reply, "groups");
        if (!groups)
                return -EBADMSG;
        /* Which backend carries the groups decides where an admin looks
         * (NetworkManager profiles or the kernel), so the full status says. */
        if (!only_group && get_str(reply, "backend"))
                fprintf(f, "Backend: %s\n\n", get_str(reply, "backend"));
        n = json_object_array_length(groups);
        for (size_t i = 0; i < n; i++) {
                json_object *g = json_object_array_get_idx(groups, i);

                if (only_group && !streq(get_str(g, "name"), only_group))
                        continue;
                if (shown++ > 0)
                        fputc('\n', f);
                render_group(f, g);
        }
        if (only_group && shown == 0)
                return -ENOENT;
        if (shown == 0)
                fprintf(f, "No groups.\n");
        return 0;
}

#define LIST_COLUMNS 5

int ctl_render_list(FILE *f, json_object *reply, bool json) {
        static const char *const header[LIST_COLUMNS] = {"GROUP", "STATE", "BOND", "ACTIVE", "PORTS"};
        size_t widths[LIST_COLUMNS], n;
        json_object *groups;
        char **ports_text;
        int k = 0;

        if (json)
                return ctl_render_json(f, reply);

        groups = get_array(reply, "groups");
        if (!groups)
                return -EBADMSG;
        n = json_object_array_length(groups);
        if (n == 0) {
                fprintf(f, "No groups.\n");
                return 0;
        }

        ports_text = calloc(n, sizeof(char *));
        if (!ports_text)
                return -ENOMEM;
        for (size_t c = 0; c < LIST_COLUMNS; c++)
                widths[c] = strlen(header[c]);
        for (size_t i = 0; i < n; i++) {
                json_object *g = json_object_array_get_idx(groups, i), *ports = get_array(g, "ports");
                size_t len = 0, n_ports = ports ? json_object_array_length(ports) : 0;
                const char *cells[LIST_COLUMNS];
                FILE *m;

                /* "vf0,eth0"; a port that is gone shows as "-". */
                m = open_memstream(&ports_text[i], &len);
                if (!m) {
                        k = -ENOMEM;
                        goto finish;
                }
                for (size_t p = 0; p < n_ports; p++)
                        fprintf(m, "%s%s", p > 0 ? "," : "",
                                get_str_or_dash(json_object_array_get_idx(ports, p), "name"));
                if (n_ports == 0)
                        fputc('-', m);
                if (fclose(m) != 0) {
                        k = -ENOMEM;
                        goto finish;
                }

                cells[0] = get_str_or_dash(g, "name");
                cells[1] = get_str_or_dash(g, "state");
                cells[2] = get_str_or_dash(g, "bond");
                cells[3] = get_str_or_dash(g, "active");
                cells[4] = ports_text[i];
                for (size_t c = 0; c < LIST_COLUMNS; c++)
                        if (strlen(cells[c]) > widths[c])
                                widths[c] = strlen(cells[c]);
        }

        print_row(f, "", header, widths, LIST_COLUMNS);
        for (size_t i = 0; i < n; i++) {
                json_object *g = json_object_array_get_idx(groups, i);
                const char *cells[LIST_COLUMNS] = {
                        get_str_or_dash(g, "name"),
                        get_str_or_dash(g, "state"),
                        get_str_or_dash(g, "bond"),
                        get_str_or_dash(g, "active"),
                        ports_text[i],
                };

                print_row(f, "", cells, widths, LIST_COLUMNS);
        }

finish:
        for (size_t i = 0; i < n; i++)
                free(ports_text[i]);
        free(ports_text);
        return k;
}

static int render_status(FILE *f, json_object *reply, const CtlRequest *req) {
        return ctl_render_status(f, reply, req->operand, false);
}

static int render_list(FILE *f, json_object *reply, const CtlRequest *req) {
        return ctl_render_list(f, reply, false);
}

static int render_add(FILE *f, json_object *reply, const CtlRequest *req) {
        json_object *g;

        if (!json_object_object_get_ex(reply, "group", &g) || !json_object_is_type(g, json_type_object))
                return -EBADMSG;
        render_group(f, g);
        return 0;
}

static int render_reconcile(FILE *f, json_object *reply, const CtlRequest *req) {
        int64_t n = get_int(reply, "groups");
        fprintf(f, "Reconciling %" PRId64 " group%s.\n", n, n == 1 ? "" : "s");
        return 0;
}

static int render_reload(FILE *f, json_object *reply, const CtlRequest *req) {
        int64_t n = get_int(reply, "groups");

        fprintf(f, "Configuration reloaded: %" PRId64 " group%s.\n", n, n == 1 ? "" : "s");
        return 0;
}

static int render_version(FILE *f, json_object *reply, const CtlRequest *req) {
        fprintf(f, "hnvctl %s\n", HNV_VERSION);
        return 0;
}

/* ---- migration ---- */

/* A MigrationGroup reads differently depending on what was asked. */
typedef enum MigrationView {
        MIGRATION_VIEW_SAFETY,   /* query, prepare's NotSafe: "safe (why)" or "not safe: why" */
        MIGRATION_VIEW_PREPARE,  /* what was done, then the state it left */
        MIGRATION_VIEW_COMPLETE, /* back on a VF or still without one, then the state */
        _MIGRATION_VIEW_MAX,
        _MIGRATION_VIEW_INVALID = -EINVAL,
} MigrationView;

/* hnvd's reason for an unsafe group says "not safe: " itself; the line
 * says it once. */
static const char *unsafe_reason(json_object *g) {
        const char *reason = get_str(g, "reason"), *rest = startswith(reason, "not safe: ");

        return rest ?: reason;
}

static void print_not_safe(FILE *f, json_object *g) {
        const char *why = unsafe_reason(g);

        fprintf(f, "not safe%s%s", why[0] ? ": " : "", why);
}

/* The reason is hnvd's; the fallbacks, from the other fields, are for an
 * hnvd that sends none. */
static void render_migration_group(FILE *f, json_object *g, MigrationView view) {
        const char *reason = get_str(g, "reason"), *state = get_str(g, "state");
        bool safe = get_bool(g, "safe");

        fprintf(f, "%s: ", get_str_or_dash(g, "name"));
        switch (view) {
        case MIGRATION_VIEW_SAFETY:
                if (!safe)
                        print_not_safe(f, g);
                else if (reason[0])
                        fprintf(f, "safe (%s)", reason);
                else
                        fputs("safe", f);
                /* Whether it is safe is the answer; the state is not news. */
                state = "";
                break;
        case MIGRATION_VIEW_PREPARE:
                if (!safe)
                        print_not_safe(f, g);
                else if (reason[0])
                        fputs(reason, f);
                else if (get_str(g, "active")[0])
                        fprintf(f, "%s active", get_str(g, "active"));
                else
                        fputs("prepared", f);
                break;
        case MIGRATION_VIEW_COMPLETE:
                /* Here safe means "back on a VF". */
                if (reason[0])
                        fputs(reason, f);
                else if (!safe)
                        fputs("still without a VF", f);
                else if (get_str(g, "vf")[0])
                        fprintf(f, "back on %s", get_str(g, "vf"));
                else
                        fputs("back on a VF", f);
                break;
        case _MIGRATION_VIEW_MAX:
        case _MIGRATION_VIEW_INVALID:
                break;
        }
        if (state[0])
                fprintf(f, " (%s)", state);
        fputc('\n', f);
}

/* One line per group. An error's empty list says nothing; a reply's says
 * so, as status does. */
static int render_migration_groups(FILE *f, json_object *parameters, MigrationView view, bool say_none) {
        json_object *groups = get_array(parameters, "groups");
        size_t n;

        if (!groups)
                return -EBADMSG;
        n = json_object_array_length(groups);
        for (size_t i = 0; i < n; i++)
                render_migration_group(f, json_object_array_get_idx(groups, i), view);
        if (n == 0 && say_none)
                fprintf(f, "No groups.\n");
        return 0;
}

static int render_query_migration(FILE *f, json_object *reply, const CtlRequest *req) {
        return render_migration_groups(f, reply, MIGRATION_VIEW_SAFETY, true);
}

static int render_prepare_migration(FILE *f, json_object *reply, const CtlRequest *req) {
        return render_migration_groups(f, reply, MIGRATION_VIEW_PREPARE, true);
}

static int render_complete_migration(FILE *f, json_object *reply, const CtlRequest *req) {
        return render_migration_groups(f, reply, MIGRATION_VIEW_COMPLETE, true);
}

/* NotSafe and Timeout say in "groups" how far each group got, which matters
 * more than the message: those lines go to stdout like a reply's. Errors
 * without groups (NoSuchGroup, PermissionDenied, ...) print nothing here. */
static int render_migration_error(FILE *f, json_object *parameters, const CtlRequest *req,
                                  MigrationView view) {
        if (!get_array(parameters, "groups"))
                return 0;
        if (req->json)
                return ctl_render_json(f, parameters);
        return render_migration_groups(f, parameters, view, false);
}

static int render_query_migration_error(FILE *f, const char *error, json_object *parameters,
                                        const CtlRequest *req) {
        return render_migration_error(f, parameters, req, MIGRATION_VIEW_SAFETY);
}

static int render_prepare_migration_error(FILE *f, const char *error, json_object *parameters,
                                          const CtlRequest *req) {
        /* NotSafe's groups are the safety check that refused; Timeout's say
         * what was done. */
        return render_migration_error(f, parameters, req,
                                      streq(error, "io.hnv.NotSafe") ? MIGRATION_VIEW_SAFETY
                                                                     : MIGRATION_VIEW_PREPARE);
}

static int render_complete_migration_error(FILE *f, const char *error, json_object *parameters,
                                           const CtlRequest *req) {
        return render_migration_error(f, parameters, req, MIGRATION_VIEW_COMPLETE);
}

/* A reply without a boolean "safe" did not say yes: the drmgr hook vetoes
 * on 6, and a migration should not go ahead on a garbled answer. */
static CtlExit query_migration_exit(json_object *reply) {
        return get_bool(reply, "safe") ? CTL_EXIT_OK : CTL_EXIT_NOT_SAFE;
}

CtlExit ctl_reply_exit_code(const CtlRequest *req, json_object *reply) {
        if (!req || !req->command || !req->command->reply_exit)
                return CTL_EXIT_OK;
        return req->command->reply_exit(reply);
}

int ctl_render_error(FILE *f, const CtlRequest *req, const char *varlink_error, json_object *parameters) {
        if (!req || !req->command || !varlink_error)
                return -EINVAL;
        if (!req->command->render_error || !parameters)
                return 0;
        return req->command->render_error(f, varlink_error, parameters, req);
}

int ctl_render_reply(FILE *f, const CtlRequest *req, json_object *reply) {
        if (!req || !req->command)
                return -EINVAL;
        /* Commands hnvctl answers itself have no reply to show as JSON. */
        if (req->json && req->command->method)
                return ctl_render_json(f, reply);
        if (!req->command->render)
                return 0;
        return req->command->render(f, reply, req);
}

/* ---- errors ---- */

static const struct {
        const char *error;
        CtlExit code;
} error_codes[] = {
        {"io.hnv.NoSuchGroup", CTL_EXIT_NOT_FOUND},
        {"io.hnv.NoSuchDevice", CTL_EXIT_NOT_FOUND},
        {VARLINK_ERROR_PERMISSION_DENIED, CTL_EXIT_PERMISSION},
        {"io.hnv.GroupExists", CTL_EXIT_FAILED},
        {"io.hnv.InvalidArgument", CTL_EXIT_FAILED},
        {"io.hnv.ConfigError", CTL_EXIT_FAILED},
        {"io.hnv.InternalError", CTL_EXIT_FAILED},
        {"io.hnv.NotSafe", CTL_EXIT_NOT_SAFE},
        {"io.hnv.Timeout", CTL_EXIT_TIMEOUT},
};

int ctl_exit_code_for_error(const char *varlink_error) {
        if (!varlink_error)
                return CTL_EXIT_OK;
        for (size_t i = 0; i < ELEMENTSOF(error_codes); i++)
                if (streq(error_codes[i].error, varlink_error))
                        return error_codes[i].code;
        return CTL_EXIT_FAILED;
}

char *ctl_error_message(const CtlRequest *req, const char *varlink_error, json_object *parameters) {
        const char *message = parameters ? get_str(parameters, "message") : "";
        const char *method = strna(ctl_request_method(req));
        char *s = NULL;
        int k;

        if (!varlink_error)
                return strdup("unknown error");
        if (streq(varlink_error, VARLINK_ERROR_PERMISSION_DENIED))
                /* hnvd's own text names the method; people want the rule. */
                return strdup("permission denied: only root may change hnv's state");
        if (streq(varlink_error, VARLINK_ERROR_METHOD_NOT_FOUND))
                k = asprintf(&s, "hnvd does not know %s; is it older than hnvctl?", method);
        else if (streq(varlink_error, "io.hnv.ConfigError"))
                k = asprintf(&s, "configuration error, hnvd keeps running the old one: %s",
                             message[0] ? message : "(no details)");
        else if (streq(varlink_error, "io.hnv.InternalError"))
                k = asprintf(&s, "hnvd failed: %s", message[0] ? message : "internal error");
        else if (message[0])
                k = asprintf(&s, "%s", message);
        else
                k = asprintf(&s, "%s failed: %s", method, varlink_error);
        return k < 0 ? NULL : s;
}

CtlExit ctl_transport_exit_code(int error, bool connecting) {
        return connecting && varlink_connect_error_is_absent(error) ? CTL_EXIT_UNREACHABLE
                                                                    : CTL_EXIT_NOT_ANSWERING;
}

char *ctl_transport_error_message(const CtlRequest *req, int error, bool connecting) {
        const char *path = req ? strna(req->socket_path) : "n/a";
        char *s = NULL;
        int k;

        if (connecting && ctl_transport_exit_code(error, connecting) == CTL_EXIT_NOT_ANSWERING)
                k = asprintf(
                        &s,
                        "hnvd at %s does not accept connections: %s (it runs but is overloaded or stuck)",
                        path, strerror(abs(error)));
        else if (connecting)
                k = asprintf(&s, "cannot reach hnvd at %s: %s (is hnvd running?)", path,
                             strerror(abs(error)));
        else if (error == -ETIMEDOUT && req && req->timeout_ms >= 0)
                k = asprintf(&s, "hnvd at %s did not answer within %g s", path, req->timeout_ms / 1000.0);
        else
                k = asprintf(&s, "lost connection to hnvd at %s: %s", path, strerror(abs(error)));
        return k < 0 ? NULL : s;
}
