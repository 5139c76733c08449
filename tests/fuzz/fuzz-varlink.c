/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hnvd's control socket end to end: the input is the bytes a client sends
 * (NUL-framed JSON, or anything), read by the real Varlink server and
 * dispatched to hnvd's methods, run by a real manager on the fake kernel
 * (tests/unit/fake-kernel.c) with one group and a device tree. Each input
 * gets a fresh manager, so no input depends on the one before. Replies
 * are read and dropped; the sanitizers and the loop's bounds are the
 * checks: a hang is a timeout, a reply queue without bound an rss limit. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "fuzz.h"
#include "log.h"
#include "manager.h"
#include "varlink.h"

static char dir[64];
static bool verbose;

static void put(const char *rel, const void *data, size_t size) {
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        f = fopen(path, "we");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
                abort();
}

static void mkdirs(const char *rel) {
        char path[256];

        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                (void)mkdir(path, 0755);
                *p = '/';
        }
        (void)mkdir(path, 0755);
}

/* The partition of test-manager's HMC tests: a VF in a pci slot and an
 * l-lan backup of hcn-id 333e80f5; hnv.conf adds a group of its own. */
static void setup_once(void) {
        static const uint8_t id[] = {0x33, 0x3e, 0x80, 0xf5}, drc_vf[] = {0x80, 0x00, 0x00, 0x3a},
                             drc_bk[] = {0x30, 0x00, 0x00, 0x02};
        char conf[512];
        int n;

        snprintf(dir, sizeof(dir), "%s/hnv-fuzz-varlink-XXXXXX",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir))
                abort();
        mkdirs("conf.d");
        mkdirs("dt/pci@800000020000011/ethernet@0");
        mkdirs("dt/vdevice/l-lan@30000002");
        mkdirs("sys/class/net/vf0/device");
        mkdirs("sys/class/net/bk0/device");
        put("dt/pci@800000020000011/ethernet@0/ibm,hcn-id", id, 4);
        put("dt/pci@800000020000011/ethernet@0/ibm,hcn-mode", "primary", 8);
        put("dt/pci@800000020000011/ibm,my-drc-index", drc_vf, 4);
        put("dt/vdevice/l-lan@30000002/ibm,hcn-id", id, 4);
        put("dt/vdevice/l-lan@30000002/ibm,hcn-mode", "backup", 7);
        put("dt/vdevice/l-lan@30000002/ibm,my-drc-index", drc_bk, 4);
        put("sys/class/net/vf0/device/devspec", "/pci@800000020000011/ethernet@0\n", 32);
        put("sys/class/net/bk0/device/devspec", "/vdevice/l-lan@30000002\n", 24);
        n = snprintf(conf, sizeof(conf),
                     "[global]\n"
                     "device-tree = yes\n"
                     "device-tree-root = %s/dt\n"
                     "sysfs-root = %s/sys\n"
                     "auto-pairing = no\n"
                     "bond-options = miimon=10 num_peer_notif=1\n"
                     "[group web]\n"
                     "primary = mac:02:00:00:00:00:11\n"
                     "backup = mac:02:00:00:00:00:12\n",
                     dir, dir);
        put("hnv.conf", conf, (size_t)n);
        log_setup(LOG_TARGET_STDERR, LOG_CRIT);
}

/* Runs the loop until nothing is left to do now. */
static void settle(sd_event *e, FakeKernel *k) {
        for (int i = 0; i < 1000; i++)
                if (sd_event_run(e, 0) == 0 && !fake_pending(k))
                        return;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char path[128], buf[65536];
        _cleanup_(freep) char *error = NULL;
        sd_event *e = NULL;
        FakeKernel *k;
        Manager *m = NULL;
        size_t sent = 0;
        int fd = -1, waits = 0;

        if (!dir[0]) {
                setup_once();
                verbose = getenv("HNV_FUZZ_VERBOSE");
        }
        if (size > 256 * 1024)
                return 0;

        snprintf(path, sizeof(path), "%s/run/state.json", dir);
        (void)unlink(path);
        if (sd_event_new(&e) < 0)
                abort();
        k = fake_kernel_new(e);
        fake_link_add(k, "vf0", "02:00:00:00:00:01", true, "mlx5_core", NULL);
        fake_link_add(k, "bk0", "02:00:00:00:00:02", false, "ibmveth", NULL);
        fake_link_add(k, "vf1", "02:00:00:00:00:11", true, "mlx5_core", NULL);
        fake_link_add(k, "bk1", "02:00:00:00:00:12", false, "virtio_net", NULL);

        char conf[128], dropin[128], rundir[128];
        snprintf(conf, sizeof(conf), "%s/hnv.conf", dir);
        snprintf(dropin, sizeof(dropin), "%s/conf.d", dir);
        snprintf(rundir, sizeof(rundir), "%s/run", dir);
        ManagerOptions o = {
                .config_file = conf,
                .config_dropin = dropin,
                .rundir = rundir,
                .platform = fake_platform_new(k),
                .backend = fake_backend_new(k),
        };
        if (manager_new(&m, e, &o) < 0 || manager_start(m, &error) < 0)
                abort();
        settle(e, k);

        snprintf(path, sizeof(path), "%s/run/io.hnv", dir);
        if (varlink_connect(path, 1000, &fd) < 0)
                abort();

        /* Send while the server reads and answers; then hang up the
         * sending side and read what comes until the server is done. */
        for (int idle = 0; idle < 50;) {
                bool progress = false;

                if (sent < size) {
                        ssize_t w = send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                        if (w > 0) {
                                sent += (size_t)w;
                                progress = true;
                                if (sent == size)
                                        (void)shutdown(fd, SHUT_WR);
                        } else if (w < 0 && errno != EAGAIN)
                                sent = size;
                } else if (size == 0 && sent == 0) {
                        (void)shutdown(fd, SHUT_WR);
                }
                /* A method that waits (a planned release's 10 ms) gets
                         * a little wall time, boundedly. */
                if (sd_event_run(e, idle == 10 && waits++ < 3 ? 30000 : 0) > 0)
                        progress = true;
                ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (r == 0)
                        break;
                if (r > 0) {
                        progress = true;
                        /* To see what a seed gets: HNV_FUZZ_VERBOSE=1. */
                        if (verbose)
                                for (ssize_t i = 0; i < r; i++)
                                        fputc(buf[i] ?: '\n', stderr);
                }
                idle = progress ? 0 : idle + 1;
        }
        close(fd);
        settle(e, k);

        manager_free(m);
        fake_kernel_free(k);
        sd_event_unref(e);
        return 0;
}
