/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every fuzz target defines libFuzzer's entry point. Built with clang and
 * -Dfuzzing=true it is a libFuzzer program (tools/fuzz); otherwise
 * fuzz-main.c gives it a main() that runs the seed corpus once, so every
 * build checks that the seeds still go through cleanly. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: its bytes and a NUL after them (NULs inside
 * stay, for the targets that split on them). NULL when out of memory. */
static inline char *fuzz_text(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);

        if (text) {
                memcpy(text, data, size);
                text[size] = '\0';
        }
        return text;
}
