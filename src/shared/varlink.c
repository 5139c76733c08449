/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "json-util.h"
#include "varlink.h"

#ifndef HNV_VERSION
#define HNV_VERSION "unknown"
#endif

#define VARLINK_ERROR_INTERNAL "io.hnv.InternalError"

/* How much one read() may add to a connection's input buffer. */
#define VARLINK_READ_CHUNK (16U * 1024U)

/* Connections: root (and the server's own user) always gets one of the
 * last VARLINK_CONNECTIONS_RESERVED; any other user at most
 * VARLINK_CONNECTIONS_PER_UID of the rest, so one local user can neither
 * lock the others out nor root. */
#define VARLINK_CONNECTIONS_MAX      512U
#define VARLINK_CONNECTIONS_RESERVED 32U
#define VARLINK_CONNECTIONS_PER_UID  64U

#define VARLINK_ERROR_INVALID_MESSAGE "io.hnv.InvalidMessage"

#define USEC_PER_SEC  UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)

static const char varlink_service_description[] =
        "# The Varlink Service Interface is provided by every varlink service. It\n"
        "# describes the service and the interfaces it implements.\n"
        "interface org.varlink.service\n"
        "\n"
        "method GetInfo() -> (\n"
        "  vendor: string,\n"
        "  product: string,\n"
        "  version: string,\n"
        "  url: string,\n"
        "  interfaces: []string\n"
        ")\n"
        "\n"
        "method GetInterfaceDescription(interface: string) -> (description: string)\n"
        "\n"
        "error InterfaceNotFound (interface: string)\n"
        "error MethodNotFound (method: string)\n"
        "error MethodNotImplemented (method: string)\n"
        "error InvalidParameter (parameter: string)\n"
        "error PermissionDenied ()\n";

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

typedef struct VarlinkMethod {
        char *name;
        VarlinkMethodFlags flags;
        varlink_method_t cb;
        void *userdata;
} VarlinkMethod;

typedef struct VarlinkInterface {
        char *name;
        char *description;
} VarlinkInterface;

typedef struct VarlinkConnection VarlinkConnection;

struct VarlinkConnection {
        VarlinkServer *server;
        VarlinkConnection *prev, *next;

        int fd;
        uid_t uid;
        sd_event_source *io_source;
        /* Picks up pipelined input once a call that was answered from
         * outside this connection's own callbacks (a timer, say) is done. */
        sd_event_source *defer_source;

        char *input;
        size_t input_size, input_allocated;
        char *output;
        size_t output_size, output_allocated;

        /* The call being processed: Varlink answers calls on one connection
         * in order, so the next message waits until this one is answered,
         * and until its answer has left: a peer that does not read its
         * replies holds one in our buffer, never more. */
        VarlinkCall *current;
        bool read_eof;
        /* A bad message came: what is queued goes out, then the end. */
        bool closing;
};

struct VarlinkServer {
        sd_event *event;
        int listen_fd;
        sd_event_source *listen_source;
        sd_event_source *accept_retry_source;
        char *socket_path; /* created by us, so unlinked on free; NULL for an adopted socket */

        VarlinkInterface *interfaces;
        size_t n_interfaces;
        VarlinkMethod *methods;
        size_t n_methods;

        VarlinkConnection *connections;
        unsigned n_connections;
        varlink_idle_t on_idle;
        void *on_idle_userdata;
};

struct VarlinkCall {
        unsigned n_ref;
        /* NULL once the call is answered or the peer is gone; a handler that
         * kept the call may outlive its connection. */
        VarlinkConnection *connection;
        char *method;
        uid_t uid;
        bool oneway;
        bool done;
};

static int connection_update_events(VarlinkConnection *c);

static int buffer_reserve(char **buf, size_t *allocated, size_t size, size_t extra) {
        size_t need, n;
        char *p;

        if (extra > SIZE_MAX - size)
                return -ENOMEM;
        need = size + extra;
        if (need <= *allocated)
                return 0;
        n = *allocated > 0 ? *allocated : 4096;
        while (n < need)
                n = n > SIZE_MAX / 2 ? need : n * 2;
        p = realloc(*buf, n);
        if (!p)
                return -ENOMEM;
        *buf = p;
        *allocated = n;
        return 0;
}

/* One big message must not pin megabytes for the rest of a long-lived
 * connection (hnvctl's are short, other clients' need not be). */
static void buffer_trim(char **buf, size_t *allocated, size_t size) {
        if (size == 0 && *allocated > 2 * VARLINK_READ_CHUNK) {
                *buf = mfree(*buf);
                *allocated = 0;
        }
}

/* ---- calls ---- */

static VarlinkCall *call_new(VarlinkConnection *c, const char *method, bool oneway) {
        VarlinkCall *call;

        call = calloc(1, sizeof(*call));
        if (!call)
                return NULL;
        call->method = strdup(method);
        if (!call->method)
                return mfree(call);
        call->n_ref = 1;
        call->connection = c;
        call->uid = c->uid;
        call->oneway = oneway;
        return call;
}

VarlinkCall *varlink_call_ref(VarlinkCall *c) {
        if (!c)
                return NULL;
        c->n_ref++;
        return c;
}

VarlinkCall *varlink_call_unref(VarlinkCall *c) {
        if (!c)
                return NULL;
        if (--c->n_ref > 0)
                return NULL;
        free(c->method);
        return mfree(c);
}

uid_t varlink_call_peer_uid(const VarlinkCall *c) {
        return c ? c->uid : (uid_t)-1;
}

const char *varlink_call_method(const VarlinkCall *c) {
        return c ? c->method : NULL;
}

/* Marks the call answered and lets its connection move on to the next
 * message. May drop the connection's reference, so the caller must hold
 * its own or not touch c afterwards. */
static void call_complete(VarlinkCall *c) {
        VarlinkConnection *conn = c->connection;

        c->done = true;
        c->connection = NULL;
        if (!conn || conn->current != c)
                return;
        conn->current = NULL;
        /* Not processed right here: we may be deep inside the handler. */
        (void)sd_event_source_set_enabled(conn->defer_source, SD_EVENT_ONESHOT);
        (void)connection_update_events(conn);
        varlink_call_unref(c);
}

static int connection_enqueue(VarlinkConnection *c, json_object *msg) {
        const char *text;
        size_t n;
        int k;

        text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!text)
                return -ENOMEM;
        n = strlen(text);
        /* The peer would drop a larger message, so don't send it. */
        if (n > VARLINK_MESSAGE_MAX)
                return -EMSGSIZE;
        k = buffer_reserve(&c->output, &c->output_allocated, c->output_size, n + 1);
        if (k < 0)
                return k;
        memcpy(c->output + c->output_size, text, n + 1);
        c->output_size += n + 1;
        return connection_update_events(c);
}

static int call_send(VarlinkCall *c, const char *error, json_object *parameters) {
        _cleanup_(json_object_putp) json_object *p = parameters, *msg = NULL;
        int k;

        if (!c)
                return -EINVAL;
        if (c->done)
                /* A oneway call is done when its handler returns; whatever
                 * it says later goes nowhere, by design. */
                return c->oneway ? 0 : -EALREADY;
        if (c->oneway || !c->connection) {
                /* No one to tell: the peer asked for no reply or hung up. */
                call_complete(c);
                return 0;
        }

        msg = json_object_new_object();
        if (!msg)
                return -ENOMEM;
        if (error) {
                k = json_object_object_add(msg, "error", json_object_new_string(error));
                if (k < 0)
                        return -ENOMEM;
        }
        if (!p) {
                p = json_object_new_object();
                if (!p)
                        return -ENOMEM;
        }
        k = json_object_object_add(msg, "parameters", p);
        if (k < 0)
                return -ENOMEM;
        p = NULL; /* msg owns it now */

        k = connection_enqueue(c->connection, msg);
        if (k < 0)
                return k;
        call_complete(c);
        return 0;
}

int varlink_call_reply(VarlinkCall *c, json_object *parameters) {
        return call_send(c, NULL, parameters);
}

int varlink_call_error(VarlinkCall *c, const char *error, json_object *parameters) {
        if (!error) {
                json_object_put(parameters);
                return -EINVAL;
        }
        return call_send(c, error, parameters);
}

int varlink_call_errorf(VarlinkCall *c, const char *error, const char *format, ...) {
        _cleanup_(freep) char *text = NULL;
        json_object *p;
        va_list ap;
        int k;

        va_start(ap, format);
        k = vasprintf(&text, format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        p = json_object_new_object();
        if (!p)
                return -ENOMEM;
        if (json_object_object_add(p, "message", json_object_new_string(text)) < 0) {
                json_object_put(p);
                return -ENOMEM;
        }
        return varlink_call_error(c, error, p);
}

static int call_error_string(VarlinkCall *c, const char *error, const char *key, const char *value) {
        json_object *p;

        p = json_object_new_object();
        if (!p)
                return -ENOMEM;
        if (json_object_object_add(p, key, json_object_new_string(value)) < 0) {
                json_object_put(p);
                return -ENOMEM;
        }
        return varlink_call_error(c, error, p);
}

/* ---- built-in org.varlink.service ---- */

static int service_get_info(VarlinkServer *s, VarlinkCall *call) {
        _cleanup_(json_object_putp) json_object *p = NULL;
        json_object *interfaces;

        p = json_object_new_object();
        interfaces = json_object_new_array();
        if (!p || !interfaces) {
                json_object_put(interfaces);
                return -ENOMEM;
        }
        json_object_object_add(p, "vendor", json_object_new_string("hnv"));
        json_object_object_add(p, "product", json_object_new_string("hnvd"));
        json_object_object_add(p, "version", json_object_new_string(HNV_VERSION));
        json_object_object_add(p, "url", json_object_new_string(""));
        json_object_object_add(p, "interfaces", interfaces);
        json_object_array_add(interfaces, json_object_new_string("org.varlink.service"));
        for (size_t i = 0; i < s->n_interfaces; i++)
                json_object_array_add(interfaces, json_object_new_string(s->interfaces[i].name));
        return varlink_call_reply(call, TAKE_PTR(p));
}

static int service_get_interface_description(VarlinkServer *s, VarlinkCall *call, json_object *params) {
        const char *description = NULL, *name;
        json_object *v, *p;

        if (!json_object_object_get_ex(params, "interface", &v) || !json_object_is_type(v, json_type_string))
                return call_error_string(call, VARLINK_ERROR_INVALID_PARAMETER, "parameter", "interface");
        name = json_object_get_string(v);

        if (streq(name, "org.varlink.service"))
                description = varlink_service_description;
        for (size_t i = 0; !description && i < s->n_interfaces; i++)
                if (streq(name, s->interfaces[i].name))
                        description = s->interfaces[i].description;
        if (!description)
                return call_error_string(call, VARLINK_ERROR_INTERFACE_NOT_FOUND, "interface", name);

        p = json_object_new_object();
        if (!p)
                return -ENOMEM;
        json_object_object_add(p, "description", json_object_new_string(description));
        return varlink_call_reply(call, p);
}

/* Root, and the server's own user: root in hnvd, the tests' user when
 * they run a manager in-process. */
static bool uid_privileged(uid_t uid) {
        return uid == 0 || uid == geteuid();
}

static const VarlinkMethod *server_find_method(const VarlinkServer *s, const char *name) {
        for (size_t i = 0; i < s->n_methods; i++)
                if (streq(s->methods[i].name, name))
                        return &s->methods[i];
        return NULL;
}

static int server_dispatch_method(VarlinkServer *s, VarlinkCall *call, json_object *params) {
        const VarlinkMethod *m;

        if (streq(call->method, "org.varlink.service.GetInfo"))
                return service_get_info(s, call);
        if (streq(call->method, "org.varlink.service.GetInterfaceDescription"))
                return service_get_interface_description(s, call, params);

        m = server_find_method(s, call->method);
        if (!m)
                return call_error_string(call, VARLINK_ERROR_METHOD_NOT_FOUND, "method", call->method);
        if ((m->flags & VARLINK_METHOD_ROOT_ONLY) && !uid_privileged(call->uid))
                return varlink_call_errorf(call, VARLINK_ERROR_PERMISSION_DENIED, "only root may call %s",
                                           call->method);
        return m->cb(call, params, m->userdata);
}

/* ---- connections ---- */

static VarlinkConnection *connection_free(VarlinkConnection *c) {
        if (!c)
                return NULL;

        if (c->server) {
                if (c->prev)
                        c->prev->next = c->next;
                else
                        c->server->connections = c->next;
                if (c->next)
                        c->next->prev = c->prev;
                c->server->n_connections--;
                if (c->server->n_connections == 0 && c->server->on_idle)
                        c->server->on_idle(c->server, c->server->on_idle_userdata);
        }
        if (c->current) {
                /* The handler may still hold the call; its reply will go nowhere. */
                c->current->connection = NULL;
                c->current = varlink_call_unref(c->current);
        }
        /* sd-event copes with a source freed from its own callback. */
        c->io_source = sd_event_source_disable_unref(c->io_source);
        c->defer_source = sd_event_source_disable_unref(c->defer_source);
        if (c->fd >= 0)
                close(c->fd);
        free(c->input);
        free(c->output);
        return mfree(c);
}

static void connection_drop(VarlinkConnection *c, int error, const char *why) {
        if (error < 0)
                log_full_errno(LOG_DEBUG, error, NULL, NULL,
                               "varlink: dropping connection of uid %u: %s: %m", (unsigned)c->uid, why);
        else
                log_debug("varlink: connection of uid %u closed: %s", (unsigned)c->uid, why);
        connection_free(c);
}

static bool connection_has_message(const VarlinkConnection *c) {
        return c->input_size > 0 && memchr(c->input, 0, c->input_size);
}

/* Reads only while nothing is queued either way: a peer that pipelines can
 * make us hold at most one complete message and one read chunk beyond the
 * call being processed, and one reply. With no events requested epoll still
 * reports EPOLLHUP, so a peer that goes away while we wait for a slow
 * handler, or that never reads, is noticed. */
static int connection_update_events(VarlinkConnection *c) {
        uint32_t events = 0;

        if (!c->read_eof && !c->closing && !connection_has_message(c) && c->output_size == 0)
                events |= EPOLLIN;
        if (c->output_size > 0)
                events |= EPOLLOUT;
        return sd_event_source_set_io_events(c->io_source, events);
}

static bool connection_is_finished(const VarlinkConnection *c) {
        return (c->read_eof || c->closing) && !c->current && c->output_size == 0;
}

static int connection_read(VarlinkConnection *c) {
        ssize_t n;
        int k;

        k = buffer_reserve(&c->input, &c->input_allocated, c->input_size, VARLINK_READ_CHUNK);
        if (k < 0)
                return k;
        n = recv(c->fd, c->input + c->input_size, VARLINK_READ_CHUNK, MSG_DONTWAIT);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0)
                c->read_eof = true;
        c->input_size += (size_t)n;
        return 0;
}

static int connection_flush(VarlinkConnection *c) {
        while (c->output_size > 0) {
                ssize_t n;

                n = send(c->fd, c->output, c->output_size, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return -errno;
                }
                memmove(c->output, c->output + n, c->output_size - (size_t)n);
                c->output_size -= (size_t)n;
        }
        buffer_trim(&c->output, &c->output_allocated, c->output_size);
        return 0;
}

static int connection_dispatch(VarlinkConnection *c, json_object *msg) {
        _cleanup_(varlink_call_unrefp) VarlinkCall *call = NULL;
        _cleanup_(json_object_putp) json_object *empty = NULL;
        json_object *method, *v, *params = NULL;
        bool oneway = false;
        int k;

        if (!json_object_object_get_ex(msg, "method", &method) ||
            !json_object_is_type(method, json_type_string))
                return -EBADMSG;
        if (json_object_object_get_ex(msg, "oneway", &v))
                oneway = json_object_get_boolean(v);

        c->current = call_new(c, json_object_get_string(method), oneway);
        if (!c->current)
                return -ENOMEM;
        /* Our own reference: a synchronous reply drops the connection's. */
        call = varlink_call_ref(c->current);

        if (json_object_object_get_ex(msg, "parameters", &params) &&
            !json_object_is_type(params, json_type_null) && !json_object_is_type(params, json_type_object))
                k = call_error_string(call, VARLINK_ERROR_INVALID_PARAMETER, "parameter", "parameters");
        else {
                /* Handlers look keys up without checking for a missing object. */
                if (!params || json_object_is_type(params, json_type_null)) {
                        params = empty = json_object_new_object();
                        if (!params)
                                return -ENOMEM;
                }
                k = server_dispatch_method(c->server, call, params);
        }

        if (!call->done && call->oneway) {
                if (k < 0)
                        log_full_errno(LOG_DEBUG, k, NULL, NULL, "varlink: oneway call %s failed: %m",
                                       call->method);
                call_complete(call);
                return 0;
        }
        if (!call->done && k < 0)
                return varlink_call_errorf(call, VARLINK_ERROR_INTERNAL, "%s", strerror(-k));
        if (!call->done && call->n_ref <= 2) {
                /* Neither answered nor kept: without this the connection
                 * would wait for the answer forever. */
                log_error("varlink: handler of %s neither replied nor kept the call", call->method);
                return varlink_call_errorf(call, VARLINK_ERROR_INTERNAL, "%s did not reply", call->method);
        }
        return 0;
}

/* Dispatches queued messages until one of them is still waiting for its
 * answer, or its answer has not left yet. A negative return: the message
 * was bad. */
static int connection_process(VarlinkConnection *c) {
        while (!c->current && !c->closing && c->output_size == 0) {
                _cleanup_(json_object_putp) json_object *msg = NULL;
                char *nul;
                size_t n;
                int k;

                nul = c->input_size > 0 ? memchr(c->input, 0, c->input_size) : NULL;
                if (!nul)
                        return c->input_size > VARLINK_REQUEST_MAX ? -EMSGSIZE : 0;
                n = (size_t)(nul - c->input);
                if (n > VARLINK_REQUEST_MAX)
                        return -EMSGSIZE;

                k = json_parse_object(c->input, n, &msg);
                if (k < 0)
                        return k;
                /* Consumed before dispatching, so the handler sees a
                 * consistent connection whatever it does. */
                memmove(c->input, nul + 1, c->input_size - n - 1);
                c->input_size -= n + 1;
                buffer_trim(&c->input, &c->input_allocated, c->input_size);

                k = connection_dispatch(c, msg);
                if (k < 0)
                        return k;
        }
        return 0;
}

/* The peer sent what is not a Varlink message: it hears why after the
 * replies it was owed, and then the connection ends. */
static int connection_refuse(VarlinkConnection *c, int error) {
        _cleanup_(json_object_putp) json_object *msg = json_object_new_object(),
                                                *p = json_object_new_object();

        log_full_errno(LOG_DEBUG, error, NULL, NULL, "varlink: bad message from uid %u: %m",
                       (unsigned)c->uid);
        c->closing = true;
        c->input_size = 0;
        if (!msg || !p)
                return -ENOMEM;
        json_object_object_add(p, "message",
                               json_object_new_string(error == -EMSGSIZE
                                                              ? "message too long"
                                                              : "not a Varlink message (a JSON object "
                                                                "with a method, ended by NUL)"));
        json_object_object_add(msg, "error", json_object_new_string(VARLINK_ERROR_INVALID_MESSAGE));
        json_object_object_add(msg, "parameters", TAKE_PTR(p));
        return connection_enqueue(c, msg);
}

static void connection_run(VarlinkConnection *c) {
        int k;

        /* One message at a time, each once the answer before it has left. */
        for (;;) {
                k = connection_process(c);
                if (k < 0 && connection_refuse(c, k) < 0) {
                        connection_drop(c, k, "bad message");
                        return;
                }
                k = connection_flush(c);
                if (k < 0) {
                        connection_drop(c, k, "write failed");
                        return;
                }
                if (c->current || c->closing || c->output_size > 0 || !connection_has_message(c))
                        break;
        }
        if (connection_is_finished(c)) {
                connection_drop(c, 0, "end of input");
                return;
        }
        k = connection_update_events(c);
        if (k < 0)
                connection_drop(c, k, "cannot update event source");
}

static int on_connection_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        VarlinkConnection *c = userdata;
        int k;

        if (revents & EPOLLOUT) {
                k = connection_flush(c);
                if (k < 0) {
                        connection_drop(c, k, "write failed");
                        return 0;
                }
        }
        if (revents & EPOLLIN) {
                k = connection_read(c);
                if (k < 0) {
                        connection_drop(c, k, "read failed");
                        return 0;
                }
        } else if (revents & (EPOLLHUP | EPOLLERR)) {
                /* Both directions are shut: nothing we could still send
                 * would arrive. */
                connection_drop(c, 0, "peer hung up");
                return 0;
        }
        connection_run(c);
        return 0;
}

static int on_connection_defer(sd_event_source *source, void *userdata) {
        connection_run(userdata);
        return 0;
}

/* Whether one more connection of uid fits (VARLINK_CONNECTIONS_*). */
static bool server_admits(const VarlinkServer *s, uid_t uid) {
        unsigned same = 0;

        if (s->n_connections >= VARLINK_CONNECTIONS_MAX)
                return false;
        if (uid_privileged(uid))
                return true;
        if (s->n_connections >= VARLINK_CONNECTIONS_MAX - VARLINK_CONNECTIONS_RESERVED)
                return false;
        for (const VarlinkConnection *c = s->connections; c; c = c->next)
                same += c->uid == uid;
        return same < VARLINK_CONNECTIONS_PER_UID;
}

static int connection_new(VarlinkServer *s, int fd) {
        VarlinkConnection *c;
        struct ucred ucred = {};
        socklen_t len = sizeof(ucred);
        int k;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &ucred, &len) < 0) {
                k = -errno;
                close(fd);
                return k;
        }
        if (!server_admits(s, ucred.uid)) {
                close(fd);
                return -EUSERS;
        }

        c = calloc(1, sizeof(*c));
        if (!c) {
                close(fd);
                return -ENOMEM;
        }
        c->fd = fd;
        c->uid = ucred.uid;
        c->server = s;
        c->next = s->connections;
        if (c->next)
                c->next->prev = c;
        s->connections = c;
        s->n_connections++;

        k = sd_event_add_io(s->event, &c->io_source, fd, EPOLLIN, on_connection_io, c);
        if (k < 0)
                goto fail;
        k = sd_event_add_defer(s->event, &c->defer_source, on_connection_defer, c);
        if (k < 0)
                goto fail;
        k = sd_event_source_set_enabled(c->defer_source, SD_EVENT_OFF);
        if (k < 0)
                goto fail;
        log_debug("varlink: new connection from uid %u", (unsigned)c->uid);
        return 0;

fail:
        connection_free(c);
        return k;
}

/* ---- server ---- */

static int on_accept_retry(sd_event_source *source, uint64_t usec, void *userdata) {
        VarlinkServer *s = userdata;

        (void)sd_event_source_set_enabled(s->listen_source, SD_EVENT_ON);
        return 0;
}

static int on_listen(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        VarlinkServer *s = userdata;
        int cfd, k;

        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
                if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                        return 0;
                k = log_warning_errno(errno, "varlink: cannot accept a connection: %m");
                if (k == -EMFILE || k == -ENFILE || k == -ENOBUFS || k == -ENOMEM) {
                        /* The listening socket stays readable, so without a
                         * pause we would spin until a descriptor is freed.
                         * The pause's timer exists already: making one now
                         * could need the descriptor we lack. */
                        (void)sd_event_source_set_enabled(s->listen_source, SD_EVENT_OFF);
                        (void)sd_event_source_set_time_relative(s->accept_retry_source, USEC_PER_SEC);
                        (void)sd_event_source_set_enabled(s->accept_retry_source, SD_EVENT_ONESHOT);
                }
                return 0;
        }

        k = connection_new(s, cfd);
        if (k == -EUSERS)
                log_debug("varlink: too many connections, refusing one");
        else if (k < 0)
                log_warning_errno(k, "varlink: cannot set up a connection: %m");
        return 0;
}

static int mkdir_parents(const char *path, mode_t mode) {
        _cleanup_(freep) char *p = strdup(path);
        char *slash;

        if (!p)
                return -ENOMEM;
        for (slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }
        return 0;
}

static int sockaddr_un_set(struct sockaddr_un *sa, socklen_t *ret_len, const char *path) {
        *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
        if (strscpy_strict(sa->sun_path, sizeof(sa->sun_path), path) < 0)
                return -ENAMETOOLONG;
        *ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
        return 0;
}

/* A socket file left by a previous hnvd that died is removed; one that a
 * running hnvd still accepts on is not, or we would silently steal its
 * clients. A path that is not a socket is never deleted. */
static int unlink_stale_socket(const char *path, const struct sockaddr_un *sa, socklen_t len) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode))
                return -EADDRINUSE;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *)sa, len) >= 0 || errno == EAGAIN)
                return -EADDRINUSE;
        if (errno != ECONNREFUSED)
                return -errno;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int server_listen(VarlinkServer *s, const char *path, mode_t mode) {
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_un sa;
        socklen_t len;
        mode_t old_umask;
        int k;

        k = sockaddr_un_set(&sa, &len, path);
        if (k < 0)
                return k;
        k = mkdir_parents(path, 0755);
        if (k < 0)
                return k;
        k = unlink_stale_socket(path, &sa, len);
        if (k < 0)
                return k;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        /* bind() creates the file with the umask applied; setting it for the
         * bind leaves no moment in which the socket has other permissions. */
        old_umask = umask(~mode & 0777);
        k = bind(fd, (const struct sockaddr *)&sa, len) < 0 ? -errno : 0;
        umask(old_umask);
        if (k < 0)
                return k;
        s->socket_path = strdup(path);
        if (!s->socket_path) {
                unlink(path);
                return -ENOMEM;
        }
        if (chmod(path, mode) < 0)
                return -errno;
        if (listen(fd, SOMAXCONN) < 0)
                return -errno;
        s->listen_fd = TAKE_FD(fd);
        return 0;
}

int varlink_server_new(VarlinkServer **ret, sd_event *event, const char *socket_path, mode_t mode,
                       int listen_fd) {
        _cleanup_(varlink_server_freep) VarlinkServer *s = NULL;
        int k;

        if (!ret || !event)
                return -EINVAL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->listen_fd = -EBADF;
        s->event = sd_event_ref(event);

        if (listen_fd < 0 && !socket_path) {
                /* No listener: connections come through
                 * varlink_server_adopt_connection() only. */
                *ret = TAKE_PTR(s);
                return 0;
        }

        if (listen_fd >= 0) {
                int flags = fcntl(listen_fd, F_GETFL);

                /* accept() must not block the loop if a peer gave up
                 * between the wake-up and the accept. */
                if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0)
                        return -errno;
        } else {
                k = server_listen(s, socket_path, mode);
                if (k < 0)
                        return k;
        }

        k = sd_event_add_io(event, &s->listen_source, listen_fd >= 0 ? listen_fd : s->listen_fd, EPOLLIN,
                            on_listen, s);
        if (k < 0)
                return k;
        k = sd_event_add_time_relative(event, &s->accept_retry_source, CLOCK_MONOTONIC, USEC_PER_SEC, 0,
                                       on_accept_retry, s);
        if (k < 0)
                return k;
        (void)sd_event_source_set_enabled(s->accept_retry_source, SD_EVENT_OFF);
        /* An adopted descriptor becomes ours only on success. */
        if (listen_fd >= 0)
                s->listen_fd = listen_fd;

        *ret = TAKE_PTR(s);
        return 0;
}

VarlinkServer *varlink_server_free(VarlinkServer *s) {
        if (!s)
                return NULL;

        s->on_idle = NULL; /* going away, not idle */
        while (s->connections)
                connection_free(s->connections);
        s->listen_source = sd_event_source_disable_unref(s->listen_source);
        s->accept_retry_source = sd_event_source_disable_unref(s->accept_retry_source);
        if (s->socket_path) {
                unlink(s->socket_path);
                free(s->socket_path);
        }
        if (s->listen_fd >= 0)
                close(s->listen_fd);
        for (size_t i = 0; i < s->n_methods; i++)
                free(s->methods[i].name);
        free(s->methods);
        for (size_t i = 0; i < s->n_interfaces; i++) {
                free(s->interfaces[i].name);
                free(s->interfaces[i].description);
        }
        free(s->interfaces);
        sd_event_unref(s->event);
        return mfree(s);
}

int varlink_server_add_interface(VarlinkServer *s, const char *interface, const char *description) {
        VarlinkInterface *a;
        char *name, *text;

        if (!s || !interface || !description)
                return -EINVAL;
        if (streq(interface, "org.varlink.service"))
                return -EEXIST;
        for (size_t i = 0; i < s->n_interfaces; i++)
                if (streq(s->interfaces[i].name, interface))
                        return -EEXIST;

        a = reallocarray(s->interfaces, s->n_interfaces + 1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        s->interfaces = a;
        name = strdup(interface);
        text = strdup(description);
        if (!name || !text) {
                free(name);
                free(text);
                return -ENOMEM;
        }
        s->interfaces[s->n_interfaces++] = (VarlinkInterface){.name = name, .description = text};
        return 0;
}

int varlink_server_add_method(VarlinkServer *s, const char *method, VarlinkMethodFlags flags,
                              varlink_method_t cb, void *userdata) {
        const char *dot;
        VarlinkMethod *a;
        char *name;

        if (!s || !method || !cb)
                return -EINVAL;
        /* "interface.Method": both parts non-empty. */
        dot = strrchr(method, '.');
        if (!dot || dot == method || dot[1] == 0)
                return -EINVAL;
        if (startswith(method, "org.varlink.service.") || server_find_method(s, method))
                return -EEXIST;

        a = reallocarray(s->methods, s->n_methods + 1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        s->methods = a;
        name = strdup(method);
        if (!name)
                return -ENOMEM;
        s->methods[s->n_methods++] = (VarlinkMethod){
                .name = name,
                .flags = flags,
                .cb = cb,
                .userdata = userdata,
        };
        return 0;
}

int varlink_server_adopt_connection(VarlinkServer *s, int fd) {
        int flags;

        if (!s || fd < 0)
                return -EINVAL;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                int k = -errno;
                close(fd);
                return k;
        }
        return connection_new(s, fd);
}

void varlink_server_set_on_idle(VarlinkServer *s, varlink_idle_t cb, void *userdata) {
        s->on_idle = cb;
        s->on_idle_userdata = userdata;
}

unsigned varlink_server_connections(const VarlinkServer *s) {
        return s ? s->n_connections : 0;
}

/* ---- client ---- */

/* Milliseconds left until deadline (0: none), rounded up so that a poll()
 * never returns just before the deadline; -1 waits forever. */
static int remaining_ms(uint64_t deadline) {
        uint64_t now, left;

        if (deadline == 0)
                return -1;
        now = now_usec();
        if (now >= deadline)
                return 0;
        left = (deadline - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC;
        return left > INT_MAX ? INT_MAX : (int)left;
}

static int wait_fd(int fd, short events, uint64_t deadline) {
        struct pollfd pfd = {.fd = fd, .events = events};
        int n;

        for (;;) {
                int ms = remaining_ms(deadline);

                if (ms == 0)
                        return -ETIMEDOUT;
                n = poll(&pfd, 1, ms);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n > 0)
                        return 0;
        }
}

int varlink_connect(const char *socket_path, int timeout_ms, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        struct sockaddr_un sa;
        socklen_t len;
        uint64_t deadline;
        int k;

        if (!socket_path || !ret_fd)
                return -EINVAL;
        k = sockaddr_un_set(&sa, &len, socket_path);
        if (k < 0)
                return k;
        /* Non-blocking: a server whose listen backlog is full makes a
         * blocking connect() wait for as long as it stays full. */
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        deadline = now_usec() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * USEC_PER_MSEC;
        for (;;) {
                if (connect(fd, (const struct sockaddr *)&sa, len) >= 0)
                        break;
                /* A Unix socket says EAGAIN when the backlog is full, and
                 * nothing wakes a poll() for it: try again a little later. */
                if (errno != EAGAIN && errno != EINTR)
                        return -errno;
                if (timeout_ms >= 0 && now_usec() >= deadline)
                        return -ETIMEDOUT;
                (void)poll(NULL, 0, 10);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int write_all(int fd, const char *p, size_t n, uint64_t deadline) {
        while (n > 0) {
                ssize_t w;
                int k;

                /* MSG_DONTWAIT plus poll(): a peer that stops reading cannot
                 * make us block past the deadline, whatever the fd's mode. */
                w = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return -errno;
                        k = wait_fd(fd, POLLOUT, deadline);
                        if (k < 0)
                                return k;
                        continue;
                }
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Reads one NUL-terminated message. The server sends exactly one reply per
 * call and nothing unasked, so nothing past the NUL is lost. */
static int read_message(int fd, char **ret, size_t *ret_size, uint64_t deadline) {
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, allocated = 0;
        int k;

        for (;;) {
                ssize_t n;
                char *nul;

                k = buffer_reserve(&buf, &allocated, size, VARLINK_READ_CHUNK);
                if (k < 0)
                        return k;
                n = recv(fd, buf + size, VARLINK_READ_CHUNK, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return -errno;
                        k = wait_fd(fd, POLLIN, deadline);
                        if (k < 0)
                                return k;
                        continue;
                }
                if (n == 0)
                        return -ECONNRESET;
                nul = memchr(buf + size, 0, (size_t)n);
                size += (size_t)n;
                if (nul) {
                        *ret_size = (size_t)(nul - buf);
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
                if (size > VARLINK_MESSAGE_MAX)
                        return -EMSGSIZE;
        }
}

int varlink_call_sync(int fd, const char *method, json_object *parameters, int timeout_ms,
                      json_object **ret_reply, char **ret_error) {
        _cleanup_(json_object_putp) json_object *msg = NULL, *reply = NULL, *params = NULL;
        _cleanup_(freep) char *buf = NULL, *error = NULL;
        const char *text;
        uint64_t deadline = 0;
        size_t n;
        json_object *v;
        int k;

        if (fd < 0 || !method)
                return -EINVAL;
        if (timeout_ms >= 0)
                /* 0 would mean "no deadline" below; a zero timeout still
                 * gets one attempt. */
                deadline = now_usec() + (uint64_t)timeout_ms * USEC_PER_MSEC + 1;

        msg = json_object_new_object();
        if (!msg)
                return -ENOMEM;
        json_object_object_add(msg, "method", json_object_new_string(method));
        if (parameters)
                json_object_object_add(msg, "parameters", json_object_get(parameters));
        text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!text)
                return -ENOMEM;
        n = strlen(text);
        /* The server would drop a larger call, so don't send it. */
        if (n > VARLINK_REQUEST_MAX)
                return -EMSGSIZE;
        k = write_all(fd, text, n + 1, deadline);
        if (k < 0)
                return k;

        k = read_message(fd, &buf, &n, deadline);
        if (k < 0)
                return k;
        k = json_parse_object(buf, n, &reply);
        if (k < 0)
                return k;

        if (json_object_object_get_ex(reply, "error", &v)) {
                if (!json_object_is_type(v, json_type_string))
                        return -EBADMSG;
                error = strdup(json_object_get_string(v));
                if (!error)
                        return -ENOMEM;
        }
        if (json_object_object_get_ex(reply, "parameters", &v) && !json_object_is_type(v, json_type_null)) {
                if (!json_object_is_type(v, json_type_object))
                        return -EBADMSG;
                params = json_object_get(v);
        } else {
                /* Callers always get an object to look keys up in. */
                params = json_object_new_object();
                if (!params)
                        return -ENOMEM;
        }

        k = error ? 1 : 0;
        if (ret_reply)
                *ret_reply = TAKE_PTR(params);
        if (ret_error)
                *ret_error = TAKE_PTR(error);
        return k;
}
