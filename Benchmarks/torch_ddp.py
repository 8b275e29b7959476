#!/usr/bin/env python3
"""Nabla's mlp and cnn presets trained data-parallel with PyTorch DDP (gloo), for side-by-side runs.

Start it with torchrun, one process per rank and one thread each:

    venv/bin/torchrun --standalone --nproc_per_node 2 Benchmarks/torch_ddp.py --model cnn --max-steps 300

The models are torch_reference.py's (the presets' architectures); the recipe is `nabla train`'s default
for the preset (TrainingRecipe.swift): AdamW 2e-3 with weight decay 0.01, a global batch of 64 (mlp)
or 32 (cnn), one epoch of linear warm-up then a per-step cosine to 1e-5, label smoothing 0.1, 5% of the
training images held out for validation after every epoch (split across the ranks, as Nabla does, and
inside the timed training, as Nabla's), 5 epochs. Each rank reads its share of every epoch through
DistributedSampler, global batch / ranks samples per step.

Rank 0 prints one JSON line: the median step time (zero grad, forward, backward with DDP's all-reduce,
optimizer step), samples per second over the training time (validation included), the share of that time during which a
gradient all-reduce was in flight (timed by a DDP communication hook; DDP overlaps it with the
backward pass, so this is not all waiting), the last validation accuracy and the test accuracy on the
10,000 test images (scored by rank 0 after training).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import FASHION_MODELS, fashion_data  # noqa: E402  (the presets' models and data)

# `nabla train`'s recipe per preset (TrainingRecipe.presets): the global batch differs, the rest is shared.
RECIPE_BATCH = {"mlp": 64, "cnn": 32}


def parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(RECIPE_BATCH), required=True)
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--batch-size", type=int, help="global batch (default: the preset's recipe, 64 mlp, 32 cnn)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps (the cosine spans them)")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--warmup-epochs", type=int, default=1)
    parser.add_argument("--min-lr", type=float, default=1e-5)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--val-split", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per rank")
    return parser.parse_args()


def schedule(steps_per_epoch, total_steps, args):
    """The learning-rate factor of step s, as Nabla's StepSchedule: warm-up base·(s+1)/(w+1), then a
    cosine from the base to min-lr that reaches the floor at the last step."""
    warmup = args.warmup_epochs * steps_per_epoch
    span = total_steps - 1 - warmup
    floor = args.min_lr / args.lr

    def factor(step):
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if span <= 0:
            return 1.0
        ratio = min((step - warmup) / span, 1.0)
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * ratio))
    return factor


def timed_allreduce(intervals, bucket):
    """DDP's default hook (all-reduce, then divide by the world size), noting when each bucket's
    all-reduce started and finished."""
    start = time.perf_counter()
    tensor = bucket.buffer().div_(dist.get_world_size())
    future = dist.all_reduce(tensor, async_op=True).get_future()

    def finished(done):
        intervals.append((start, time.perf_counter()))
        return done.value()[0]
    return future.then(finished)


def covered(intervals, start, end):
    """Seconds of [start, end] covered by at least one interval."""
    total, reach = 0.0, start
    for a, b in sorted(intervals):
        a, b = max(a, reach), min(b, end)
        if b > a:
            total += b - a
            reach = b
    return total


def validate(model, images, labels, rank, world):
    """Accuracy on `images`, each rank scoring a contiguous share, the counts summed over the ranks."""
    share = slice(len(images) * rank // world, len(images) * (rank + 1) // world)
    xs, ys = images[share], labels[share]
    model.eval()
    with torch.no_grad():
        correct = sum((model(xs[i:i + 1000]).argmax(1) == ys[i:i + 1000]).sum().item() for i in range(0, len(xs), 1000))
    model.train()
    counts = torch.tensor([float(correct), float(len(xs))], dtype=torch.float64)
    dist.all_reduce(counts)
    return (counts[0] / counts[1]).item() if counts[1] > 0 else None


def train(args, rank, world):
    data = fashion_data(args.data_dir)
    if data is None:
        raise SystemExit(f"no Fashion-MNIST in {args.data_dir} (Debian: dataset-fashion-mnist)")
    xtr, ytr, xte, yte = data
    generator = torch.Generator().manual_seed(args.seed)
    order = torch.randperm(len(xtr), generator=generator)
    cut = len(xtr) - int(len(xtr) * args.val_split)
    kept, held = order[:cut], order[cut:]
    train_set = TensorDataset(xtr[kept], ytr[kept])
    batch = args.batch_size or RECIPE_BATCH[args.model]
    if batch % world:
        raise SystemExit(f"--batch-size {batch} is not a multiple of the {world} ranks")
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=batch // world, sampler=sampler)
    torch.manual_seed(args.seed)
    model = DistributedDataParallel(FASHION_MODELS[args.model]())
    intervals = []
    model.register_comm_hook(intervals, timed_allreduce)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    planned = args.epochs * len(loader)
    total = min(args.max_steps or planned, planned)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule(len(loader), total, args))
    step_seconds, in_flight, step, accuracy = [], 0.0, 0, None
    dist.barrier()
    start = time.perf_counter()
    for epoch in range(args.epochs):
        if step == total:
            break
        sampler.set_epoch(epoch)
        model.train()
        for x, y in loader:
            if step == total:
                break
            intervals.clear()
            begin = time.perf_counter()
            optimizer.zero_grad()
            F.cross_entropy(model(x), y, label_smoothing=args.label_smoothing).backward()
            optimizer.step()
            scheduler.step()
            end = time.perf_counter()
            step_seconds.append(end - begin)
            in_flight += covered(intervals, begin, end)
            step += 1
        if len(held):
            accuracy = validate(model.module, xtr[held], ytr[held], rank, world)
    seconds = time.perf_counter() - start
    return model.module, step, seconds, step_seconds, in_flight, accuracy, (xte, yte), batch


def main():
    args = parse()
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    model, steps, seconds, step_seconds, in_flight, val_accuracy, (xte, yte), batch = train(args, rank, world)
    if rank == 0:
        model.eval()
        with torch.no_grad():
            predictions = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(xte), 1000)])
        print(json.dumps({
            "model": args.model, "ranks": world, "backend": "gloo", "torch": torch.__version__,
            "threads_per_rank": args.threads, "global_batch": batch, "steps": steps,
            "median_step_ms": 1e3 * statistics.median(step_seconds) if step_seconds else None,
            "samples_per_second": steps * batch / seconds if seconds > 0 else 0.0,
            "seconds": seconds,
            "allreduce_share": sum(step_seconds) and in_flight / sum(step_seconds),
            "val_accuracy": val_accuracy, "test_accuracy": (predictions == yte).float().mean().item(),
        }), flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
