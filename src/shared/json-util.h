/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

/* Parses exactly one JSON object from text[0..n): strict JSON (json-c
 * otherwise takes single quotes and other things no writer of ours sends),
 * nothing after it but white space. -EBADMSG for anything else, -EMSGSIZE
 * when n does not fit json-c's int. Varlink messages and the state file. */
int json_parse_object(const char *text, size_t n, json_object **ret);
