#!/usr/bin/env python3
"""Runs Nabla's and PyTorch's benchmark workloads side by side and prints a markdown table.

For each workload, alternates `nabla bench --json --workload W` and `torch_reference.py --workload W`
for several rounds (A B A B ...), so both see the same machine load, and reports the medians and the
ratio Nabla / PyTorch. For times, a ratio below 1 means Nabla is faster; for GFLOP/s, above 1 does.

    swift build -c release --product nabla
    /work/venv/bin/python Benchmarks/compare.py --rounds 5

With `--baseline OTHER_NABLA`, an older build runs in the same alternation (old, new, PyTorch), and the
table gains its column and the new/old ratio: a before/after comparison under the same machine load.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = ["mlp_step_ms_b128", "cnn_step_ms_b64", "lstm_step_ms_b64", "tiny_chain_us_per_op",
             "sgemm1024_gflops", "fmnist_mlp_5ep_s", "gpt_step_ms"]
HIGHER_IS_BETTER = {"sgemm1024_gflops"}


def run_json(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, load average {load}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="A/B rounds per workload (default 5)")
    parser.add_argument("--workload", action="append", choices=WORKLOADS, help="repeatable; default: all")
    parser.add_argument("--nabla", default=os.path.join(ROOT, ".build/release/nabla"))
    parser.add_argument("--baseline", help="an older nabla binary to run in the same alternation")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--torch-threads", type=int, default=2, help="PyTorch's intra-op threads (default 2)")
    args = parser.parse_args()
    workloads = args.workload or [w for w in WORKLOADS if w != "fmnist_mlp_5ep_s"]
    nabla = [args.nabla, "bench", "--json", "--workload"]
    torch = [args.python, os.path.join(HERE, "torch_reference.py"), "--threads", str(args.torch_threads), "--workload"]

    started = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    rows, memory, direct = [], {"nabla": [], "torch": []}, []
    commands = [("nabla", nabla), ("torch", torch)]
    if args.baseline:
        commands.insert(0, ("baseline", [args.baseline, "bench", "--json", "--workload"]))
        memory["baseline"] = []
    for workload in workloads:
        samples = {name: [] for name, _ in commands}
        accuracies = {name: [] for name, _ in commands}
        for round_number in range(args.rounds):
            for name, command in commands:
                # The training workload runs seed 0, 1, 2, … in successive rounds, the same on each side.
                seed = ["--seed", str(round_number)] if workload == "fmnist_mlp_5ep_s" and name != "baseline" else []
                result = run_json(command + [workload] + seed)
                if workload in result:
                    samples[name].append(result[workload])
                if "fmnist_mlp_5ep_test_acc" in result:
                    accuracies[name].append(result["fmnist_mlp_5ep_test_acc"])
                if name == "nabla" and "sgemm1024_blas_direct_gflops" in result:
                    direct.append(result["sgemm1024_blas_direct_gflops"])
                memory[name].append(result["peak_memory_mib"])
        if not samples["nabla"] or not samples["torch"]:
            print(f"{workload}: skipped (no result)", file=sys.stderr)
            continue
        a, b = statistics.median(samples["nabla"]), statistics.median(samples["torch"])
        better = "higher is better" if workload in HIGHER_IS_BETTER else "lower is better"
        before = ""
        if args.baseline:
            old = statistics.median(samples["baseline"]) if samples["baseline"] else float("nan")
            before = f"{old:.4g} | {old / b:.3g} | {a / old:.3g} | "
        rows.append(f"| `{workload}` | {before}{a:.4g} | {b:.4g} | {a / b:.3g} ({better}) | "
                    f"{min(samples['nabla']):.4g}–{max(samples['nabla']):.4g} | "
                    f"{min(samples['torch']):.4g}–{max(samples['torch']):.4g} |")
        if workload == "fmnist_mlp_5ep_s" and accuracies["nabla"] and accuracies["torch"]:
            # Test accuracy, mean over the rounds' seeds 0, 1, …
            a_acc, b_acc = statistics.mean(accuracies["nabla"]), statistics.mean(accuracies["torch"])
            skip = "| | | " if args.baseline else ""
            rows.append(f"| `fmnist_mlp_5ep_test_acc`, mean of seeds 0–{args.rounds - 1} | {skip}{a_acc:.4f} | {b_acc:.4f} | "
                        f"{a_acc - b_acc:+.4f} (difference) | {min(accuracies['nabla']):.4f}–{max(accuracies['nabla']):.4f} | "
                        f"{min(accuracies['torch']):.4f}–{max(accuracies['torch']):.4f} |")
        if workload == "sgemm1024_gflops" and direct:
            # Nabla's runs also time the system BLAS called directly, on its own threads.
            d = statistics.median(direct)
            skip = "| | | " if args.baseline else ""
            rows.append(f"| `sgemm1024_gflops`, Nabla vs its BLAS called directly | {skip}{a:.4g} | {d:.4g} (direct) | "
                        f"{a / d:.3g} (higher is better) | | {min(direct):.4g}–{max(direct):.4g} |")
    print(f"Nabla vs PyTorch ({args.torch_threads} threads), {args.rounds} alternating rounds per workload, "
          f"medians; started {started}.")
    print(f"Machine: {machine()} (at the end).\n")
    if args.baseline:
        print("| workload | Nabla before | before / PyTorch | new / before | Nabla | PyTorch | Nabla / PyTorch "
              "| Nabla range | PyTorch range |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    else:
        print("| workload | Nabla | PyTorch | Nabla / PyTorch | Nabla range | PyTorch range |")
        print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if memory["nabla"] and memory["torch"]:
        skip = "| | | " if args.baseline else ""
        print(f"| `peak_memory_mib` (largest) | {skip}{max(memory['nabla']):.4g} | {max(memory['torch']):.4g} | "
              f"{max(memory['nabla']) / max(memory['torch']):.3g} (lower is better) | | |")


if __name__ == "__main__":
    main()
