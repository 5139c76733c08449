/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);

/* For functions that return -errno and explain it in *ret_error (which may
 * be NULL): sets *ret_error to the formatted text and returns k. */
int set_error(char **ret_error, int k, const char *fmt, ...) _printf_(3, 4);

/* Reads a whole file of at most max bytes into *ret, NUL-terminated (the
 * NUL not counted in *ret_size). A FIFO or a device put where the file
 * should be is refused without blocking, a larger file too: files hnv
 * reads at start-up must never hang it or fill its memory. Returns 1, 0
 * when the file does not exist, or -errno with the reason in *ret_error. */
int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_size, char **ret_error);

/* The same for a file the caller opened (with O_NONBLOCK, so that a FIFO
 * cannot hang the open): path only names it in *ret_error. Returns 1 or
 * -errno: -EINVAL for anything but a regular file, -EFBIG above max. */
int read_fd_bounded(int fd, const char *path, size_t max, char **ret, size_t *ret_size, char **ret_error);

/* The crash-consistency scenario's kill points (tests/integration/
 * crash-points.sh): when $HNV_CRASH_POINT names this point, the process
 * kills itself with SIGKILL here, as a power cut or the OOM killer would.
 * Only whoever sets hnvd's environment (root) can ask for it. */
void crash_point(const char *name);
