/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
DEFINE_TRIVIAL_CLEANUP_FUNC(json_tokener *, json_tokener_free);

int json_parse_object(const char *text, size_t n, json_object **ret) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;

        if (n > INT_MAX)
                return -EMSGSIZE;
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        o = json_tokener_parse_ex(tok, text, (int)n);
        if (!o || json_tokener_get_error(tok) != json_tokener_success)
                return -EBADMSG;
        /* strchr() finds the terminating NUL too: a NUL is no white space. */
        for (size_t end = json_tokener_get_parse_end(tok); end < n; end++)
                if (text[end] == '\0' || !strchr(" \t\r\n", text[end]))
                        return -EBADMSG;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        *ret = TAKE_PTR(o);
        return 0;
}
