/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "ifcfg.h"

typedef struct IfcfgLine {
        char *raw;   /* as read or written, without the newline */
        char *key;   /* NULL for blank and comment lines */
        char *value; /* decoded */
        /* Where the value's text sits in raw, so that rewriting it keeps the
         * indentation before and a comment after. */
        size_t value_start, value_end;
} IfcfgLine;

struct IfcfgDoc {
        IfcfgLine *lines;
        size_t n_lines, allocated;
        /* The text ended without a newline; kept so that a round trip is
         * byte-identical. A line appended later gets one again. */
        bool no_final_newline;
};

static void ifcfg_line_done(IfcfgLine *l) {
        free(l->raw);
        free(l->key);
        free(l->value);
        *l = (IfcfgLine){};
}

IfcfgDoc *ifcfg_doc_new(void) {
        return calloc(1, sizeof(IfcfgDoc));
}

IfcfgDoc *ifcfg_doc_free(IfcfgDoc *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_lines; i++)
                ifcfg_line_done(&d->lines[i]);
        free(d->lines);
        return mfree(d);
}

static int doc_insert(IfcfgDoc *d, size_t at, IfcfgLine *l) {
        if (d->n_lines == d->allocated) {
                size_t n = d->allocated ? d->allocated * 2 : 16;
                IfcfgLine *p = reallocarray(d->lines, n, sizeof(IfcfgLine));
                if (!p)
                        return -ENOMEM;
                d->lines = p;
                d->allocated = n;
        }
        memmove(&d->lines[at + 1], &d->lines[at], (d->n_lines - at) * sizeof(IfcfgLine));
        d->lines[at] = *l;
        *l = (IfcfgLine){};
        d->n_lines++;
        return 0;
}

bool ifcfg_key_is_valid(const char *key) {
        if (!key || !((*key >= 'A' && *key <= 'Z') || (*key >= 'a' && *key <= 'z') || *key == '_'))
                return false;
        for (const char *p = key + 1; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                      *p == '_'))
                        return false;
        return true;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* Characters sh gives a meaning outside quotes. '#' is not among them: it
 * only starts a comment at the beginning of a word. */
static bool is_bare_special(char c) {
        return strchr("\\$`;&|<>()'\"", c) != NULL;
}

/* Decodes the value that starts at s (just after '='). On success
 * *ret_end is the offset (from s) just after the value. */
static int parse_value(const char *s, char **ret, size_t *ret_end) {
        _cleanup_(freep) char *v = NULL;
        size_t n = 0;
        const char *p = s;

        /* The decoded value is never longer than the text. */
        v = malloc(strlen(s) + 1);
        if (!v)
                return -ENOMEM;

        /* A leading ~ is expanded by sh in an assignment. */
        if (*p == '~')
                return -EBADMSG;

        while (*p && !is_blank(*p)) {
                if (*p == '\'') {
                        const char *q = strchr(p + 1, '\'');
                        if (!q)
                                return -EBADMSG;
                        memcpy(v + n, p + 1, (size_t)(q - p - 1));
                        n += (size_t)(q - p - 1);
                        p = q + 1;
                } else if (*p == '"') {
                        for (p++;; p++) {
                                if (*p == '\0')
                                        return -EBADMSG;
                                if (*p == '"')
                                        break;
                                if (*p == '$' || *p == '`')
                                        return -EBADMSG;
                                if (*p == '\\') {
                                        /* A backslash at the end of the line continues it. */
                                        if (p[1] == '\0')
                                                return -EBADMSG;
                                        /* Inside double quotes sh drops the backslash only
                                         * before these; elsewhere both characters stay. */
                                        if (strchr("\"\\$`", p[1]))
                                                p++;
                                }
                                v[n++] = *p;
                        }
                        p++;
                } else if (is_bare_special(*p) || (unsigned char)*p < 0x20 || *p == 0x7f) {
                        return -EBADMSG;
                } else
                        v[n++] = *p++;
        }
        v[n] = '\0';

        *ret = TAKE_PTR(v);
        *ret_end = (size_t)(p - s);
        return 0;
}

/* Parses one line (no newline) into l, taking ownership of raw. */
static int parse_line(char *raw, IfcfgLine *l) {
        _cleanup_(freep) char *owned = raw, *key = NULL, *value = NULL;
        const char *p = raw, *k;
        size_t end;
        int r;

        while (is_blank(*p))
                p++;
        if (*p == '\0' || *p == '#') {
                *l = (IfcfgLine){.raw = TAKE_PTR(owned)};
                return 0;
        }

        k = p;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
                p++;
        if (p == k || (*k >= '0' && *k <= '9') || *p != '=')
                return -EBADMSG;
        key = strndup(k, (size_t)(p - k));
        if (!key)
                return -ENOMEM;
        p++;

        r = parse_value(p, &value, &end);
        if (r < 0)
                return r;

        /* After the value only blanks and a comment may follow: "KEY=a b"
         * would make sh run b. */
        const char *rest = p + end;
        while (is_blank(*rest))
                rest++;
        if (*rest != '\0' && *rest != '#')
                return -EBADMSG;

        *l = (IfcfgLine){
                .value_start = (size_t)(p - raw),
                .value_end = (size_t)(p - raw) + end,
                .raw = TAKE_PTR(owned),
                .key = TAKE_PTR(key),
                .value = TAKE_PTR(value),
        };
        return 0;
}

int ifcfg_doc_parse(const char *text, size_t size, IfcfgDoc **ret, unsigned *ret_line) {
        _cleanup_(ifcfg_doc_freep) IfcfgDoc *d = NULL;
        unsigned line = 0;
        size_t pos = 0;
        int r;

        if (!text || !ret)
                return -EINVAL;
        d = ifcfg_doc_new();
        if (!d)
                return -ENOMEM;

        while (pos < size) {
                const char *nl = memchr(text + pos, '\n', size - pos);
                size_t len = nl ? (size_t)(nl - (text + pos)) : size - pos;
                IfcfgLine l = {};
                char *raw;

                line++;
                if (memchr(text + pos, '\0', len)) {
                        r = -EBADMSG;
                        goto fail;
                }
                raw = strndup(text + pos, len);
                if (!raw)
                        return -ENOMEM;
                r = parse_line(raw, &l);
                if (r < 0)
                        goto fail;
                r = doc_insert(d, d->n_lines, &l);
                if (r < 0) {
                        ifcfg_line_done(&l);
                        return r;
                }
                if (!nl)
                        d->no_final_newline = true;
                pos += len + 1;
        }

        *ret = TAKE_PTR(d);
        return 0;

fail:
        if (ret_line)
                *ret_line = line;
        return r;
}

int ifcfg_doc_format(const IfcfgDoc *d, char **ret, size_t *ret_size) {
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!d || !ret)
                return -EINVAL;
        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_lines; i++) {
                fputs(d->lines[i].raw, f);
                if (i + 1 < d->n_lines || !d->no_final_newline)
                        fputc('\n', f);
        }
        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

size_t ifcfg_doc_n_lines(const IfcfgDoc *d) {
        return d ? d->n_lines : 0;
}

int ifcfg_quote(const char *value, char **ret) {
        char *s;

        if (!value || !ret)
                return -EINVAL;
        for (const char *p = value; *p; p++)
                if (*p == '\'' || (unsigned char)*p < 0x20 || *p == 0x7f)
                        return -EINVAL;
        if (asprintf(&s, "'%s'", value) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static ssize_t doc_find_last(const IfcfgDoc *d, const char *key) {
        for (size_t i = d->n_lines; i > 0; i--)
                if (streq_ptr(d->lines[i - 1].key, key))
                        return (ssize_t)(i - 1);
        return -ENOENT;
}

const char *ifcfg_doc_get(const IfcfgDoc *d, const char *key) {
        ssize_t i;

        if (!d || !key)
                return NULL;
        i = doc_find_last(d, key);
        return i < 0 ? NULL : d->lines[i].value;
}

int ifcfg_doc_set_at(IfcfgDoc *d, size_t i, const char *value) {
        _cleanup_(freep) char *quoted = NULL, *raw = NULL, *v = NULL;
        IfcfgLine *l;
        int r;

        if (!d || i >= d->n_lines || !d->lines[i].key || !value)
                return -EINVAL;
        l = &d->lines[i];
        r = ifcfg_quote(value, &quoted);
        if (r < 0)
                return r;
        /* Same value, perhaps quoted otherwise: leave the admin's bytes. */
        if (streq(l->value, value))
                return 0;

        if (asprintf(&raw, "%.*s%s%s", (int)l->value_start, l->raw, quoted, l->raw + l->value_end) < 0)
                return -ENOMEM;
        v = strdup(value);
        if (!v)
                return -ENOMEM;

        free(l->raw);
        free(l->value);
        l->value_end = l->value_start + strlen(quoted);
        l->raw = TAKE_PTR(raw);
        l->value = TAKE_PTR(v);
        return 0;
}

static int make_assignment(const char *key, const char *value, IfcfgLine *ret) {
        _cleanup_(freep) char *quoted = NULL, *raw = NULL, *k = NULL, *v = NULL;
        int r;

        if (!ifcfg_key_is_valid(key) || !value)
                return -EINVAL;
        r = ifcfg_quote(value, &quoted);
        if (r < 0)
                return r;
        if (asprintf(&raw, "%s=%s", key, quoted) < 0)
                return -ENOMEM;
        k = strdup(key);
        v = strdup(value);
        if (!k || !v)
                return -ENOMEM;

        /* Not inside the initializer below: its order of evaluation is
         * unspecified, and TAKE_PTR(raw) may come first. */
        size_t end = strlen(raw);

        *ret = (IfcfgLine){
                .value_start = strlen(key) + 1,
                .value_end = end,
                .raw = TAKE_PTR(raw),
                .key = TAKE_PTR(k),
                .value = TAKE_PTR(v),
        };
        return 0;
}

int ifcfg_doc_insert(IfcfgDoc *d, size_t at, const char *key, const char *value) {
        IfcfgLine l;
        int r;

        if (!d || at > d->n_lines)
                return -EINVAL;
        r = make_assignment(key, value, &l);
        if (r < 0)
                return r;
        r = doc_insert(d, at, &l);
        if (r < 0) {
                ifcfg_line_done(&l);
                return r;
        }
        if (at == d->n_lines - 1)
                d->no_final_newline = false;
        return 0;
}

const char *ifcfg_doc_key_at(const IfcfgDoc *d, size_t i) {
        return d && i < d->n_lines ? d->lines[i].key : NULL;
}

int ifcfg_doc_copy_line(IfcfgDoc *dst, size_t at, const IfcfgDoc *src, size_t i) {
        const IfcfgLine *from;
        IfcfgLine l;
        int r;

        if (!dst || !src || at > dst->n_lines || i >= src->n_lines)
                return -EINVAL;
        from = &src->lines[i];
        l = (IfcfgLine){
                .raw = strdup(from->raw),
                .key = from->key ? strdup(from->key) : NULL,
                .value = from->value ? strdup(from->value) : NULL,
                .value_start = from->value_start,
                .value_end = from->value_end,
        };
        if (!l.raw || (from->key && !l.key) || (from->value && !l.value)) {
                ifcfg_line_done(&l);
                return -ENOMEM;
        }
        r = doc_insert(dst, at, &l);
        if (r < 0) {
                ifcfg_line_done(&l);
                return r;
        }
        /* The copy of a source's unterminated last line is a line like any
         * other here: it gets its newline. */
        if (at == dst->n_lines - 1)
                dst->no_final_newline = false;
        return 0;
}

int ifcfg_doc_set(IfcfgDoc *d, const char *key, const char *value) {
        ssize_t i;

        if (!d || !ifcfg_key_is_valid(key) || !value)
                return -EINVAL;
        i = doc_find_last(d, key);
        if (i >= 0)
                return ifcfg_doc_set_at(d, (size_t)i, value);
        return ifcfg_doc_insert(d, d->n_lines, key, value);
}

int ifcfg_doc_remove_at(IfcfgDoc *d, size_t i) {
        if (!d || i >= d->n_lines)
                return -EINVAL;
        ifcfg_line_done(&d->lines[i]);
        memmove(&d->lines[i], &d->lines[i + 1], (d->n_lines - i - 1) * sizeof(IfcfgLine));
        d->n_lines--;
        /* Removing the last line hands its missing newline to nobody: the
         * new last line had one. */
        if (i == d->n_lines)
                d->no_final_newline = false;
        return 0;
}

int ifcfg_doc_unset(IfcfgDoc *d, const char *key) {
        int n = 0;

        if (!d || !key)
                return -EINVAL;
        for (size_t i = d->n_lines; i > 0; i--)
                if (streq_ptr(d->lines[i - 1].key, key)) {
                        (void)ifcfg_doc_remove_at(d, i - 1);
                        n++;
                }
        return n;
}

int ifcfg_doc_find_prefix(const IfcfgDoc *d, size_t i, const char *prefix, const char **ret_key,
                          const char **ret_value) {
        if (!d || !prefix)
                return -EINVAL;
        for (; i < d->n_lines; i++) {
                const IfcfgLine *l = &d->lines[i];
                if (l->key && strncmp(l->key, prefix, strlen(prefix)) == 0) {
                        if (ret_key)
                                *ret_key = l->key;
                        if (ret_value)
                                *ret_value = l->value;
                        return (int)i;
                }
        }
        return -ENOENT;
}

bool ifcfg_doc_has_marker(const IfcfgDoc *d) {
        if (!d)
                return false;
        for (size_t i = 0; i < d->n_lines; i++)
                if (!d->lines[i].key && streq(d->lines[i].raw, IFCFG_MARKER))
                        return true;
        return false;
}

int ifcfg_doc_add_marker(IfcfgDoc *d) {
        IfcfgLine l = {};
        int r;

        if (!d)
                return -EINVAL;
        if (ifcfg_doc_has_marker(d))
                return 0;
        l.raw = strdup(IFCFG_MARKER);
        if (!l.raw)
                return -ENOMEM;
        r = doc_insert(d, 0, &l);
        if (r < 0) {
                ifcfg_line_done(&l);
                return r;
        }
        /* An empty document had no last line to lack a newline. */
        if (d->n_lines == 1)
                d->no_final_newline = false;
        return 0;
}

int ifcfg_doc_remove_marker(IfcfgDoc *d) {
        int n = 0;

        if (!d)
                return -EINVAL;
        for (size_t i = d->n_lines; i > 0; i--)
                if (!d->lines[i - 1].key && streq(d->lines[i - 1].raw, IFCFG_MARKER)) {
                        (void)ifcfg_doc_remove_at(d, i - 1);
                        n++;
                }
        return n;
}
