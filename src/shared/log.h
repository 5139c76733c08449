/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

typedef enum LogTarget {
        LOG_TARGET_STDERR,  /* plain lines, for terminals and tests */
        LOG_TARGET_JOURNAL, /* structured fields: IFNAME=, HNV_GROUP= */
        _LOG_TARGET_MAX,
        _LOG_TARGET_INVALID = -EINVAL,
} LogTarget;

void log_setup(LogTarget target, int max_level);
int log_get_max_level(void);
int log_level_from_string(const char *s);
const char *log_level_to_string(int level);

/* Every log call returns -abs(error) so that `return log_error_errno(r, ...)`
 * logs once where the error stops travelling and still hands back -errno. */
int log_internal(int level, int error, const char *ifname, const char *group, const char *file, int line,
                 const char *format, ...) _printf_(7, 8);

#define log_full_errno(level, error, ifname, group, ...)                                                    \
        log_internal(level, error, ifname, group, __FILE__, __LINE__, __VA_ARGS__)

#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, NULL, NULL, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, NULL, NULL, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, NULL, NULL, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, NULL, NULL, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, NULL, NULL, __VA_ARGS__)

#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, NULL, NULL, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, NULL, NULL, __VA_ARGS__)

/* Per-interface and per-group messages carry the name in the text and as a
 * journal field, so `journalctl IFNAME=vf0` finds them. */
#define log_link_full_errno(level, e, ifname, ...) log_full_errno(level, e, ifname, NULL, __VA_ARGS__)
#define log_link_debug(ifname, ...)                log_link_full_errno(LOG_DEBUG, 0, ifname, __VA_ARGS__)
#define log_link_info(ifname, ...)                 log_link_full_errno(LOG_INFO, 0, ifname, __VA_ARGS__)
#define log_link_warning(ifname, ...)              log_link_full_errno(LOG_WARNING, 0, ifname, __VA_ARGS__)
#define log_link_warning_errno(ifname, e, ...)     log_link_full_errno(LOG_WARNING, e, ifname, __VA_ARGS__)
#define log_link_error_errno(ifname, e, ...)       log_link_full_errno(LOG_ERR, e, ifname, __VA_ARGS__)

#define log_group_full_errno(level, e, group, ifname, ...)                                                  \
        log_full_errno(level, e, ifname, group, __VA_ARGS__)
#define log_group_info(group, ...)           log_group_full_errno(LOG_INFO, 0, group, NULL, __VA_ARGS__)
#define log_group_debug(group, ...)          log_group_full_errno(LOG_DEBUG, 0, group, NULL, __VA_ARGS__)
#define log_group_warning(group, ...)        log_group_full_errno(LOG_WARNING, 0, group, NULL, __VA_ARGS__)
#define log_group_error_errno(group, e, ...) log_group_full_errno(LOG_ERR, e, group, NULL, __VA_ARGS__)
