/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <json-c/json.h>
#include <stdio.h>

#include "json-util.h"
#include "state-file.h"
#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

void group_records_free(GroupRecord *records, size_t n) {
        for (size_t i = 0; i < n; i++)
                group_spec_free(records[i].spec);
        free(records);
}

static json_object *record_to_json(const GroupRecord *r) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        _cleanup_(freep) char *primary = NULL, *backup = NULL;

        if (!o)
                return NULL;
        primary = port_match_to_string(&r->spec->match[PORT_ROLE_PRIMARY]);
        backup = port_match_to_string(&r->spec->match[PORT_ROLE_BACKUP]);
        if (!primary || !backup)
                return NULL;
        json_object_object_add(o, "name", json_object_new_string(r->spec->name));
        json_object_object_add(o, "source", json_object_new_string(group_source_to_string(r->spec->source)));
        json_object_object_add(o, "bond", json_object_new_string(r->spec->bond_name));
        json_object_object_add(o, "primary", json_object_new_string(primary));
        json_object_object_add(o, "backup", json_object_new_string(backup));
        json_object_object_add(o, "migrating", json_object_new_boolean(r->migrating));
        json_object_object_add(o, "migrating_since", json_object_new_int64((int64_t)r->migrating_since));
        json_object_object_add(o, "released_ifindex", json_object_new_int(r->released_ifindex));
        json_object_object_add(o, "disabled", json_object_new_boolean(r->disabled));
        return TAKE_PTR(o);
}

int state_file_write(const char *path, const GroupRecord *records, size_t n, const int *excluded,
                     size_t n_excluded) {
        _cleanup_(json_object_putp) json_object *root = json_object_new_object(),
                                                *groups = json_object_new_array(),
                                                *ex = json_object_new_array();
        _cleanup_(freep) char *tmp = NULL;
        _cleanup_(closep) int fd = -EBADF;
        const char *text;
        size_t len;

        if (!root || !groups || !ex)
                return -ENOMEM;
        for (size_t i = 0; i < n_excluded; i++)
                json_object_array_add(ex, json_object_new_int(excluded[i]));
        for (size_t i = 0; i < n; i++) {
                json_object *g = record_to_json(&records[i]);
                if (!g)
                        return -ENOMEM;
                json_object_array_add(groups, g);
        }
        json_object_object_add(root, "version", json_object_new_int(1));
        json_object_object_add(root, "groups", TAKE_PTR(groups));
        json_object_object_add(root, "excluded_ifindexes", TAKE_PTR(ex));

        text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
        len = strlen(text);

        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        for (size_t off = 0; off < len;) {
                ssize_t w = write(fd, text + off, len - off);
                if (w < 0) {
                        int k = negative_errno();
                        (void)unlink(tmp);
                        return k;
                }
                off += (size_t)w;
        }
        /* A reader (a restarted hnvd) sees the old file or the new one,
         * never half of one. */
        crash_point("state-file-written");
        if (fsync(fd) < 0 || rename(tmp, path) < 0) {
                int k = negative_errno();
                (void)unlink(tmp);
                return k;
        }
        return 0;
}

static GroupSource source_from_string(const char *s) {
        for (GroupSource i = 0; i < _GROUP_SOURCE_MAX; i++)
                if (streq_ptr(s, group_source_to_string(i)))
                        return i;
        return _GROUP_SOURCE_INVALID;
}

static const char *get_string(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* A member of the wrong type makes the file corrupt rather than being
 * coerced: a string "12" read as a timestamp would start a migration's
 * clock at a time nobody wrote. Returns 1 with the value, 0 when absent. */
static int get_typed(json_object *o, const char *key, json_type type, json_object **ret) {
        if (!json_object_object_get_ex(o, key, ret))
                return 0;
        return json_object_is_type(*ret, type) ? 1 : -EBADMSG;
}

static int get_bool(json_object *o, const char *key, bool *ret) {
        json_object *v;
        int k = get_typed(o, key, json_type_boolean, &v);

        *ret = k > 0 && json_object_get_boolean(v);
        return k;
}

static int get_int64(json_object *o, const char *key, int64_t min, int64_t max, int64_t *ret) {
        json_object *v;
        int k = get_typed(o, key, json_type_int, &v);

        *ret = 0;
        if (k <= 0)
                return k;
        *ret = json_object_get_int64(v);
        return *ret >= min && *ret <= max ? 1 : -EBADMSG;
}

int state_file_read(const char *path, GroupRecord **ret, size_t *ret_n, int **ret_excluded,
                    size_t *ret_n_excluded) {
        _cleanup_(freep) char *text = NULL;
        size_t size;
        int k;

        k = read_file_bounded(path, STATE_FILE_MAX, &text, &size, NULL);
        if (k == 0) {
                *ret = NULL;
                *ret_n = 0;
                *ret_excluded = NULL;
                *ret_n_excluded = 0;
                return 0;
        }
        if (k == -EFBIG)
                return -EBADMSG;
        if (k < 0)
                return k;
        return state_file_parse(text, size, ret, ret_n, ret_excluded, ret_n_excluded);
}

int state_file_parse(const char *text, size_t size, GroupRecord **ret, size_t *ret_n, int **ret_excluded,
                     size_t *ret_n_excluded) {
        _cleanup_(json_object_putp) json_object *root = NULL;
        GroupRecord *records = NULL;
        json_object *groups;
        size_t n = 0, count;
        int k = -EBADMSG;

        if (size > STATE_FILE_MAX)
                return -EBADMSG;
        k = json_parse_object(text, size, &root);
        if (k == -ENOMEM)
                return k;
        if (k < 0)
                return -EBADMSG;
        k = -EBADMSG;
        if (!json_object_object_get_ex(root, "groups", &groups) ||
            !json_object_is_type(groups, json_type_array))
                return -EBADMSG;

        count = json_object_array_length(groups);
        records = calloc(count ? count : 1, sizeof(GroupRecord));
        if (!records)
                return -ENOMEM;

        for (size_t i = 0; i < count; i++) {
                json_object *g = json_object_array_get_idx(groups, i);
                int64_t since, ifindex;
                const char *name = get_string(g, "name"), *bond = get_string(g, "bond");
                GroupSource source = source_from_string(get_string(g, "source"));
                GroupSpec *spec;

                if (!name || !bond || source < 0 || !group_name_is_valid(name) || !ifname_is_valid(bond))
                        goto fail;
                spec = group_spec_new(name, source);
                if (!spec) {
                        k = -ENOMEM;
                        goto fail;
                }
                records[n++].spec = spec;
                if (strscpy_strict(spec->bond_name, sizeof(spec->bond_name), bond) < 0 ||
                    port_match_parse(strempty(get_string(g, "primary")), &spec->match[PORT_ROLE_PRIMARY]) <
                            0 ||
                    port_match_parse(strempty(get_string(g, "backup")), &spec->match[PORT_ROLE_BACKUP]) < 0)
                        goto fail;
                if (get_bool(g, "migrating", &records[n - 1].migrating) < 0 ||
                    get_bool(g, "disabled", &records[n - 1].disabled) < 0 ||
                    get_int64(g, "migrating_since", 0, INT64_MAX, &since) < 0 ||
                    get_int64(g, "released_ifindex", 0, INT_MAX, &ifindex) < 0)
                        goto fail;
                records[n - 1].migrating_since = (uint64_t)since;
                records[n - 1].released_ifindex = (int)ifindex;
        }

        json_object *ex;
        int *excluded = NULL;
        size_t n_excluded = 0;
        if (json_object_object_get_ex(root, "excluded_ifindexes", &ex) &&
            json_object_is_type(ex, json_type_array)) {
                size_t c = json_object_array_length(ex);
                excluded = calloc(c + 1, sizeof(int));
                if (!excluded) {
                        k = -ENOMEM;
                        goto fail;
                }
                for (size_t i = 0; i < c; i++) {
                        json_object *v = json_object_array_get_idx(ex, i);
                        int64_t ifindex = json_object_get_int64(v);
                        /* Not an ifindex: that one entry is dropped, and the
                         * admin's exclusion of that port with it. */
                        if (json_object_is_type(v, json_type_int) && ifindex > 0 && ifindex <= INT_MAX)
                                excluded[n_excluded++] = (int)ifindex;
                }
        }

        *ret = records;
        *ret_n = n;
        *ret_excluded = excluded;
        *ret_n_excluded = n_excluded;
        return 0;

fail:
        group_records_free(records, n);
        return k;
}
