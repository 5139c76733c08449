/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "macro.h"

/* hnvctl without its sockets: argument parsing, request building, output
 * rendering and error mapping are pure functions, so the unit tests check
 * them against tables and golden files. hnvctl.c only connects and calls. */

#define CTL_TIMEOUT_DEFAULT_MS 10000

/* prepare-migration and complete-migration: how long hnvd waits unless
 * --timeout says otherwise (hnvd's own default, sent explicitly so the two
 * cannot drift apart), the most it accepts, and how much longer hnvctl
 * waits for the answer, so that it never gives up before hnvd reports. */
#define CTL_WAIT_DEFAULT_MS 30000
#define CTL_WAIT_MAX_MS     (24 * 3600 * 1000)
#define CTL_WAIT_MARGIN_MS  5000

/* hnvctl's exit status; hnvctl(8) documents it and scripts rely on it, so a
 * value never changes meaning. */
typedef enum CtlExit {
        CTL_EXIT_OK = 0,
        CTL_EXIT_FAILED = 1,      /* hnvd refused or failed the operation */
        CTL_EXIT_USAGE = 2,       /* bad command line */
        CTL_EXIT_NOT_FOUND = 3,   /* no such group or device */
        CTL_EXIT_PERMISSION = 4,  /* the operation needs root */
        CTL_EXIT_UNREACHABLE = 5, /* hnvd not running: no socket, or nobody listens on it */
        CTL_EXIT_NOT_SAFE = 6,    /* removing the VF for a migration is not safe now */
        CTL_EXIT_TIMEOUT = 7,     /* a wait on hnvd's side (--timeout) ended first */
        /* hnvd runs but does not answer: the connection or the reply took
         * longer than allowed, or the connection broke. */
        CTL_EXIT_NOT_ANSWERING = 8,
} CtlExit;

/* What the one positional argument after the command names. */
typedef enum CtlOperand {
        CTL_OPERAND_NONE,
        CTL_OPERAND_GROUP,  /* sent as "group" */
        CTL_OPERAND_DEVICE, /* sent as "device" */
        _CTL_OPERAND_MAX,
        _CTL_OPERAND_INVALID = -EINVAL,
} CtlOperand;

/* Options that belong to a command rather than to hnvctl, as bits. Each is
 * sent as the parameter of the same name. */
typedef enum CtlOption {
        CTL_OPTION_PRIMARY = 1 << 0, /* --primary DEV|MAC */
        CTL_OPTION_BACKUP = 1 << 1,  /* --backup DEV|MAC */
        CTL_OPTION_BOND = 1 << 2,    /* --bond NAME */
        CTL_OPTION_ALL = 1 << 3,     /* --all, a flag: sent as "all": true */
} CtlOption;

typedef struct CtlRequest CtlRequest;

/* Prints a successful reply's parameters as text. */
typedef int (*ctl_render_t)(FILE *f, json_object *reply, const CtlRequest *req);
/* Prints what an error reply's parameters carry besides the message. */
typedef int (*ctl_render_error_t)(FILE *f, const char *varlink_error, json_object *parameters,
                                  const CtlRequest *req);
/* The exit status for a successful reply: a question answered "no" is not
 * an error, and scripts still want to branch on it. */
typedef CtlExit (*ctl_reply_exit_t)(json_object *reply);

/* One row of hnvctl's command table: a new command is a new row. */
typedef struct CtlCommand {
        const char *name;
        const char *method; /* the io.hnv method; NULL when hnvctl answers by itself */
        CtlOperand operand;
        bool operand_required;
        bool operand_or_all;             /* exactly one of the operand and --all */
        bool waits;                      /* --timeout bounds hnvd's wait and is sent as timeout_ms */
        unsigned options;                /* CtlOption bits the command accepts */
        unsigned required_options;       /* ... and of those, the ones it needs */
        ctl_render_t render;             /* NULL: print nothing on success (unless --json) */
        ctl_render_error_t render_error; /* NULL: an error reply prints only its message */
        ctl_reply_exit_t reply_exit;     /* NULL: a successful reply exits 0 */
        const char *synopsis;            /* arguments, for --help */
        const char *help;
} CtlCommand;

struct CtlRequest {
        const CtlCommand *command; /* NULL when only help was asked for */
        bool help;
        bool json;
        const char *socket_path; /* --socket, else $HNV_SOCKET, else the built-in path */
        int timeout_ms;          /* for the answer; -1: wait forever */
        int wait_ms;             /* commands that wait: hnvd's wait (timeout_ms); 0 for the others */
        bool all;                /* --all */
        /* These point into argv. */
        const char *operand; /* GROUP or DEV, NULL when not given */
        const char *primary;
        const char *backup;
        const char *bond;
};

const CtlCommand *ctl_command_find(const char *name);

/* 0, or -EINVAL with a message for the user in *ret_error (no "hnvctl: "
 * prefix; free() it). Without a command the request is "status". May
 * permute argv, as getopt does. */
int ctl_parse_args(int argc, char **argv, CtlRequest *ret, char **ret_error);
void ctl_help(FILE *f);

/* NULL for commands hnvctl answers itself. */
const char *ctl_request_method(const CtlRequest *req);
/* The call's parameters (a new object), NULL on OOM. */
json_object *ctl_request_params(const CtlRequest *req);

/* Exit status for a successful reply: CTL_EXIT_OK, or what the command's
 * reply_exit says (query-migration: CTL_EXIT_NOT_SAFE when not safe). */
CtlExit ctl_reply_exit_code(const CtlRequest *req, json_object *reply);

/* Renderers return 0, -ENOENT when only_group is not in the reply, or
 * -EBADMSG when the reply lacks what they need. */
int ctl_render_json(FILE *f, json_object *reply);
int ctl_render_status(FILE *f, json_object *reply, const char *only_group, bool json);
int ctl_render_list(FILE *f, json_object *reply, bool json);
/* The command's renderer, or JSON with --json. */
int ctl_render_reply(FILE *f, const CtlRequest *req, json_object *reply);

/* For an error reply, what its parameters carry besides the message (the
 * migration errors' groups), as text or with --json as JSON; prints nothing
 * for errors that carry nothing more. The message itself is
 * ctl_error_message()'s. */
int ctl_render_error(FILE *f, const CtlRequest *req, const char *varlink_error, json_object *parameters);

/* A Varlink error name to an exit status; NULL (no error) is CTL_EXIT_OK. */
int ctl_exit_code_for_error(const char *varlink_error);
/* The text after "hnvctl: " for an error reply, or for a transport failure
 * (error < 0; connecting tells whether it happened before the call).
 * Returns NULL on OOM. */
char *ctl_error_message(const CtlRequest *req, const char *varlink_error, json_object *parameters);
char *ctl_transport_error_message(const CtlRequest *req, int error, bool connecting);
/* The exit status for a transport failure: CTL_EXIT_UNREACHABLE when
 * nothing listens (hnvd is not running), else CTL_EXIT_NOT_ANSWERING. */
CtlExit ctl_transport_exit_code(int error, bool connecting);
