/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "run-lock.h"

static void on_alarm(int sig) {
        (void)sig; /* only there to interrupt flock() */
}

int run_lock_acquire(const char *rundir, unsigned timeout_sec, int *ret_fd, bool *ret_waited) {
        _cleanup_(freep) char *path = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int k = 0;

        if (asprintf(&path, "%s/" RUN_LOCK_NAME, rundir) < 0)
                return -ENOMEM;
        if (mkdir(rundir, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;

        if (ret_waited)
                *ret_waited = false;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                goto done;
        if (errno != EWOULDBLOCK)
                return -errno;
        if (ret_waited)
                *ret_waited = true;

        if (timeout_sec == 0) {
                while (flock(fd, LOCK_EX) < 0)
                        if (errno != EINTR)
                                return -errno;
                goto done;
        }

        /* The kernel wakes a blocked flock() when the holder lets go; a
         * timer signal without SA_RESTART bounds the wait. */
        struct sigaction sa = {.sa_handler = on_alarm}, old;
        timer_t timer;
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
        struct itimerspec its = {.it_value.tv_sec = timeout_sec};

        if (sigaction(SIGALRM, &sa, &old) < 0)
                return -errno;
        if (timer_create(CLOCK_MONOTONIC, &sev, &timer) < 0) {
                k = -errno;
                (void)sigaction(SIGALRM, &old, NULL);
                return k;
        }
        (void)timer_settime(timer, 0, &its, NULL);
        if (flock(fd, LOCK_EX) < 0)
                k = errno == EINTR ? -ETIMEDOUT : -errno;
        timer_delete(timer);
        (void)sigaction(SIGALRM, &old, NULL);
        if (k < 0)
                return k;
done:
        *ret_fd = TAKE_FD(fd);
        return 0;
}
