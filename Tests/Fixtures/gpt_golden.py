#!/usr/bin/env python3
"""Golden values for Nabla's `GPT` from the PyTorch model of Benchmarks/gpt_reference.py.

A small model (vocabulary 11, block 8, 2 layers, 2 heads, embed 16) with PyTorch's default
initialisation (seed 0, float32 values), run in float64 on a batch of 2 windows: its state dict
(the tied weight under both names, as `state_dict()` gives it), the tokens and targets, the logits,
the loss over every position, and the gradient of the loss for every parameter (by the name
`named_parameters()` gives it: the tied weight once, as `transformer.wte.weight`).

    venv/bin/python Tests/Fixtures/gpt_golden.py     # writes Tests/Fixtures/gpt_golden.json
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Benchmarks"))
from gpt_reference import GPT  # noqa: E402


def tensor(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    config = {"vocabularySize": 11, "blockSize": 8, "layers": 2, "heads": 2, "embed": 16}
    torch.manual_seed(0)
    model = GPT(config["vocabularySize"], config["blockSize"], config["layers"], config["heads"], config["embed"])
    # LayerNorm starts at ones and zeros; move them so the golden values exercise them.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "ln" in name:
                p.add_(0.1 * torch.randn_like(p))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    model = model.double()
    g = torch.Generator().manual_seed(1)
    tokens = torch.randint(0, config["vocabularySize"], (2, config["blockSize"]), generator=g)
    targets = torch.randint(0, config["vocabularySize"], (2, config["blockSize"]), generator=g)
    logits = model(tokens)
    loss = F.cross_entropy(logits.view(-1, config["vocabularySize"]), targets.view(-1))
    loss.backward()
    out = {"generator": "gpt_golden.py", "torch_version": torch.__version__, "config": config,
           "state": {k: tensor(v) for k, v in state.items()},
           "tokens": tensor(tokens.double()), "targets": tensor(targets.double()),
           "logits": tensor(logits), "loss": loss.item(),
           "grads": {k: tensor(p.grad) for k, p in model.named_parameters()}}
    with open(os.path.join(HERE, "gpt_golden.json"), "w") as f:
        json.dump(out, f)
    print(f"wrote gpt_golden.json: {len(out['state'])} tensors, loss {loss.item():.6f}")


if __name__ == "__main__":
    main()
