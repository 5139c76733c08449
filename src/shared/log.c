/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "log.h"

static LogTarget log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;

static const char *const level_names[] = {
        [LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "err",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_setup(LogTarget target, int max_level) {
        log_target = target;
        log_max_level = max_level;
}

int log_get_max_level(void) {
        return log_max_level;
}

int log_level_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (streq(s, level_names[i]))
                        return (int)i;
        if (streq(s, "error"))
                return LOG_ERR;
        return -EINVAL;
}

const char *log_level_to_string(int level) {
        if (level < 0 || (size_t)level >= ELEMENTSOF(level_names))
                return NULL;
        return level_names[level];
}

int log_internal(int level, int error, const char *ifname, const char *group, const char *file, int line,
                 const char *format, ...) {
        int saved_errno = errno;
        error = error < 0 ? -error : error;

        if (level > log_max_level)
                goto finish;

        char buf[1024];
        size_t n = 0;
        /* The names lead the text too, so a plain grep finds every line about them. */
        if (group)
                n += snprintf(buf + n, sizeof(buf) - n, "group %s: ", group);
        if (ifname && n < sizeof(buf))
                n += snprintf(buf + n, sizeof(buf) - n, "%s: ", ifname);
        if (n < sizeof(buf)) {
                va_list ap;
                va_start(ap, format);
                /* %m in our messages means the error we were handed, not a stale errno. */
                errno = error;
                vsnprintf(buf + n, sizeof(buf) - n, format, ap);
                va_end(ap);
        }

        /* Names and values in messages come from devices, files and
         * clients: a newline or an escape sequence in one must not forge a
         * line or repaint a terminal. */
        for (char *c = buf; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';

        if (log_target == LOG_TARGET_JOURNAL) {
                char code_line[16];
                snprintf(code_line, sizeof(code_line), "%d", line);
                sd_journal_send("MESSAGE=%s", buf, "PRIORITY=%d", level, "CODE_FILE=%s", file,
                                "CODE_LINE=%s", code_line, "IFNAME=%s", strempty(ifname), "HNV_GROUP=%s",
                                strempty(group), "ERRNO=%d", error, "SYSLOG_IDENTIFIER=%s",
                                program_invocation_short_name, NULL);
        } else {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                fprintf(stderr, "[%5lld.%06ld] %s: %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000,
                        level_names[level], buf);
        }

finish:
        errno = saved_errno;
        return -error;
}
