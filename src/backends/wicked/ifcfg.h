/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* A SUSE sysconfig file (ifcfg(5)) as a list of lines, in file order. Lines
 * nobody changes are kept as read, so parsing and formatting an untouched
 * document gives back the same bytes, and changing one key leaves every
 * other line of an admin's file alone.
 *
 * What is understood is the subset of sh that wicked reads: one assignment
 * KEY=VALUE per line, with optional leading blanks and an optional
 * "# comment" after the value; blank lines; comment lines. VALUE is a run of
 * 'single-quoted' (literal), "double-quoted" (\" \\ \$ \` escapes) and bare
 * parts. Anything a shell would expand ($, `, unquoted specials) or continue
 * onto the next line (an open quote, a trailing backslash) is refused with
 * -EBADMSG: wicked would read such a value differently from sh, and a file
 * hnv cannot read the way wicked does is a file hnv must not rewrite.
 *
 * Values are written 'single-quoted', as YaST and hcnmgr write them. A value
 * with a single quote, a newline or another control character cannot be
 * written: sh would need 'it'\''s', which wicked's reader does not undo, so
 * such a value is refused with -EINVAL rather than escaped. */
typedef struct IfcfgDoc IfcfgDoc;

/* The first line of every file hnv creates. A file without it is never
 * deleted by hnv (see ifcfg-files.h). */
#define IFCFG_MARKER "# Managed by hnv"

IfcfgDoc *ifcfg_doc_new(void);
IfcfgDoc *ifcfg_doc_free(IfcfgDoc *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(IfcfgDoc *, ifcfg_doc_free);

/* Parses size bytes of text (NUL bytes are refused). On -EBADMSG,
 * *ret_line (if not NULL) is the 1-based number of the offending line. */
int ifcfg_doc_parse(const char *text, size_t size, IfcfgDoc **ret, unsigned *ret_line);
/* The document as file contents, NUL-terminated; *ret_size excludes the NUL. */
int ifcfg_doc_format(const IfcfgDoc *d, char **ret, size_t *ret_size);

size_t ifcfg_doc_n_lines(const IfcfgDoc *d);
/* The value of the last assignment to key (the one sh would keep), or NULL. */
const char *ifcfg_doc_get(const IfcfgDoc *d, const char *key);
/* Gives key the value. If key is assigned already, its last assignment is
 * rewritten in place (indentation and trailing comment kept), and not at
 * all when it holds that value already, however it was quoted. Otherwise a
 * line is appended. */
int ifcfg_doc_set(IfcfgDoc *d, const char *key, const char *value);
/* Removes every assignment to key; returns how many. */
int ifcfg_doc_unset(IfcfgDoc *d, const char *key);

/* Assignments whose key starts with prefix, in file order, for indexed
 * variables such as BONDING_SLAVE_<n>. i is an index among all lines:
 * start with i = 0 and pass i + 1 to continue. Returns the line index or
 * -ENOENT; *ret_key and *ret_value point into the document. */
int ifcfg_doc_find_prefix(const IfcfgDoc *d, size_t i, const char *prefix, const char **ret_key,
                          const char **ret_value);
/* Rewrites the value of the assignment at line index i, as ifcfg_doc_set(). */
int ifcfg_doc_set_at(IfcfgDoc *d, size_t i, const char *value);
int ifcfg_doc_remove_at(IfcfgDoc *d, size_t i);
/* Inserts an assignment before line index at (n_lines: at the end). */
int ifcfg_doc_insert(IfcfgDoc *d, size_t at, const char *key, const char *value);
/* The key of line index i, or NULL for a blank or comment line (or no
 * such line). */
const char *ifcfg_doc_key_at(const IfcfgDoc *d, size_t i);
/* Inserts a copy of src's line index i before line index at of dst, byte
 * for byte: an admin's quoting and trailing comment go along. */
int ifcfg_doc_copy_line(IfcfgDoc *dst, size_t at, const IfcfgDoc *src, size_t i);

bool ifcfg_doc_has_marker(const IfcfgDoc *d);
/* Puts IFCFG_MARKER first, unless the document has it already. */
int ifcfg_doc_add_marker(IfcfgDoc *d);
/* Removes every IFCFG_MARKER line; returns how many. */
int ifcfg_doc_remove_marker(IfcfgDoc *d);

bool ifcfg_key_is_valid(const char *key);
/* "'value'", or -EINVAL for a value that cannot be single-quoted. */
int ifcfg_quote(const char *value, char **ret);
