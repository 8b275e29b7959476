#!/usr/bin/env python3
"""The Nabla benchmark workloads in PyTorch, for side-by-side ratios.

Mirrors `nabla bench` (Sources/Nabla/Benchmarks/*.swift): same models, batch sizes, repeat and
warm-up counts, and the same JSON keys. Runs on the CPU with 2 threads.

    /work/venv/bin/python Benchmarks/torch_reference.py --workload cnn_step_ms_b64
    {"cnn_step_ms_b64": 10.3, "peak_memory_mib": 310.2}
"""
import argparse
import gzip
import json
import math
import os
import resource
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

WORKLOADS = ["mlp_step_ms_b128", "cnn_step_ms_b64", "lstm_step_ms_b64", "tiny_chain_us_per_op",
             "sgemm1024_gflops", "fmnist_mlp_5ep_s", "gpt_step_ms"]


def median_seconds(body, repeats, warmup):
    for _ in range(warmup):
        body()
    samples = []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return samples[len(samples) // 2]


def step_ms(model, input_shape, repeats):
    g = torch.Generator().manual_seed(98)
    x = torch.randn(input_shape, generator=g)
    y = torch.randint(0, 10, (input_shape[0],), generator=g)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return median_seconds(step, repeats, warmup=3) * 1e3


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10))


class LSTMClassifier(nn.Module):
    """LSTM(28→128, batch-first) over the sequence, Linear(128→10) on the last output."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def tiny_chain_us(repeats):
    x = torch.randn(16, requires_grad=True)

    def chain():
        y = x
        for _ in range(100):
            y = torch.tanh(y * 1.01 + 0.01)
        y.sum().backward()
        x.grad = None
    return median_seconds(chain, repeats, warmup=20) / 100 * 1e6


def sgemm_gflops(size, repeats):
    a, b = torch.randn(size, size), torch.randn(size, size)
    seconds = median_seconds(lambda: torch.matmul(a, b), repeats, warmup=2)
    return 2 * size ** 3 / seconds / 1e9


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def fashion_data(directory):
    """Fashion-MNIST as (train images, train labels, test images, test labels), images [N, 1, 28, 28] in [0, 1]; None without the data."""
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    paths = [os.path.join(directory, n) for n in names]
    if not all(os.path.exists(p) for p in paths):
        return None
    xtr, ytr, xte, yte = (read_idx(p) for p in paths)
    xtr, xte = xtr.reshape(-1, 1, 28, 28).float() / 255, xte.reshape(-1, 1, 28, 28).float() / 255
    return xtr, ytr.long(), xte, yte.long()


FASHION_MODELS = {
    "mlp": lambda: nn.Sequential(nn.Flatten(), *mlp()),
    "cnn": cnn,
    "lstm": lambda: nn.Sequential(nn.Flatten(1, 2), LSTMClassifier()),
}


def fashion_train(name, directory, epochs, seed=0):
    """Seconds for `epochs` of preset `name` on all 60,000 Fashion-MNIST training images at PyTorch's
    usual defaults (Adam 1e-3, batch 128, no schedule), and the test accuracy; None without the data."""
    data = fashion_data(directory)
    if data is None:
        return None
    xtr, ytr, xte, yte = data
    torch.manual_seed(seed)
    model = FASHION_MODELS[name]()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 128):
            idx = order[i:i + 128]
            opt.zero_grad()
            F.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(xte), 1000)])
    return seconds, (predictions == yte).float().mean().item()


# `nabla train`'s recipe for each preset (Sources/NablaRuns/Runs/TrainingRecipe.swift): AdamW with PyTorch's
# default weight decay 0.01 on every parameter, one epoch of linear warm-up, then a cosine stepped per
# iteration down to 1e-5 at the last step, label smoothing 0.1, 5% of the training images held out.
NABLA_RECIPES = {"mlp": {"lr": 2e-3, "batch": 64}, "cnn": {"lr": 2e-3, "batch": 32}, "lstm": {"lr": 3e-3, "batch": 64}}


def recipe_rate(base, step, warmup, total, floor=1e-5):
    """The rate of optimizer step `step` (from 0), as Nabla's StepSchedule computes it."""
    if step < warmup:
        return base * (step + 1) / (warmup + 1)
    ratio = min((step - warmup) / max(total - 1 - warmup, 1), 1.0)
    return floor + (base - floor) * 0.5 * (1 + math.cos(math.pi * ratio))


def fashion_recipe_train(name, directory, epochs, seed=0):
    """Seconds for `epochs` of preset `name` trained as `nabla train --model NAME` trains it (NABLA_RECIPES),
    validating on the held-out 5% after every epoch as Nabla does (inside the timing), and the test
    accuracy; None without the data."""
    data = fashion_data(directory)
    if data is None:
        return None
    xtr, ytr, xte, yte = data
    recipe = NABLA_RECIPES[name]
    torch.manual_seed(seed)
    held = round(len(xtr) * 0.05)
    split = torch.randperm(len(xtr))
    xva, yva, xtr, ytr = xtr[split[:held]], ytr[split[:held]], xtr[split[held:]], ytr[split[held:]]
    model = FASHION_MODELS[name]()
    opt = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=0.01)
    batch = recipe["batch"]
    per_epoch = (len(xtr) + batch - 1) // batch
    total, step = per_epoch * epochs, 0
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(xtr))
        for i in range(0, len(xtr), batch):
            idx = order[i:i + batch]
            for group in opt.param_groups:
                group["lr"] = recipe_rate(recipe["lr"], step, per_epoch, total)
            opt.zero_grad()
            F.cross_entropy(model(xtr[idx]), ytr[idx], label_smoothing=0.1).backward()
            opt.step()
            step += 1
        model.eval()
        with torch.no_grad():
            sum(F.cross_entropy(model(xva[i:i + 1000]), yva[i:i + 1000], reduction="sum").item() for i in range(0, held, 1000))
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(xte), 1000)])
    return seconds, (predictions == yte).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=WORKLOADS, help="run only this workload")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--fmnist", choices=sorted(FASHION_MODELS),
                        help="train this preset on Fashion-MNIST at PyTorch's usual defaults and print its test accuracy")
    parser.add_argument("--epochs", type=int, default=5, help="epochs for --fmnist")
    parser.add_argument("--seed", type=int, default=0, help="seed for --fmnist and fmnist_mlp_5ep_s")
    parser.add_argument("--recipe", choices=["defaults", "nabla"], default="defaults",
                        help="for --fmnist: PyTorch's usual defaults (Adam 1e-3, batch 128), or `nabla train`'s recipe for the preset")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.fmnist:
        train = fashion_recipe_train if args.recipe == "nabla" else fashion_train
        trained = train(args.fmnist, args.data_dir, args.epochs, args.seed)
        if trained is None:
            raise SystemExit(f"no Fashion-MNIST in {args.data_dir}")
        seconds, accuracy = trained
        print(json.dumps({"model": args.fmnist, "recipe": args.recipe, "epochs": args.epochs, "seed": args.seed,
                          "seconds": seconds, "test_accuracy": accuracy}))
        return
    torch.manual_seed(0)

    def wanted(name):
        return args.workload is None or args.workload == name
    results = {}
    if wanted("mlp_step_ms_b128"):
        results["mlp_step_ms_b128"] = step_ms(mlp(), (128, 784), repeats=50)
    if wanted("cnn_step_ms_b64"):
        results["cnn_step_ms_b64"] = step_ms(cnn(), (64, 1, 28, 28), repeats=20)
    if wanted("lstm_step_ms_b64"):
        results["lstm_step_ms_b64"] = step_ms(LSTMClassifier(), (64, 28, 28), repeats=20)
    if wanted("gpt_step_ms"):
        # The recipe's model, defined with the rest of the gpt reference.
        from gpt_reference import step_ms as gpt_step_ms
        results["gpt_step_ms"] = gpt_step_ms()
    if wanted("tiny_chain_us_per_op"):
        results["tiny_chain_us_per_op"] = tiny_chain_us(repeats=200)
    if wanted("sgemm1024_gflops"):
        results["sgemm1024_gflops"] = sgemm_gflops(1024, repeats=10)
    if wanted("fmnist_mlp_5ep_s"):
        # The same run as `nabla bench`'s: the mlp preset at `nabla train`'s recipe.
        trained = fashion_recipe_train("mlp", args.data_dir, epochs=5, seed=args.seed)
        if trained is not None:
            results["fmnist_mlp_5ep_s"], results["fmnist_mlp_5ep_test_acc"] = trained
    # ru_maxrss is in KiB on Linux.
    results["peak_memory_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(results))


if __name__ == "__main__":
    main()
