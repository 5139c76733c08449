/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hcn commands as the console calls them: an argument vector, then the
 * reply hnvd gave, rendered to the text the console reads. The input is
 * the arguments, each ended by a NUL, an empty one ending the list; one
 * byte choosing the error name; the reply's JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hcn-cli.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

static const char *const errors[] = {
        NULL,
        "io.hnv.NotSafe",
        "io.hnv.NoSuchDevice",
        "io.hnv.Timeout",
        "io.hnv.InvalidParameter",
        "org.varlink.service.PermissionDenied",
        "org.varlink.service.MethodNotFound",
        "io.hnv.SomethingNew",
};

#define ARGS_MAX 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static FILE *null;
        _cleanup_(freep) char *text = NULL, *error = NULL;
        _cleanup_(json_object_putp) json_object *params = NULL, *reply = NULL;
        char *argv[ARGS_MAX + 1];
        size_t off = 0;
        int argc = 0;
        HcnRequest r;

        if (!null)
                null = fopen("/dev/null", "we");
        if (!null || size > 8192)
                return 0;
        text = fuzz_text(data, size);
        if (!text)
                return 0;

        /* hcn_parse_args() gets argv[0] too: the name decides the command. */
        while (off < size && argc < ARGS_MAX) {
                size_t n = strlen(text + off);
                if (n == 0) {
                        off++;
                        break;
                }
                argv[argc++] = text + off;
                off += n + 1;
        }
        argv[argc] = NULL;
        if (argc == 0)
                return 0;

        if (hcn_parse_args(argc, argv, &r, &error) < 0) {
                /* As hcnmgr's main() answers a bad command line. */
                HcnRequest named = {.name = hcn_command_name(hcn_command_from_name(argv[0]))};
                hcn_print_error(null, &named, HCN_E_INVAL, error);
                hcn_usage(null, named.name ?: "hcnmgr");
                return 0;
        }
        if (hcn_request_method(&r))
                params = hcn_request_params(&r, 30);

        const char *err = off < size ? errors[(uint8_t)text[off++] % ELEMENTSOF(errors)] : NULL;
        reply = off < size ? json_tokener_parse(text + off) : NULL;
        (void)hcn_render(null, null, &r, err, reply);
        return 0;
}
