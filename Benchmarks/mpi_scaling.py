#!/usr/bin/env python3
"""Fashion-MNIST data parallelism against one process, side by side.

For the MLP and CNN presets: one process of two threads (NABLA_THREADS=2) against `mpirun -np 2` ranks
of one thread each, the same seed and global batch, alternating A B A B. Prints a markdown table of
throughput (samples/s), test accuracy, time, and the share of the time rank 0 spent averaging gradients.
With the same seed and global batch both runs follow the same trajectory (up to float rounding), so the
time to a given test accuracy scales as the throughput.

    swift build -c release --product nabla
    python3 Benchmarks/mpi_scaling.py --rounds 2
"""
import argparse, json, os, re, statistics, subprocess, tempfile, time

PRESETS = {"mlp": ["--batch-size", "128", "--epochs", "2"], "cnn": ["--batch-size", "64", "--epochs", "1"]}
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2"]


def train(nabla, preset, ranks, folder):
    args = [nabla, "train", "--data", "fashion-mnist", "--model", preset, "--seed", "1", "--out", folder] + PRESETS[preset]
    env = dict(os.environ)
    if ranks == 1:
        env["NABLA_THREADS"] = "2"
    command = args if ranks == 1 else MPIRUN + args
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    with open(os.path.join(folder, "result.json")) as f:
        result = json.load(f)
    share = re.search(r"averaging gradients took ([\d.]+) s of ([\d.]+) s", output)
    result["communication"] = float(share.group(1)) / float(share.group(2)) if share else None
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nabla", default=".build/release/nabla")
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    rows = []
    for preset in PRESETS:
        runs = {1: [], 2: []}
        for _ in range(options.rounds):
            for ranks in (1, 2):
                with tempfile.TemporaryDirectory() as folder:
                    runs[ranks].append(train(options.nabla, preset, ranks, os.path.join(folder, "run")))
        rows.append((preset, runs))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.2f}, {options.rounds} rounds, medians\n")
    print("| preset | setup | samples/s | seconds | test accuracy | gradient averaging share | throughput vs 1 process |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for preset, runs in rows:
        base = statistics.median(r["samples_per_second"] for r in runs[1])
        for ranks, label in ((1, "1 process × 2 threads"), (2, "2 ranks × 1 thread")):
            rs = runs[ranks]
            speed = statistics.median(r["samples_per_second"] for r in rs)
            share = [r["communication"] for r in rs if r["communication"] is not None]
            print(f"| {preset} | {label} | {speed:.0f} | {statistics.median(r['seconds'] for r in rs):.1f} | "
                  f"{statistics.median(r['test_accuracy'] for r in rs):.4f} | "
                  f"{(f'{100 * statistics.median(share):.1f}%' if share else '–')} | {speed / base:.2f}× |")


if __name__ == "__main__":
    main()
