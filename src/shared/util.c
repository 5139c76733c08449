/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
