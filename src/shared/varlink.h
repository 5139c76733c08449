/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "macro.h"

/* A small Varlink (https://varlink.org) implementation: JSON objects framed by
 * a NUL byte over a Unix stream socket. Enough for hnvd's control socket and
 * for hnvctl; generic Varlink clients can talk to hnvd too. See
 * docs/control-protocol.md. */

#define VARLINK_ERROR_PERMISSION_DENIED   "org.varlink.service.PermissionDenied"
#define VARLINK_ERROR_METHOD_NOT_FOUND    "org.varlink.service.MethodNotFound"
#define VARLINK_ERROR_INVALID_PARAMETER   "org.varlink.service.InvalidParameter"
#define VARLINK_ERROR_INTERFACE_NOT_FOUND "org.varlink.service.InterfaceNotFound"

/* Largest reply a client accepts (a status of many groups); a larger one
 * drops the connection. */
#define VARLINK_MESSAGE_MAX (4U * 1024U * 1024U)
/* Largest call the server accepts: hnv's calls are a few hundred bytes,
 * and every connection may buffer this much, so it bounds what one local
 * user can make hnvd hold (64 connections of theirs, about 5 MiB). */
#define VARLINK_REQUEST_MAX (64U * 1024U)

typedef struct VarlinkServer VarlinkServer;
typedef struct VarlinkCall VarlinkCall;

/* A method handler. It either replies before returning (varlink_call_reply /
 * varlink_call_error) or keeps the call with varlink_call_ref() and replies
 * later from another event (for waits with a timeout). A negative return
 * with no reply sent answers io.hnv.InternalError with the errno text. */
typedef int (*varlink_method_t)(VarlinkCall *call, json_object *parameters, void *userdata);

typedef enum VarlinkMethodFlags {
        VARLINK_METHOD_ANYONE = 0,
        VARLINK_METHOD_ROOT_ONLY = 1 << 0, /* peer uid (SO_PEERCRED) must be 0 or the server's euid */
} VarlinkMethodFlags;

/* Listens on socket_path (replacing a stale socket) with the given mode;
 * or adopts listen_fd when it is >= 0 (socket activation); or, with neither,
 * listens nowhere and serves only adopted connections. */
int varlink_server_new(VarlinkServer **ret, sd_event *event, const char *socket_path, mode_t mode,
                       int listen_fd);
VarlinkServer *varlink_server_free(VarlinkServer *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(VarlinkServer *, varlink_server_free);

/* Registers "io.hnv.Method" (the full name). interface_description is
 * returned by org.varlink.service.GetInterfaceDescription. */
int varlink_server_add_interface(VarlinkServer *s, const char *interface, const char *description);
int varlink_server_add_method(VarlinkServer *s, const char *method, VarlinkMethodFlags flags,
                              varlink_method_t cb, void *userdata);
unsigned varlink_server_connections(const VarlinkServer *s);
/* Serves one end of a connected stream socket (a socketpair), as if a peer
 * had connected; takes fd, also on error. */
int varlink_server_adopt_connection(VarlinkServer *s, int fd);
/* cb runs whenever the last connection closes. */
typedef void (*varlink_idle_t)(VarlinkServer *s, void *userdata);
void varlink_server_set_on_idle(VarlinkServer *s, varlink_idle_t cb, void *userdata);

VarlinkCall *varlink_call_ref(VarlinkCall *c);
VarlinkCall *varlink_call_unref(VarlinkCall *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(VarlinkCall *, varlink_call_unref);
/* Both take ownership of parameters (may be NULL). A call whose peer hung
 * up accepts the reply and drops it. */
int varlink_call_reply(VarlinkCall *c, json_object *parameters);
int varlink_call_error(VarlinkCall *c, const char *error, json_object *parameters);
/* Convenience: error with {"message": text}. */
int varlink_call_errorf(VarlinkCall *c, const char *error, const char *format, ...) _printf_(3, 4);
uid_t varlink_call_peer_uid(const VarlinkCall *c);
const char *varlink_call_method(const VarlinkCall *c);

/* Client side, blocking with deadlines: hnvctl needs nothing more. The
 * connection waits up to timeout_ms (-1: forever) while the server's
 * backlog is full; -ETIMEDOUT then, -ENOENT or -ECONNREFUSED when nobody
 * listens. The descriptor is non-blocking. */
#define VARLINK_CONNECT_TIMEOUT_MS 5000
int varlink_connect(const char *socket_path, int timeout_ms, int *ret_fd);
/* Whether varlink_connect()'s error means nothing listens there (no socket,
 * a stale one), as opposed to a server that runs but did not accept in
 * time. hnvctl's exit status and hcnmgr's "act without hnvd" turn on it:
 * acting beside a live but slow hnvd would put two managers on the bonds. */
static inline bool varlink_connect_error_is_absent(int error) {
        return error == -ENOENT || error == -ECONNREFUSED || error == -ENOTDIR;
}
/* Sends {"method":..., "parameters":...} (parameters not consumed) and waits
 * up to timeout_ms (-1: forever) for the reply. Returns 0 with *ret_reply
 * set to the reply's parameters, or 1 with *ret_error set to the error name
 * and *ret_reply to its parameters, or a negative errno on transport failure
 * (-ETIMEDOUT, -ECONNRESET, -EBADMSG). */
int varlink_call_sync(int fd, const char *method, json_object *parameters, int timeout_ms,
                      json_object **ret_reply, char **ret_error);
