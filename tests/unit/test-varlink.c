/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Varlink server runs on its own sd-event loop in a second thread; the
 * test thread talks to it through the real socket, with the blocking client
 * and with raw bytes where the client is too polite (pipelining, garbage,
 * hang-ups). */
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "varlink.h"

#define TIMEOUT_MS 5000

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

static struct {
        char dir[64];
        char path[128];
        pthread_t thread;
        int quit_pipe[2];
        int ready_pipe[2];
        sd_event *event;
        VarlinkServer *server;
        unsigned count;       /* only touched on the server thread */
        _Atomic unsigned big; /* io.test.Big calls dispatched */
} srv = {
        .quit_pipe = {-1, -1},
        .ready_pipe = {-1, -1},
};

/* ---- methods, run on the server thread ---- */

static int method_echo(VarlinkCall *call, json_object *params, void *userdata) {
        return varlink_call_reply(call, json_object_get(params));
}

static int method_fail(VarlinkCall *call, json_object *params, void *userdata) {
        return varlink_call_errorf(call, "io.test.Failed", "it failed on purpose");
}

static int method_internal(VarlinkCall *call, json_object *params, void *userdata) {
        return -ENOSPC;
}

static int method_forget(VarlinkCall *call, json_object *params, void *userdata) {
        return 0;
}

static int on_later(sd_event_source *s, uint64_t usec, void *userdata) {
        VarlinkCall *call = userdata;
        json_object *p = json_object_new_object();

        json_object_object_add(p, "late", json_object_new_boolean(true));
        /* The reply after a hang-up must be accepted and dropped. Not a
         * cmocka assertion: those must not fire on this thread. */
        if (varlink_call_reply(call, p) != 0)
                abort();
        varlink_call_unref(call);
        return 0;
}

static int method_later(VarlinkCall *call, json_object *params, void *userdata) {
        json_object *v;
        int delay_ms = 50, k;

        if (json_object_object_get_ex(params, "delay_ms", &v))
                delay_ms = json_object_get_int(v);
        /* A floating source: sd-event owns it, the timer owns the call. */
        k = sd_event_add_time_relative(srv.event, NULL, CLOCK_MONOTONIC, (uint64_t)delay_ms * 1000U, 0,
                                       on_later, call);
        if (k < 0)
                return k;
        varlink_call_ref(call);
        return 0;
}

static int method_count(VarlinkCall *call, json_object *params, void *userdata) {
        srv.count++;
        return varlink_call_reply(call, NULL);
}

/* A 64 KiB reply, as a status of many groups would be. */
static int method_big(VarlinkCall *call, json_object *params, void *userdata) {
        static char text[64 * 1024];
        json_object *p = json_object_new_object();

        memset(text, 'x', sizeof(text) - 1);
        srv.big++;
        json_object_object_add(p, "text", json_object_new_string(text));
        return varlink_call_reply(call, p);
}

static int method_get_count(VarlinkCall *call, json_object *params, void *userdata) {
        json_object *p = json_object_new_object();

        json_object_object_add(p, "count", json_object_new_int((int)srv.count));
        return varlink_call_reply(call, p);
}

static int method_connections(VarlinkCall *call, json_object *params, void *userdata) {
        json_object *p = json_object_new_object();

        json_object_object_add(p, "connections",
                               json_object_new_int((int)varlink_server_connections(srv.server)));
        return varlink_call_reply(call, p);
}

static int method_privileged(VarlinkCall *call, json_object *params, void *userdata) {
        json_object *p = json_object_new_object();

        json_object_object_add(p, "uid", json_object_new_int((int)varlink_call_peer_uid(call)));
        return varlink_call_reply(call, p);
}

static int on_quit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void *server_thread(void *arg) {
        static const struct {
                const char *name;
                VarlinkMethodFlags flags;
                varlink_method_t cb;
        } methods[] = {
                {"io.test.Echo", VARLINK_METHOD_ANYONE, method_echo},
                {"io.test.Fail", VARLINK_METHOD_ANYONE, method_fail},
                {"io.test.Internal", VARLINK_METHOD_ANYONE, method_internal},
                {"io.test.Forget", VARLINK_METHOD_ANYONE, method_forget},
                {"io.test.Later", VARLINK_METHOD_ANYONE, method_later},
                {"io.test.Count", VARLINK_METHOD_ANYONE, method_count},
                {"io.test.GetCount", VARLINK_METHOD_ANYONE, method_get_count},
                {"io.test.Connections", VARLINK_METHOD_ANYONE, method_connections},
                {"io.test.Privileged", VARLINK_METHOD_ROOT_ONLY, method_privileged},
                {"io.test.Big", VARLINK_METHOD_ANYONE, method_big},
        };
        sd_event_source *quit = NULL;
        int k;

        k = sd_event_new(&srv.event);
        if (k >= 0)
                k = sd_event_add_io(srv.event, &quit, srv.quit_pipe[0], EPOLLIN, on_quit, NULL);
        if (k >= 0)
                k = varlink_server_new(&srv.server, srv.event, srv.path, 0666, -1);
        if (k >= 0)
                k = varlink_server_add_interface(srv.server, "io.test", "interface io.test\n");
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(methods); i++)
                k = varlink_server_add_method(srv.server, methods[i].name, methods[i].flags, methods[i].cb,
                                              NULL);
        if (write(srv.ready_pipe[1], &k, sizeof(k)) != sizeof(k))
                abort();
        if (k >= 0)
                k = sd_event_loop(srv.event);

        srv.server = varlink_server_free(srv.server);
        sd_event_source_disable_unref(quit);
        srv.event = sd_event_unref(srv.event);
        return NULL;
}

/* A socket file nobody listens on, as a crashed hnvd leaves behind. */
static void make_stale_socket(const char *path) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        strcpy(sa.sun_path, path);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(fd);
}

static int setup(void **state) {
        char sub[96];
        int k;

        strcpy(srv.dir, "/tmp/test-varlink-XXXXXX");
        assert_non_null(mkdtemp(srv.dir));
        /* The unprivileged child of the PermissionDenied test must reach it. */
        assert_int_equal(chmod(srv.dir, 0755), 0);
        snprintf(sub, sizeof(sub), "%s/sub", srv.dir);
        assert_int_equal(mkdir(sub, 0755), 0);
        snprintf(srv.path, sizeof(srv.path), "%s/sub/io.test", srv.dir);
        make_stale_socket(srv.path);

        assert_int_equal(pipe2(srv.quit_pipe, O_CLOEXEC), 0);
        assert_int_equal(pipe2(srv.ready_pipe, O_CLOEXEC), 0);
        assert_int_equal(pthread_create(&srv.thread, NULL, server_thread, NULL), 0);
        assert_int_equal(read(srv.ready_pipe[0], &k, sizeof(k)), sizeof(k));
        assert_int_equal(k, 0);
        return 0;
}

static int teardown(void **state) {
        char sub[96];
        struct stat st;
        char c = 'q';

        assert_int_equal(write(srv.quit_pipe[1], &c, 1), 1);
        assert_int_equal(pthread_join(srv.thread, NULL), 0);
        for (size_t i = 0; i < 2; i++) {
                close(srv.quit_pipe[i]);
                close(srv.ready_pipe[i]);
        }
        /* The server removes the socket it created. */
        assert_int_equal(stat(srv.path, &st) < 0 ? errno : 0, ENOENT);
        snprintf(sub, sizeof(sub), "%s/sub", srv.dir);
        assert_int_equal(rmdir(sub), 0);
        assert_int_equal(rmdir(srv.dir), 0);
        return 0;
}

/* ---- client helpers ---- */

static int call(const char *method, const char *params_json, int timeout_ms, json_object **ret_reply,
                char **ret_error) {
        _cleanup_(json_object_putp) json_object *params = NULL;
        int fd, k;

        if (params_json) {
                params = json_tokener_parse(params_json);
                assert_non_null(params);
        }
        assert_int_equal(varlink_connect(srv.path, TIMEOUT_MS, &fd), 0);
        k = varlink_call_sync(fd, method, params, timeout_ms, ret_reply, ret_error);
        close(fd);
        return k;
}

static const char *get_string(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static int get_int(json_object *o, const char *key) {
        json_object *v;

        assert_true(json_object_object_get_ex(o, key, &v));
        return json_object_get_int(v);
}

static int raw_connect(void) {
        int fd;

        assert_int_equal(varlink_connect(srv.path, TIMEOUT_MS, &fd), 0);
        return fd;
}

static void raw_send(int fd, const char *data, size_t n) {
        while (n > 0) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                ssize_t w;

                /* The client's descriptor is non-blocking. */
                assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
                w = send(fd, data, n, MSG_NOSIGNAL);
                assert_true(w > 0);
                data += w;
                n -= (size_t)w;
        }
}

/* Reads until n messages arrived; returns them NUL-separated in one buffer. */
static size_t raw_recv_messages(int fd, unsigned n, char *buf, size_t size) {
        size_t len = 0;
        unsigned found = 0;

        while (found < n) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                ssize_t r;

                assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
                assert_true(len < size);
                r = recv(fd, buf + len, size - len, 0);
                assert_true(r > 0);
                for (ssize_t i = 0; i < r; i++)
                        if (buf[len + (size_t)i] == 0)
                                found++;
                len += (size_t)r;
        }
        return len;
}

/* The server closed the connection: EOF (or a reset, if it dropped unread
 * input) within the bound. What it sent before is one error that says why
 * (io.hnv.InvalidMessage), never a reply; with want_error it must have come
 * (a reset can swallow it after an oversized message). */
static void assert_dropped(int fd, const char *why, bool want_error) {
        char buf[4096], want[256];
        size_t len = 0;

        for (;;) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                ssize_t r;

                assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
                r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
                if (r == 0 || (r < 0 && errno == ECONNRESET))
                        break;
                assert_true(r > 0);
                len += (size_t)r;
                assert_true(len < sizeof(buf) - 1);
        }
        buf[len] = '\0';
        if (len == 0 && !want_error)
                return;
        snprintf(want, sizeof(want),
                 "{\"error\":\"io.hnv.InvalidMessage\",\"parameters\":{\"message\":\"%s\"}}", why);
        assert_true(len == strlen(want) + 1);
        assert_string_equal(buf, want);
}

static void assert_server_alive(void) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;

        assert_int_equal(call("io.test.Echo", "{\"alive\": true}", TIMEOUT_MS, &reply, &error), 0);
        assert_null(error);
}

/* ---- tests ---- */

static void test_socket_setup(void **state) {
        _cleanup_(varlink_server_freep) VarlinkServer *other = NULL;
        char deep[160], parent[160];
        sd_event *e = NULL;
        struct stat st;
        int fd;

        /* The stale socket left by make_stale_socket() was replaced, with
         * the requested mode. */
        assert_int_equal(stat(srv.path, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0666);

        /* A socket someone still accepts on is not stolen. */
        assert_int_equal(sd_event_new(&e), 0);
        assert_int_equal(varlink_server_new(&other, e, srv.path, 0666, -1), -EADDRINUSE);
        assert_null(other);

        /* Missing parents are created, 0755. */
        snprintf(deep, sizeof(deep), "%s/a/b/io.other", srv.dir);
        assert_int_equal(varlink_server_new(&other, e, deep, 0600, -1), 0);
        assert_int_equal(stat(deep, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        snprintf(parent, sizeof(parent), "%s/a/b", srv.dir);
        assert_int_equal(stat(parent, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        other = varlink_server_free(other);
        assert_int_equal(stat(deep, &st) < 0 ? errno : 0, ENOENT);
        assert_int_equal(rmdir(parent), 0);
        snprintf(parent, sizeof(parent), "%s/a", srv.dir);
        assert_int_equal(rmdir(parent), 0);

        /* A path that is not a socket is never deleted. */
        snprintf(deep, sizeof(deep), "%s/regular", srv.dir);
        fd = open(deep, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(varlink_server_new(&other, e, deep, 0666, -1), -EADDRINUSE);
        assert_int_equal(unlink(deep), 0);
        sd_event_unref(e);
}

static void test_call_reply(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;

        assert_int_equal(call("io.test.Echo", "{\"word\": \"hello\", \"path\": \"/run/hnv\"}", TIMEOUT_MS,
                              &reply, &error),
                         0);
        assert_null(error);
        assert_string_equal(get_string(reply, "word"), "hello");
        assert_string_equal(get_string(reply, "path"), "/run/hnv");

        /* No parameters at all: the handler still gets an object, the
         * client still gets one back. */
        json_object_put(TAKE_PTR(reply));
        assert_int_equal(call("io.test.Echo", NULL, TIMEOUT_MS, &reply, &error), 0);
        assert_true(json_object_is_type(reply, json_type_object));
        assert_int_equal(json_object_object_length(reply), 0);
}

static void test_error_reply(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;

        assert_int_equal(call("io.test.Fail", "{}", TIMEOUT_MS, &reply, &error), 1);
        assert_string_equal(error, "io.test.Failed");
        assert_string_equal(get_string(reply, "message"), "it failed on purpose");
}

static void test_internal_error(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL, *reply2 = NULL;
        _cleanup_(freep) char *error = NULL, *error2 = NULL;

        assert_int_equal(call("io.test.Internal", "{}", TIMEOUT_MS, &reply, &error), 1);
        assert_string_equal(error, "io.hnv.InternalError");
        assert_string_equal(get_string(reply, "message"), strerror(ENOSPC));

        /* A handler that neither answers nor keeps the call must not leave
         * the client waiting forever. */
        assert_int_equal(call("io.test.Forget", "{}", TIMEOUT_MS, &reply2, &error2), 1);
        assert_string_equal(error2, "io.hnv.InternalError");
}

static void test_method_not_found(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;

        assert_int_equal(call("io.test.NoSuchThing", "{}", TIMEOUT_MS, &reply, &error), 1);
        assert_string_equal(error, VARLINK_ERROR_METHOD_NOT_FOUND);
        assert_string_equal(get_string(reply, "method"), "io.test.NoSuchThing");
}

static void test_invalid_parameters(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        char buf[512];
        const char msg[] = "{\"method\":\"io.test.Echo\",\"parameters\":[1,2]}";
        int fd = raw_connect();

        raw_send(fd, msg, sizeof(msg));
        raw_recv_messages(fd, 1, buf, sizeof(buf));
        reply = json_tokener_parse(buf);
        assert_non_null(reply);
        assert_string_equal(get_string(reply, "error"), VARLINK_ERROR_INVALID_PARAMETER);
        close(fd);
}

static void test_get_info(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL, *desc = NULL, *missing = NULL;
        _cleanup_(freep) char *error = NULL, *error2 = NULL, *error3 = NULL;
        json_object *interfaces;

        assert_int_equal(call("org.varlink.service.GetInfo", NULL, TIMEOUT_MS, &reply, &error), 0);
        assert_string_equal(get_string(reply, "vendor"), "hnv");
        assert_string_equal(get_string(reply, "product"), "hnvd");
        assert_string_equal(get_string(reply, "version"), HNV_VERSION);
        assert_non_null(get_string(reply, "url"));
        assert_true(json_object_object_get_ex(reply, "interfaces", &interfaces));
        assert_int_equal(json_object_array_length(interfaces), 2);
        assert_string_equal(json_object_get_string(json_object_array_get_idx(interfaces, 0)),
                            "org.varlink.service");
        assert_string_equal(json_object_get_string(json_object_array_get_idx(interfaces, 1)), "io.test");

        assert_int_equal(call("org.varlink.service.GetInterfaceDescription", "{\"interface\": \"io.test\"}",
                              TIMEOUT_MS, &desc, &error2),
                         0);
        assert_string_equal(get_string(desc, "description"), "interface io.test\n");

        assert_int_equal(call("org.varlink.service.GetInterfaceDescription", "{\"interface\": \"io.nope\"}",
                              TIMEOUT_MS, &missing, &error3),
                         1);
        assert_string_equal(error3, VARLINK_ERROR_INTERFACE_NOT_FOUND);
        assert_string_equal(get_string(missing, "interface"), "io.nope");
}

static void test_deferred_reply(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL, *late = NULL;
        _cleanup_(freep) char *error = NULL, *error2 = NULL;
        json_object *v;

        assert_int_equal(call("io.test.Later", "{\"delay_ms\": 50}", TIMEOUT_MS, &reply, &error), 0);
        assert_true(json_object_object_get_ex(reply, "late", &v));
        assert_true(json_object_get_boolean(v));

        /* The client gives up; the server's reply later finds no peer. */
        assert_int_equal(call("io.test.Later", "{\"delay_ms\": 100}", 20, &late, &error2), -ETIMEDOUT);
        assert_null(late);
}

static void test_permission_denied(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        int status;
        pid_t pid;

        /* The server's own user is served like root. */
        assert_int_equal(call("io.test.Privileged", "{}", TIMEOUT_MS, &reply, &error), 0);
        assert_int_equal(get_int(reply, "uid"), (int)geteuid());
        if (geteuid() != 0)
                skip(); /* no other user to become */

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* Only async-signal-safe calls here: the parent has threads. */
                static const char msg[] = "{\"method\":\"io.test.Privileged\",\"parameters\":{}}";
                static char buf[4096];
                size_t len = 0;
                int fd;

                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                    setresuid(65534, 65534, 65534) < 0)
                        _exit(77);
                if (varlink_connect(srv.path, TIMEOUT_MS, &fd) < 0)
                        _exit(2);
                if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg))
                        _exit(3);
                while (len < sizeof(buf) - 1) {
                        struct pollfd pfd = {.fd = fd, .events = POLLIN};
                        ssize_t r;

                        /* The client's descriptor is non-blocking. */
                        if (poll(&pfd, 1, TIMEOUT_MS) != 1)
                                _exit(5);
                        r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

                        if (r <= 0)
                                _exit(4);
                        len += (size_t)r;
                        if (memchr(buf, 0, len))
                                break;
                }
                _exit(strstr(buf, "\"error\":\"" VARLINK_ERROR_PERMISSION_DENIED "\"") &&
                                      strstr(buf, "only root may call io.test.Privileged")
                              ? 0
                              : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_oversized_message(void **state) {
        static char chunk[64 * 1024];
        size_t sent = 0;
        int fd = raw_connect();

        memset(chunk, 'x', sizeof(chunk));
        /* More than VARLINK_REQUEST_MAX without a NUL; the server hangs up
         * somewhere along the way, which ends our sending too. */
        while (sent <= VARLINK_REQUEST_MAX + 4 * sizeof(chunk)) {
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                ssize_t w;

                assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
                w = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w < 0 && errno == EAGAIN)
                        continue;
                if (w < 0) {
                        assert_true(errno == EPIPE || errno == ECONNRESET);
                        break;
                }
                sent += (size_t)w;
        }
        assert_true(sent > VARLINK_REQUEST_MAX / 2);
        assert_dropped(fd, "message too long", false);
        close(fd);
        assert_server_alive();
}

static void test_malformed_message(void **state) {
        static const char *const bad[] = {
                "{not json}",
                "[1, 2]",
                "{\"parameters\": {}}",
                "{\"method\": 42}",
                "{\"method\": \"io.test.Echo\"} trailing",
                "",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int fd = raw_connect();

                raw_send(fd, bad[i], strlen(bad[i]) + 1);
                assert_dropped(fd, "not a Varlink message (a JSON object with a method, ended by NUL)",
                               true);
                close(fd);
        }
        assert_server_alive();
}

static void test_pipelined(void **state) {
        static const char msgs[] = "{\"method\":\"io.test.Later\",\"parameters\":{\"delay_ms\":100}}\0"
                                   "{\"method\":\"io.test.Echo\",\"parameters\":{\"n\":2}}\0"
                                   "{\"method\":\"io.test.Count\",\"oneway\":true}\0"
                                   "{\"method\":\"io.test.GetCount\"}";
        _cleanup_(json_object_putp) json_object *first = NULL, *second = NULL, *third = NULL;
        char buf[4096];
        size_t len, off;
        json_object *p;
        int fd = raw_connect();

        /* All four in one write; sizeof includes the final NUL. */
        raw_send(fd, msgs, sizeof(msgs));
        len = raw_recv_messages(fd, 3, buf, sizeof(buf));

        /* The slow call is answered first, although the quick one was
         * ready long before; the oneway call gets no answer at all. */
        first = json_tokener_parse(buf);
        off = strlen(buf) + 1;
        second = json_tokener_parse(buf + off);
        off += strlen(buf + off) + 1;
        third = json_tokener_parse(buf + off);
        off += strlen(buf + off) + 1;
        assert_int_equal(off, len);

        assert_true(json_object_object_get_ex(first, "parameters", &p));
        assert_true(json_object_object_get_ex(p, "late", NULL));
        assert_true(json_object_object_get_ex(second, "parameters", &p));
        assert_int_equal(get_int(p, "n"), 2);
        assert_true(json_object_object_get_ex(third, "parameters", &p));
        assert_int_equal(get_int(p, "count"), 1);
        close(fd);
}

static void test_hangup_before_deferred_reply(void **state) {
        static const char msg[] = "{\"method\":\"io.test.Later\",\"parameters\":{\"delay_ms\":50}}";
        _cleanup_(json_object_putp) json_object *reply = NULL, *conns = NULL;
        _cleanup_(freep) char *error = NULL, *error2 = NULL;
        int fd = raw_connect();

        raw_send(fd, msg, sizeof(msg));
        close(fd);

        /* Answered after the first timer fired, so by then the server has
         * dropped a reply to nobody. */
        assert_int_equal(call("io.test.Later", "{\"delay_ms\": 150}", TIMEOUT_MS, &reply, &error), 0);
        /* Only the connection asking is left. */
        assert_int_equal(call("io.test.Connections", NULL, TIMEOUT_MS, &conns, &error2), 0);
        assert_int_equal(get_int(conns, "connections"), 1);
}

/* A peer that sends calls and never reads its replies gets one reply
 * queued in hnvd at a time, not one per call: the calls behind wait (and
 * are answered, all of them, once it reads). */
static void test_unread_replies_are_bounded(void **state) {
        static const char msg[] = "{\"method\":\"io.test.Big\"}";
        enum { N = 200 };
        char buf[256 * 1024];
        unsigned sent = 0, found = 0;
        int fd = raw_connect();

        srv.big = 0;
        for (; sent < N; sent++) {
                ssize_t w = send(fd, msg, sizeof(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w < 0 && errno == EAGAIN)
                        break;
                assert_int_equal(w, sizeof(msg));
        }
        assert_true(sent > 20);
        (void)poll(NULL, 0, 300);
        /* What the socket's own buffer takes, and one more in ours. */
        assert_true(srv.big < 10);

        while (found < sent) {
                struct pollfd pfd = {.fd = fd, .events = POLLIN};
                ssize_t r;

                assert_int_equal(poll(&pfd, 1, TIMEOUT_MS), 1);
                r = recv(fd, buf, sizeof(buf), 0);
                assert_true(r > 0);
                for (ssize_t i = 0; i < r; i++)
                        found += buf[i] == 0;
        }
        assert_int_equal(srv.big, sent);
        close(fd);
        assert_server_alive();
}

/* The abuse the issue measured, as a test: one unprivileged user opens
 * 2,000 connections, pipelines calls with large replies it never reads, and
 * sends garbage; it gets VARLINK_CONNECTIONS_PER_UID (64) connections, and
 * root is still answered within a second. */
static void test_connection_cap(void **state) {
        _cleanup_(json_object_putp) json_object *reply = NULL;
        _cleanup_(freep) char *error = NULL;
        int to_parent[2], to_child[2], status;
        char served = 0;
        pid_t pid;

        if (geteuid() != 0)
                skip(); /* no other user to become */
        assert_int_equal(pipe2(to_parent, O_CLOEXEC), 0);
        assert_int_equal(pipe2(to_child, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* Only async-signal-safe calls here: the parent has threads. */
                static const char msg[] = "{\"method\":\"org.varlink.service.GetInfo\"}";
                static const char big[] = "{\"method\":\"io.test.Big\"}";
                static int fds[2000];
                struct rlimit rl = {.rlim_cur = 4096, .rlim_max = 4096};
                char c = 0;

                if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || setgroups(0, NULL) < 0 ||
                    setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(77);
                for (int i = 0; i < 2000; i++) {
                        struct sockaddr_un sa = {.sun_family = AF_UNIX};
                        fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                        memcpy(sa.sun_path, srv.path, strlen(srv.path));
                        if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
                                _exit(2);
                }
                /* Which of them are served. */
                for (int i = 0; i < 2000; i++) {
                        struct pollfd pfd = {.fd = fds[i], .events = POLLIN};
                        char b[512];

                        if (send(fds[i], msg, sizeof(msg), MSG_NOSIGNAL) == (ssize_t)sizeof(msg) &&
                            poll(&pfd, 1, TIMEOUT_MS) == 1 && recv(fds[i], b, sizeof(b), 0) > 0)
                                c++;
                }
                /* On those: calls whose replies are never read, and garbage
                 * on some. */
                for (int i = 0; i < 2000; i++)
                        for (int j = 0; j < 50; j++)
                                (void)send(fds[i], i % 8 ? big : "{]", i % 8 ? sizeof(big) : 3,
                                           MSG_NOSIGNAL | MSG_DONTWAIT);
                if (write(to_parent[1], &c, 1) != 1)
                        _exit(3);
                /* Hold them until the parent has asked as root (bounded: a
                 * parent whose assertion failed does not say). */
                struct pollfd pfd = {.fd = to_child[0], .events = POLLIN};
                if (poll(&pfd, 1, TIMEOUT_MS) != 1 || read(to_child[0], &c, 1) != 1)
                        _exit(4);
                _exit(0);
        }
        close(to_parent[1]);
        close(to_child[0]);
        assert_int_equal(read(to_parent[0], &served, 1), 1);
        assert_int_equal(served, 64);
        /* Root, with the other user's connections all held. */
        (void)poll(NULL, 0, 200);
        assert_int_equal(call("org.varlink.service.GetInfo", NULL, 1000, &reply, &error), 0);
        assert_int_equal(write(to_child[1], &served, 1), 1);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        close(to_parent[0]);
        close(to_child[1]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

/* With no descriptor left, accept() fails on a listening socket that stays
 * readable: the server pauses rather than spin, and the pause needs no new
 * descriptor. Run in a child whose descriptor limit is what it has open. */
static void test_accept_pauses_without_descriptors(void **state) {
        int status;
        char path[160];
        pid_t pid;

        snprintf(path, sizeof(path), "%s/sub/io.emfile", srv.dir);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* A process of its own, without the parent's threads. */
                sd_event *e = NULL;
                VarlinkServer *s = NULL;
                struct rlimit rl;
                int cfd, top = 0, busy = 0;

                if (sd_event_new(&e) < 0 || varlink_server_new(&s, e, path, 0666, -1) < 0)
                        _exit(2);
                cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                {
                        struct sockaddr_un sa = {.sun_family = AF_UNIX};
                        memcpy(sa.sun_path, path, strlen(path));
                        if (cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                                _exit(3);
                }
                for (int i = 0; i < 1024; i++)
                        if (fcntl(i, F_GETFD) >= 0)
                                top = i;
                rl = (struct rlimit){.rlim_cur = (rlim_t)top + 1, .rlim_max = (rlim_t)top + 1};
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        _exit(4);
                /* And no hole below the limit either. */
                while (dup(0) >= 0)
                        ;
                /* 300 ms of loop: a spinning accept dispatches thousands
                 * of times, a pause once or twice. */
                for (int i = 0; i < 30; i++) {
                        int r = sd_event_run(e, 10 * 1000);
                        if (r < 0)
                                _exit(5);
                        busy += r > 0;
                }
                _exit(busy > 10 ? 6 : 0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        (void)unlink(path);
}

/* A server that stops accepting, its backlog full: connecting gives up at
 * the deadline instead of blocking for as long as the server is stuck. */
static void test_connect_timeout(void **state) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char path[160];
        int lfd, fds[8], n = 0, fd;
        uint64_t t0, t1;
        struct timespec ts;

        snprintf(path, sizeof(path), "%s/sub/io.full", srv.dir);
        memcpy(sa.sun_path, path, strlen(path));
        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(lfd >= 0);
        assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(listen(lfd, 0), 0);
        /* Fill the backlog. */
        for (; n < 8; n++) {
                fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (connect(fds[n], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                        assert_int_equal(errno, EAGAIN);
                        close(fds[n]);
                        break;
                }
        }
        assert_true(n > 0 && n < 8);

        clock_gettime(CLOCK_MONOTONIC, &ts);
        t0 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
        assert_int_equal(varlink_connect(path, 200, &fd), -ETIMEDOUT);
        clock_gettime(CLOCK_MONOTONIC, &ts);
        t1 = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
        assert_true(t1 - t0 >= 200 && t1 - t0 < 2000);
        /* A server that runs: hcnmgr must not act beside it. */
        assert_false(varlink_connect_error_is_absent(-ETIMEDOUT));

        while (n-- > 0)
                close(fds[n]);
        close(lfd);
        /* The socket left behind by a server that is gone: nobody listens. */
        int k = varlink_connect(path, 200, &fd);
        assert_int_equal(k, -ECONNREFUSED);
        assert_true(varlink_connect_error_is_absent(k));
        assert_int_equal(unlink(path), 0);
}

static void test_connect_failure(void **state) {
        char path[160];
        int fd = -1;

        snprintf(path, sizeof(path), "%s/nothing-here", srv.dir);
        assert_int_equal(varlink_connect(path, TIMEOUT_MS, &fd), -ENOENT);
        assert_int_equal(fd, -1);
        assert_true(varlink_connect_error_is_absent(-ENOENT));
        memset(path, 'a', sizeof(path) - 1);
        path[sizeof(path) - 1] = 0;
        assert_int_equal(varlink_connect(path, TIMEOUT_MS, &fd), -ENAMETOOLONG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_socket_setup),
                cmocka_unit_test(test_call_reply),
                cmocka_unit_test(test_error_reply),
                cmocka_unit_test(test_internal_error),
                cmocka_unit_test(test_method_not_found),
                cmocka_unit_test(test_invalid_parameters),
                cmocka_unit_test(test_get_info),
                cmocka_unit_test(test_deferred_reply),
                cmocka_unit_test(test_permission_denied),
                cmocka_unit_test(test_oversized_message),
                cmocka_unit_test(test_malformed_message),
                cmocka_unit_test(test_pipelined),
                cmocka_unit_test(test_hangup_before_deferred_reply),
                cmocka_unit_test(test_unread_replies_are_bounded),
                cmocka_unit_test(test_connection_cap),
                cmocka_unit_test(test_accept_pauses_without_descriptors),
                cmocka_unit_test(test_connect_timeout),
                cmocka_unit_test(test_connect_failure),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
