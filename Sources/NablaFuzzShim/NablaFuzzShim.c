#include "NablaFuzzShim.h"

// Weak, so that libFuzzer's strong definition (linked whole-archive by -sanitize=fuzzer) replaces it.
__attribute__((weak)) int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size)) {
    (void)argc;
    (void)argv;
    (void)callback;
    return NABLA_FUZZ_NO_LIBFUZZER;
}
