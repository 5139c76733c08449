/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

void crash_point(const char *name) {
        static const char *want = (const char *)-1;
        static const char prefix[] = "hnv: crash point ";

        if (want == (const char *)-1)
                want = getenv("HNV_CRASH_POINT");
        if (!want || strcmp(want, name) != 0)
                return;
        /* Said on stderr by hand: the logging may be the journal's. */
        (void)!write(STDERR_FILENO, prefix, sizeof(prefix) - 1);
        (void)!write(STDERR_FILENO, name, strlen(name));
        (void)!write(STDERR_FILENO, "\n", 1);
        (void)raise(SIGKILL);
}

int set_error(char **ret_error, int k, const char *fmt, ...) {
        va_list ap;

        if (!ret_error)
                return k;
        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return k;
}

int read_file_bounded(const char *path, size_t max, char **ret, size_t *ret_size, char **ret_error) {
        _cleanup_(closep) int fd = -EBADF;

        /* O_NONBLOCK: a FIFO must not hang the open; it is refused below. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return set_error(ret_error, negative_errno(), "%s: %m", path);
        }
        return read_fd_bounded(fd, path, max, ret, ret_size, ret_error);
}

int read_fd_bounded(int fd, const char *path, size_t max, char **ret, size_t *ret_size, char **ret_error) {
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, allocated = 0;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return set_error(ret_error, negative_errno(), "%s: %m", path);
        if (S_ISDIR(st.st_mode))
                return set_error(ret_error, -EISDIR, "%s: %s", path, strerror(EISDIR));
        if (!S_ISREG(st.st_mode))
                return set_error(ret_error, -EINVAL, "%s: not a regular file", path);

        for (;;) {
                ssize_t n;

                if (size > max)
                        return set_error(ret_error, -EFBIG, "%s: larger than %zu bytes", path, max);
                if (allocated - size < 4096) {
                        char *p = realloc(buf, allocated + 16384);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated += 16384;
                }
                /* One byte stays free for the terminating NUL. */
                n = read(fd, buf + size, allocated - size - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return set_error(ret_error, negative_errno(), "%s: %m", path);
                }
                if (n == 0)
                        break;
                size += (size_t)n;
        }
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 1;
}
