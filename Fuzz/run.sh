#!/usr/bin/env bash
# Fuzz/run.sh [SECONDS] [TARGET...]: builds nabla-fuzz with libFuzzer and AddressSanitizer, then fuzzes
# each target (all of them by default) for SECONDS (default 60) from its seed corpus (Fuzz/corpus/TARGET)
# and its past findings (Fuzz/regressions/TARGET). Exits 1 if any target finds a crash, a trap, an
# unexpected error, a leak, a hang (-timeout) or a huge allocation (-malloc_limit_mb, -rss_limit_mb).
# Work corpora grow in .build-fuzz/corpus, logs go to .build-fuzz/logs, crash inputs to
# .build-fuzz/findings (copy one to Fuzz/regressions/TARGET/ once its bug is fixed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
scratch=.build-fuzz

# ld.gold (Swift's default linker here) fails with an internal error on libFuzzer's archive; lld links it.
nice swift build -c release --scratch-path "$scratch" --product nabla-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld
fuzzer="$scratch/release/nabla-fuzz"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("$fuzzer" --list | cut -d' ' -f1)

mkdir -p "$scratch/logs" "$scratch/findings" "$scratch/dict"
export SWIFT_BACKTRACE=enable=no   # libFuzzer reports crashes; Swift's backtracer would hold the pipe
printf '%-13s %8s %10s %8s %6s %6s  %s\n' target seconds runs exec/s cov ft result
failed=0
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    mkdir -p "$corpus"
    flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512
           -print_final_stats=1 -artifact_prefix="$scratch/findings/$target-")
    dict="$scratch/dict/$target.dict"
    "$fuzzer" --dictionary "$target" > "$dict"
    [ -s "$dict" ] && flags+=(-dict="$dict")
    inputs=("$corpus" "Fuzz/corpus/$target")
    [ -d "Fuzz/regressions/$target" ] && inputs+=("Fuzz/regressions/$target")
    log="$scratch/logs/$target.log"
    status=0
    nice "$fuzzer" "$target" "${flags[@]}" "${inputs[@]}" > "$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    result=ok
    if [ "$status" -ne 0 ]; then
        result="FINDING (exit $status): see $log"
        failed=1
    fi
    printf '%-13s %8s %10s %8s %6s %6s  %s\n' "$target" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
if [ "$failed" -ne 0 ]; then
    echo "crash inputs: $scratch/findings (replay one: $fuzzer TARGET FILE)"
    exit 1
fi
