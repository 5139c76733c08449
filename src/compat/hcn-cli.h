/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "devicetree.h"
#include "macro.h"

/* The hcnmgr-compatible commands (hcnmgr(8)): one program, installed under
 * each name IBM's HMC calls, that takes the predecessor's arguments and
 * asks hnvd. This part is pure: arguments in, a request out; a reply in,
 * text and an exit status out. */

typedef enum HcnCommand {
        HCN_CMD_SCAN,       /* hcnmgr -s: boot reconcile */
        HCN_CMD_CONFIGURE,  /* hcncfgdrc DRC_INDEX= */
        HCN_CMD_QUERY,      /* hcnqrydev DRC_INDEX= [HCN_ID=] */
        HCN_CMD_REMOVE,     /* hcnrmdev DRC_INDEX= [HCN_ID=] */
        HCN_CMD_REMOVE_HCN, /* hcnrmhcn HCN_ID= */
        HCN_CMD_VERSION,    /* hcnversion */
        _HCN_CMD_MAX,
        _HCN_CMD_INVALID = -EINVAL,
} HcnCommand;

/* The predecessor's error codes: they appear in the text the console reads
 * ("hcnqrydev:error code 16, Network device busy, no backup device"); the
 * exit status is 1 for all of them, as it was. */
typedef enum HcnError {
        HCN_E_PERM = 1,
        HCN_E_NOMODULE = 5,
        HCN_E_BUSY = 16,
        HCN_E_NODEV = 19,
        HCN_E_INVAL = 22,
        HCN_E_NETUNREACH = 101,
} HcnError;

#define HCN_EXIT_OK     0
#define HCN_EXIT_FAILED 1

/* What hcnversion prints: the console reads the feature words. */
#define HCN_FEATURES_LINE "hcnmgr (features: vnic wicked)"

typedef struct HcnRequest {
        HcnCommand command;
        const char *name; /* the name it was called by, for messages */
        bool help, version, trace;
        const char *debug_level; /* -d: only logged, as before */
        bool has_drc_index;
        uint32_t drc_index;
        bool has_hcn_id;
        char hcn_id[HCN_ID_SIZE];
} HcnRequest;

/* The command a program name stands for (its basename): -EINVAL for none. */
HcnCommand hcn_command_from_name(const char *argv0);
const char *hcn_command_name(HcnCommand c);

/* Parses argv as the predecessor did: options -s -x -V -h -d LEVEL, and
 * DRC_INDEX=/HCN_ID= (STAKE_TOKEN= ignored) anywhere. On error returns
 * -EINVAL and a message in *ret_error. */
int hcn_parse_args(int argc, char **argv, HcnRequest *ret, char **ret_error);
void hcn_usage(FILE *f, const char *name);

/* The io.hnv method and its parameters; NULL method for hcnversion. */
const char *hcn_request_method(const HcnRequest *r);
json_object *hcn_request_params(const HcnRequest *r, int timeout_sec);

/* Prints what a reply means (stdout) and returns the exit status. error is
 * the Varlink error name or NULL; on error the message goes to err. */
int hcn_render(FILE *out, FILE *err, const HcnRequest *r, const char *error, json_object *reply);

/* "<name>:error code <n>, <text>" as the predecessor wrote it, plus detail. */
void hcn_print_error(FILE *err, const HcnRequest *r, HcnError code, const char *detail);
