/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer entry point for the hnv.conf parser. Built with
 * -DHNV_FUZZ_STANDALONE it gets a main() that runs the seed corpus instead,
 * so every build checks that the seeds still go through cleanly. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *text = NULL, *error = NULL;

        /* config_validate() compares every group with every other; a
         * configuration file is never this large, and quadratic time on a
         * huge input is not a finding. */
        if (size > 64 * 1024)
                return 0;

        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        c = config_new();
        if (!c)
                return 0;
        if (config_parse_text(c, "fuzz", text, &error) >= 0) {
                error = mfree(error);
                (void)config_validate(c, &error);
        }
        return 0;
}

#ifdef HNV_FUZZ_STANDALONE
static int run_file(const char *path) {
        _cleanup_(freep) uint8_t *buf = NULL;
        size_t size = 0, allocated = 0;
        FILE *f;

        f = fopen(path, "re");
        if (!f) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        for (;;) {
                if (size == allocated) {
                        uint8_t *p = realloc(buf, allocated + 4096);
                        if (!p) {
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = p;
                        allocated += 4096;
                }
                size_t n = fread(buf + size, 1, allocated - size, f);
                if (n == 0)
                        break;
                size += n;
        }
        if (ferror(f)) {
                fprintf(stderr, "%s: read error\n", path);
                fclose(f);
                return -EIO;
        }
        fclose(f);

        LLVMFuzzerTestOneInput(buf, size);
        printf("ok %s (%zu bytes)\n", path, size);
        return 0;
}

/* Runs every regular file of each directory (or each file) named on the
 * command line. No input at all is a failure: it means the corpus moved. */
int main(int argc, char *argv[]) {
        unsigned n = 0;

        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                struct dirent *de;

                if (!d) {
                        if (errno != ENOTDIR || run_file(argv[i]) < 0)
                                return EXIT_FAILURE;
                        n++;
                        continue;
                }
                while ((de = readdir(d))) {
                        _cleanup_(freep) char *path = NULL;

                        if (de->d_name[0] == '.')
                                continue;
                        if (asprintf(&path, "%s/%s", argv[i], de->d_name) < 0 || run_file(path) < 0) {
                                closedir(d);
                                return EXIT_FAILURE;
                        }
                        n++;
                }
                closedir(d);
        }

        if (n == 0) {
                fprintf(stderr, "no input files\n");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
#endif
