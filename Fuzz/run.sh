#!/usr/bin/env bash
# Fuzz/run.sh [SECONDS] [TARGET...]: builds nabla-fuzz with libFuzzer and AddressSanitizer, then fuzzes
# each target (all of them by default) for SECONDS (default 60) from its seed corpus (Fuzz/corpus/TARGET)
# and its past findings (Fuzz/regressions/TARGET). Exits 1 if any target finds a crash, a trap, an
# unexpected error, a leak, a hang (-timeout) or a huge allocation (-malloc_limit_mb, -rss_limit_mb).
# FUZZ_JOBS=N fuzzes N targets at a time (default 1), each still for SECONDS; one per core is fair.
# Work corpora grow in .build-fuzz/corpus, logs go to .build-fuzz/logs, crash inputs to
# .build-fuzz/findings (copy one to Fuzz/regressions/TARGET/ once its bug is fixed). The table it prints
# is what Fuzz/README.md's ledger records.
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
jobs=${FUZZ_JOBS:-1}

# Fuzzes one target for $seconds and writes its row of the table to $scratch/logs/TARGET.row.
fuzz_one() {
    local target=$1 corpus="$scratch/corpus/$1" dict="$scratch/dict/$1.dict" log="$scratch/logs/$1.log" status=0
    mkdir -p "$corpus"
    local flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512
                 -print_final_stats=1 -artifact_prefix="$scratch/findings/$target-")
    "$fuzzer" --dictionary "$target" > "$dict"
    [ -s "$dict" ] && flags+=(-dict="$dict")
    local inputs=("$corpus" "Fuzz/corpus/$target")
    [ -d "Fuzz/regressions/$target" ] && inputs+=("Fuzz/regressions/$target")
    nice "$fuzzer" "$target" "${flags[@]}" "${inputs[@]}" > "$log" 2>&1 || status=$?
    local runs speed cov ft result=ok
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    [ "$status" -eq 0 ] || result="FINDING (exit $status): see $log"
    printf '%-13s %8s %10s %8s %6s %6s  %s\n' "$target" "$seconds" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$result" \
        > "$scratch/logs/$target.row"
}

printf '%-13s %8s %10s %8s %6s %6s  %s\n' target seconds runs exec/s cov ft result
failed=0
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
    batch=("${targets[@]:i:jobs}")
    for target in "${batch[@]}"; do rm -f "$scratch/logs/$target.row"; fuzz_one "$target" & done
    wait
    for target in "${batch[@]}"; do
        row=$(cat "$scratch/logs/$target.row" 2>/dev/null || echo "$target ? FINDING: the fuzzer left no result")
        echo "$row"
        case "$row" in *FINDING*) failed=1 ;; esac
    done
done
if [ "$failed" -ne 0 ]; then
    echo "crash inputs: $scratch/findings (replay one: $fuzzer TARGET FILE)"
    exit 1
fi
