#ifndef NABLA_FUZZ_SHIM_H
#define NABLA_FUZZ_SHIM_H

#include <stddef.h>
#include <stdint.h>

/// What the fallback `LLVMFuzzerRunDriver` returns: this program was built without libFuzzer.
#define NABLA_FUZZ_NO_LIBFUZZER (-7701)

/// libFuzzer's entry point for programs that keep their own `main` (LLVM 13 and later): parses the
/// flags and corpus paths in `argv`, then runs `callback` on every input until a limit or a finding.
/// Built with `-sanitize=fuzzer`, libFuzzer's definition is linked; otherwise a weak fallback that
/// returns `NABLA_FUZZ_NO_LIBFUZZER` at once, so a plain `swift build` links without libFuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
