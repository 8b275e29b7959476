#!/usr/bin/env python3
"""Fashion-MNIST data parallelism against one process, side by side.

For the MLP and CNN presets: one process of two threads (NABLA_THREADS=2) against `mpirun -np 2` ranks
of one thread each, the same seed and global batch, alternating A B A B. Prints a markdown table of
throughput (samples/s), test accuracy, time, and the share of the time rank 0 spent averaging gradients.
With the same seed and global batch both runs follow the same trajectory (up to float rounding), so the
time to a given test accuracy scales as the throughput.

With --torchrun, PyTorch DDP (gloo, `torch_ddp.py`, 2 ranks of one thread) runs the same preset, global
batch and epochs in each round as a third setup (A B C A B C), and the table gains its rows and a column
comparing each throughput with DDP's. Its share column is the time a gradient all-reduce was in flight
(DDP overlaps it with the backward pass; Nabla does not, so for Nabla the two measures are the same).

    swift build -c release --product nabla
    python3 Benchmarks/mpi_scaling.py --rounds 2
    python3 Benchmarks/mpi_scaling.py --rounds 2 --torchrun venv/bin/torchrun
"""
import argparse, json, os, re, statistics, subprocess, tempfile, time

PRESETS = {"mlp": ["--batch-size", "128", "--epochs", "2"], "cnn": ["--batch-size", "64", "--epochs", "1"]}
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2"]
SEED = "1"
SETUPS = {1: "1 process × 2 threads", 2: "2 ranks × 1 thread", "ddp": "PyTorch DDP, 2 ranks × 1 thread (gloo)"}


def train(nabla, preset, ranks, folder):
    args = [nabla, "train", "--data", "fashion-mnist", "--model", preset, "--seed", SEED, "--out", folder] + PRESETS[preset]
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


def train_ddp(torchrun, preset):
    """torch_ddp.py on 2 ranks with the preset's recipe and this script's batch, epochs and seed."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_ddp.py")
    command = [torchrun, "--standalone", "--nproc_per_node", "2", script, "--model", preset, "--seed", SEED] + PRESETS[preset]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    result["communication"] = result["allreduce_share"]
    return result


def run_round(options, preset, runs):
    for setup in runs:
        if setup == "ddp":
            runs[setup].append(train_ddp(options.torchrun, preset))
            continue
        with tempfile.TemporaryDirectory() as folder:
            runs[setup].append(train(options.nabla, preset, setup, os.path.join(folder, "run")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nabla", default=".build/release/nabla")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--torchrun", help="torchrun of a Python with torch: also run PyTorch DDP (torch_ddp.py) in each round")
    options = parser.parse_args()
    rows = []
    for preset in PRESETS:
        runs = {1: [], 2: []} | ({"ddp": []} if options.torchrun else {})
        for _ in range(options.rounds):
            run_round(options, preset, runs)
        rows.append((preset, runs))
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.2f}, {options.rounds} rounds, medians\n")
    extra = " vs PyTorch DDP |" if options.torchrun else ""
    print("| preset | setup | samples/s | seconds | test accuracy | gradient averaging share | throughput vs 1 process |" + extra)
    print("| --- | --- | --- | --- | --- | --- | --- |" + (" --- |" if extra else ""))
    for preset, runs in rows:
        speeds = {setup: statistics.median(r["samples_per_second"] for r in rs) for setup, rs in runs.items()}
        for setup, rs in runs.items():
            share = [r["communication"] for r in rs if r["communication"] is not None]
            ratio = f" {speeds[setup] / speeds['ddp']:.2f}× |" if extra else ""
            print(f"| {preset} | {SETUPS[setup]} | {speeds[setup]:.0f} | {statistics.median(r['seconds'] for r in rs):.1f} | "
                  f"{statistics.median(r['test_accuracy'] for r in rs):.4f} | "
                  f"{(f'{100 * statistics.median(share):.1f}%' if share else '–')} | {speeds[setup] / speeds[1]:.2f}× |{ratio}")


if __name__ == "__main__":
    main()
