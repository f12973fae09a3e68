#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked in by -sanitize=fuzzer). Each fuzzer's own
/// main calls it: SwiftPM renames an executable's entry point and points `main` at it
/// with a linker --defsym, so libFuzzer's main cannot be used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
