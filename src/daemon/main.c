/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hnvd: parses its arguments and runs the manager; all else is the library. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "heap-trim.h"
#include "log.h"
#include "manager.h"

static void help(void) {
        printf("Usage: hnvd [OPTIONS]\n\n"
               "Keeps SR-IOV VFs and their paravirtual backups in active-backup bonds.\n\n"
               "  -f --foreground        log to stderr (default under a terminal)\n"
               "  -l --log-level=LEVEL   err, warning, notice, info (default), debug\n"
               "  -c --config=FILE       configuration file (default " HNV_CONFIG_FILE ")\n"
               "  -C --config-dir=DIR    drop-in directory (default " HNV_CONFIG_DROPIN ")\n"
               "     --rundir=DIR        socket and state directory (default /run/hnv)\n"
               "  -n --check             check the configuration, print \"configuration OK\", exit\n"
               "  -V --version           print the version\n"
               "  -h --help              this text\n");
}

static int on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        _cleanup_(freep) char *error = NULL;
        int k;

        (void)sd_notify(false, "RELOADING=1");
        k = manager_reload(userdata, &error);
        if (k < 0)
                log_error("reload refused, keeping the running configuration: %s",
                          error ? error : strerror(-k));
        (void)sd_notify(false, "READY=1");
        return 0;
}

/* Once the first pass has built the groups whose devices are present:
 * hnvd.service is ordered before network-pre.target and the connection
 * managers so that they find the bonds, which READY=1 at start-up did not
 * promise. Logged first, so the log says which bonds were there when the
 * units after hnvd started. */
static void on_ready(void *userdata) {
        Manager *m = *(Manager **)userdata;

        log_info("hnvd " HNV_VERSION " running, backend %s", manager_backend_name(m));
        (void)sd_notify(false, "READY=1\nSTATUS=running");
}

int main(int argc, char **argv) {
        enum { ARG_RUNDIR = 0x100 };
        static const struct option options[] = {
                {"foreground", no_argument, NULL, 'f'},
                {"log-level", required_argument, NULL, 'l'},
                {"config", required_argument, NULL, 'c'},
                {"config-dir", required_argument, NULL, 'C'},
                {"rundir", required_argument, NULL, ARG_RUNDIR},
                {"check", no_argument, NULL, 'n'},
                {"version", no_argument, NULL, 'V'},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        _cleanup_(freep) char *error = NULL;
        ManagerOptions mo = {.ready = on_ready, .ready_userdata = &m};
        bool foreground = false, check = false;
        int c, k, level = LOG_INFO;

        while ((c = getopt_long(argc, argv, "fl:c:C:nVh", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        foreground = true;
                        break;
                case 'l':
                        level = log_level_from_string(optarg);
                        if (level < 0) {
                                fprintf(stderr, "hnvd: unknown log level '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 'c':
                        mo.config_file = optarg;
                        break;
                case 'C':
                        mo.config_dropin = optarg;
                        break;
                case ARG_RUNDIR:
                        mo.rundir = optarg;
                        break;
                case 'n':
                        check = true;
                        break;
                case 'V':
                        printf("hnvd " HNV_VERSION "\n");
                        return 0;
                case 'h':
                        help();
                        return 0;
                default:
                        return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "hnvd: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }

        /* Under systemd stderr is the journal's stream: use the native
         * protocol instead, for the IFNAME= and HNV_GROUP= fields. */
        log_setup(!foreground && getenv("JOURNAL_STREAM") ? LOG_TARGET_JOURNAL : LOG_TARGET_STDERR, level);

        if (check) {
                _cleanup_(config_freep) Config *cfg = NULL;
                /* hnvd runs without a configuration file, but a file named
                 * on the command line that is not there is a typo the check
                 * must not call OK. */
                if (mo.config_file && access(mo.config_file, F_OK) < 0) {
                        fprintf(stderr, "hnvd: %s: %m\n", mo.config_file);
                        return 1;
                }
                k = config_load(mo.config_file ?: HNV_CONFIG_FILE, mo.config_dropin ?: HNV_CONFIG_DROPIN,
                                &cfg, &error);
                if (k < 0) {
                        fprintf(stderr, "%s\n", error ? error : strerror(-k));
                        return 1;
                }
                printf("configuration OK: %zu group%s\n", cfg->n_groups, cfg->n_groups == 1 ? "" : "s");
                return 0;
        }

        /* The signals the loop takes as events. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        manager_setup_process();

        k = sd_event_default(&event);
        if (k < 0)
                return log_error_errno(k, "cannot create event loop: %m"), 1;
        (void)sd_event_set_watchdog(event, true);
        (void)heap_trim_attach(event);
        (void)sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        (void)sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);

        k = manager_new(&m, event, &mo);
        if (k < 0)
                return log_error_errno(k, "cannot create manager: %m"), 1;
        (void)sd_event_add_signal(event, NULL, SIGHUP, on_reload_signal, m);

        k = manager_start(m, &error);
        if (k < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(k, "start failed: %m");
                (void)sd_notifyf(false, "STATUS=start failed\nERRNO=%d", -k);
                return 1;
        }

        k = sd_event_loop(event);
        if (k == MANAGER_EXIT_REEXEC) {
                /* The same process again, so systemd sees a reload rather
                 * than a failure, and the new hnvd adopts the bonds as
                 * after any restart. getopt only permuted argv. */
                (void)sd_notify(false, "RELOADING=1\nSTATUS=starting again for another backend");
                m = manager_free(m);
                event = sd_event_unref(event);
                execv("/proc/self/exe", argv);
                log_error_errno(-errno, "cannot execute hnvd again: %m");
                return 1;
        }
        (void)sd_notify(false, "STOPPING=1");
        log_info("hnvd stopping");
        return k < 0 ? 1 : 0;
}
