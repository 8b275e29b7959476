#!/usr/bin/env python3
"""nanoGPT's character-level recipe in plain PyTorch, the reference for Nabla's `gpt` preset.

The model has nanoGPT's shape and state-dict names (transformer.wte.weight, transformer.h.0.attn.c_attn.weight,
..., lm_head.weight), PyTorch's default initialisation (no GPT-2 re-initialisation) and a head tied to
the token embedding, so it loads a Nabla `gpt` checkpoint as it is.

    # the fortunes text, as Nabla reads it with --data text:fortunes.txt
    venv/bin/python Benchmarks/gpt_reference.py --prepare fortunes.txt
    # the recipe: 4 layers, 4 heads, embed 128, block 64, batch 12, 2,000 iterations, AdamW 1e-3, ...
    venv/bin/python Benchmarks/gpt_reference.py --train fortunes.txt --seed 1337
    # one training step of the recipe's model, for Benchmarks/compare.py
    venv/bin/python Benchmarks/gpt_reference.py --workload gpt_step_ms
    # PyTorch loads a trained Nabla run and compares logits with the ones Nabla dumped there
    venv/bin/python Benchmarks/gpt_reference.py --check-logits RUN_DIR
"""
import argparse
import json
import math
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FORTUNES = "/usr/share/games/fortunes"


class CausalSelfAttention(nn.Module):
    def __init__(self, embed, heads, dropout):
        super().__init__()
        self.c_attn = nn.Linear(embed, 3 * embed)
        self.c_proj = nn.Linear(embed, embed)
        self.resid_dropout = nn.Dropout(dropout)
        self.heads, self.dropout = heads, dropout

    def forward(self, x):
        b, t, e = x.shape
        q, k, v = self.c_attn(x).split(e, dim=2)
        q, k, v = (z.view(b, t, self.heads, e // self.heads).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0)
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).contiguous().view(b, t, e)))


class MLP(nn.Module):
    def __init__(self, embed, dropout):
        super().__init__()
        self.c_fc = nn.Linear(embed, 4 * embed)
        self.c_proj = nn.Linear(4 * embed, embed)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, embed, heads, dropout):
        super().__init__()
        self.ln_1 = nn.LayerNorm(embed)
        self.attn = CausalSelfAttention(embed, heads, dropout)
        self.ln_2 = nn.LayerNorm(embed)
        self.mlp = MLP(embed, dropout)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block, layers, heads, embed, dropout=0.0):
        super().__init__()
        self.block = block
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, embed), wpe=nn.Embedding(block, embed), drop=nn.Dropout(dropout),
            h=nn.ModuleList([Block(embed, heads, dropout) for _ in range(layers)]), ln_f=nn.LayerNorm(embed)))
        self.lm_head = nn.Linear(embed, vocab, bias=False)
        # nanoGPT's tying: the embedding takes the head's weight (and so its nn.Linear initialisation).
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        t = idx.shape[1]
        pos = torch.arange(t, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


def fortunes_text(directory=FORTUNES):
    """The plain-text fortune files in sorted order, without the .dat indexes and the .u8 links, `%` separators kept."""
    parts = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith((".dat", ".u8")) or os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            parts.append(f.read())
    return "".join(parts)


def split(text, fraction=0.1):
    """Nabla's split: the last round(n * fraction) characters are held out; the vocabulary is the whole text's."""
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    held = int(len(data) * fraction + 0.5)
    return chars, data[:len(data) - held], data[len(data) - held:]


def validation_loss(model, val, block, batch=64):
    """Mean cross-entropy over the whole tail in non-overlapping windows (each character predicted once)."""
    model.eval()
    starts = list(range(0, len(val) - block, block))
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(starts), batch):
            s = starts[i:i + batch]
            x = torch.stack([val[j:j + block] for j in s])
            y = torch.stack([val[j + 1:j + 1 + block] for j in s])
            logits = model(x)
            total += F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1), reduction="sum").item()
            count += y.numel()
    model.train()
    return total / count


def learning_rate(it, lr=1e-3, min_lr=1e-4, warmup=100, total=2000):
    """The rate of step `it` (from 0), as Nabla's StepSchedule: nanoGPT's linear warm-up lr·(it+1)/(warmup+1),
    then a cosine down to min_lr, reached at the last step (nanoGPT's lr_decay_iters = total reaches it one step later)."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    ratio = min((it - warmup) / max(total - 1 - warmup, 1), 1.0)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def adamw(model, lr=1e-3, weight_decay=0.1, betas=(0.9, 0.99)):
    """AdamW with weight decay on parameters of rank >= 2 (matrices and embeddings) only, as nanoGPT."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=betas)


def train(path, seed, iterations=2000, batch=12, block=64, layers=4, heads=4, embed=128, eval_every=250):
    with open(path, encoding="utf-8") as f:
        chars, data, val = split(f.read())
    torch.manual_seed(seed)
    model = GPT(len(chars), block, layers, heads, embed)
    optimizer = adamw(model)
    start = time.perf_counter()
    for it in range(iterations):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(it, total=iterations)
        ix = torch.randint(len(data) - block, (batch,))
        x = torch.stack([data[i:i + block] for i in ix])
        y = torch.stack([data[i + 1:i + 1 + block] for i in ix])
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if (it + 1) % eval_every == 0 or it + 1 == iterations:
            print(f"step {it + 1}: train loss {loss.item():.4f}, val loss {validation_loss(model, val, block):.4f}", flush=True)
    seconds = time.perf_counter() - start
    result = {"seed": seed, "val_loss": validation_loss(model, val, block), "ms_per_step": seconds / iterations * 1e3,
              "vocabulary": len(chars), "train_characters": len(data), "val_characters": len(val)}
    result["val_bpc"] = result["val_loss"] / math.log(2)
    return result


def step_ms(repeats=20, vocab=113, batch=12, block=64):
    """Milliseconds per training step of the recipe's model on random tokens (zero grad, forward, backward, AdamW)."""
    torch.manual_seed(0)
    model = GPT(vocab, block, 4, 4, 128)
    optimizer = adamw(model)
    g = torch.Generator().manual_seed(98)
    x = torch.randint(0, vocab, (batch, block), generator=g)
    y = torch.randint(0, vocab, (batch, block), generator=g)

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        F.cross_entropy(logits.view(-1, vocab), y.view(-1)).backward()
        optimizer.step()
    for _ in range(3):
        step()
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        step()
        times.append(time.perf_counter() - begin)
    return sorted(times)[len(times) // 2] * 1e3


def check_logits(run):
    """Loads RUN/model.safetensors into the PyTorch model and compares its logits on the tokens in
    RUN/logits.safetensors with the logits Nabla wrote there; returns the largest absolute difference."""
    from safetensors.torch import load_file
    with open(os.path.join(run, "checkpoint", "config.json")) as f:
        config = json.load(f)
    with open(os.path.join(run, "checkpoint", "vocab.json")) as f:
        vocab = len(json.load(f)["characters"])
    model = GPT(vocab, config.get("blockSize", 64), config.get("layers", 4), config.get("heads", 4), config.get("embed", 128))
    model.load_state_dict(load_file(os.path.join(run, "model.safetensors")))
    model.eval()
    dumped = load_file(os.path.join(run, "logits.safetensors"))
    with torch.no_grad():
        logits = model(dumped["tokens"].long())
    return (logits - dumped["logits"]).abs().max().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", metavar="OUT", help="write the fortunes text to OUT")
    parser.add_argument("--train", metavar="TEXT", help="train the recipe on TEXT and print the validation loss")
    parser.add_argument("--seed", type=int, action="append", help="repeatable (default: 1337 and 7)")
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--workload", choices=["gpt_step_ms"])
    parser.add_argument("--check-logits", metavar="RUN_DIR")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.prepare:
        text = fortunes_text()
        with open(args.prepare, "w", encoding="utf-8") as f:
            f.write(text)
        print(json.dumps({"characters": len(text), "distinct": len(set(text)), "file": args.prepare}))
    if args.train:
        results = [train(args.train, seed, iterations=args.iterations) for seed in (args.seed or [1337, 7])]
        print(json.dumps({"runs": results, "mean_val_loss": sum(r["val_loss"] for r in results) / len(results)}))
    if args.workload == "gpt_step_ms":
        ms = step_ms()
        print(json.dumps({"gpt_step_ms": ms, "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    if args.check_logits:
        difference = check_logits(args.check_logits)
        print(json.dumps({"max_abs_logit_difference": difference, "within_1e-5": difference <= 1e-5}))
        if difference > 1e-5:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
