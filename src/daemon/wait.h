/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "manager.h"

/* Calls answered later: a wait is checked after every reconcile pass, and
 * once more when its time is up, which it must then answer. Every wait is
 * bounded; none polls. */

/* 0: keep waiting. 1: done, *ret_params is the reply. -errno: done, failed,
 * with *ret_message and optional *ret_params (manager.h says which errno
 * means what to a caller). */
typedef int (*wait_check_t)(Manager *m, void *data, bool timed_out, json_object **ret_params,
                            char **ret_message);

/* Checks at once, then after each pass. Takes data (freed with free_data)
 * also on error; answers through reply. */
int wait_start(Manager *m, uint64_t timeout_usec, wait_check_t check, void *data, void (*free_data)(void *),
               const ManagerReply *reply);
void waits_check(Manager *m);
void waits_free(Manager *m);
