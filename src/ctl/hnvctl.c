/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hnvctl: parse, call hnvd, print. Everything that decides anything lives
 * in ctl.c, where the unit tests reach it. */
#include <stdio.h>

#include "ctl.h"
#include "varlink.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

static int fail(CtlExit code, char *message) {
        fprintf(stderr, "hnvctl: %s\n", message ? message : strerror(ENOMEM));
        free(message);
        return code;
}

int main(int argc, char **argv) {
        _cleanup_(json_object_putp) json_object *params = NULL, *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        _cleanup_(closep) int fd = -EBADF;
        CtlRequest req;
        const char *method;
        int k;

        k = ctl_parse_args(argc, argv, &req, &error);
        if (k < 0) {
                fprintf(stderr, "hnvctl: %s\nTry 'hnvctl --help'.\n", error ? error : strerror(-k));
                return CTL_EXIT_USAGE;
        }
        if (req.help) {
                ctl_help(stdout);
                return CTL_EXIT_OK;
        }

        method = ctl_request_method(&req);
        if (method) {
                params = ctl_request_params(&req);
                if (!params)
                        return fail(CTL_EXIT_FAILED, NULL);
                k = varlink_connect(req.socket_path, VARLINK_CONNECT_TIMEOUT_MS, &fd);
                if (k < 0)
                        return fail(ctl_transport_exit_code(k, true),
                                    ctl_transport_error_message(&req, k, true));
                k = varlink_call_sync(fd, method, params, req.timeout_ms, &reply, &error);
                if (k < 0)
                        return fail(ctl_transport_exit_code(k, false),
                                    ctl_transport_error_message(&req, k, false));
                if (k > 0) {
                        /* Lines first, then the message: flushed, so that
                         * they stay in that order when both streams go to
                         * one place. A reply too garbled to render still
                         * has its message and its exit status. */
                        (void)ctl_render_error(stdout, &req, error, reply);
                        (void)fflush(stdout);
                        return fail(ctl_exit_code_for_error(error), ctl_error_message(&req, error, reply));
                }
        }

        k = ctl_render_reply(stdout, &req, reply);
        if (k == -ENOENT)
                return fail(CTL_EXIT_NOT_FOUND, strdup("hnvd's reply lacks the group asked for"));
        if (k < 0)
                return fail(CTL_EXIT_FAILED, strdup("cannot make sense of hnvd's reply"));
        if (fflush(stdout) != 0 || ferror(stdout))
                return fail(CTL_EXIT_FAILED, strdup("cannot write the output"));
        return ctl_reply_exit_code(&req, reply);
}
