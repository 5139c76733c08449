/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macro.h"

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);

/* For functions that return -errno and explain it in *ret_error (which may
 * be NULL): sets *ret_error to the formatted text and returns k. */
int set_error(char **ret_error, int k, const char *fmt, ...) _printf_(3, 4);
