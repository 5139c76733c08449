/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "macro.h"

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);

/* For functions that return -errno and explain it in *ret_error (which may
 * be NULL): sets *ret_error to the formatted text and returns k. */
int set_error(char **ret_error, int k, const char *fmt, ...) _printf_(3, 4);

/* The crash-consistency scenario's kill points (tests/integration/
 * crash-points.sh): when $HNV_CRASH_POINT names this point, the process
 * kills itself with SIGKILL here, as a power cut or the OOM killer would.
 * Only whoever sets hnvd's environment (root) can ask for it. */
void crash_point(const char *name);
