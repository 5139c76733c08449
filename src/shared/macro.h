/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f)         __attribute__((cleanup(f)))
#define _unused_             __attribute__((unused))
#define _printf_(a, b)       __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hands ownership of *p to the caller and leaves NULL behind, so the cleanup
 * attribute on the original variable becomes a no-op. */
#define TAKE_PTR(p)                                                                                         \
        ({                                                                                                  \
                __typeof__(p) _p_ = (p);                                                                    \
                (p) = NULL;                                                                                 \
                _p_;                                                                                        \
        })

#define TAKE_FD(fd)                                                                                         \
        ({                                                                                                  \
                int _fd_ = (fd);                                                                            \
                (fd) = -EBADF;                                                                              \
                _fd_;                                                                                       \
        })

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                             \
        static inline _unused_ void func##p(type *p) {                                                      \
                if (*p)                                                                                     \
                        func(*p);                                                                           \
        }

static inline bool streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

/* s past prefix, or NULL when s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);

        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

static inline const char *strna(const char *s) {
        return s ? s : "n/a";
}

static inline void freep(void *p) {
        free(*(void **)p);
}

static inline void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

/* Destructors in this project accept NULL and return NULL, so that
 * `x = thing_free(x);` leaves no dangling pointer. */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);

/* Whether l (NULL-terminated, may be NULL) holds the n bytes at s as a
 * whole entry. */
static inline bool strv_contains_n(char *const *l, const char *s, size_t n) {
        for (char *const *i = l; i && *i; i++)
                if (strncmp(*i, s, n) == 0 && (*i)[n] == '\0')
                        return true;
        return false;
}

static inline bool strv_contains(char *const *l, const char *s) {
        return strv_contains_n(l, s, strlen(s));
}

/* Appends a copy of s to *l unless it is there: 1 when added, 0 when it
 * was there, -ENOMEM. */
static inline int strv_extend_unique(char ***l, const char *s) {
        size_t n = 0;
        char **a, *c;

        if (strv_contains(*l, s))
                return 0;
        while (*l && (*l)[n])
                n++;
        c = strdup(s);
        if (!c)
                return -ENOMEM;
        a = realloc(*l, (n + 2) * sizeof(char *));
        if (!a) {
                free(c);
                return -ENOMEM;
        }
        a[n] = c;
        a[n + 1] = NULL;
        *l = a;
        return 1;
}

/* Copies src into a fixed buffer; fails rather than truncates, because a
 * truncated interface name names another interface. */
static inline int strscpy_strict(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);
        if (n >= size)
                return -ENAMETOOLONG;
        memcpy(dst, src, n + 1);
        return 0;
}

static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}
