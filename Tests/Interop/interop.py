#!/usr/bin/env python3
"""Checks that checkpoints move both ways between Nabla and PyTorch, on an MLP and a CNN.

Run on demand from the repository root, with torch and safetensors installed (see
Tests/Fixtures/README.md for the virtual environment) and a release build of `nabla`:

    swift build -c release --product nabla
    venv/bin/python Tests/Interop/interop.py

Nabla → PyTorch: `nabla train` writes model.safetensors; PyTorch loads it with
`model.load_state_dict(safetensors.torch.load_file(path))` into the equivalent model from
Tests/Fixtures/model_presets.py, and both predict the same inputs.
PyTorch → Nabla: PyTorch's own randomly initialized weights are saved with safetensors and start a
Nabla run (`--pretrained`, learning rate 0, so they stay as they are); `nabla predict` on that run
folder must reproduce PyTorch's outputs. (A file copied into a run folder by hand is refused: each
checkpoint's manifest records its files' SHA-256.)
The CNN case needs Fashion-MNIST (apt-get install dataset-fashion-mnist).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Fixtures"))
from model_presets import cnn, mlp  # noqa: E402

NABLA = os.environ.get("NABLA_BIN", os.path.join(ROOT, ".build", "release", "nabla"))
TOLERANCE = 1e-5


def nabla(*args):
    out = subprocess.run([NABLA, *args], check=True, capture_output=True, text=True)
    return out.stdout


def nabla_predict(run, input_path):
    return np.array(json.loads(nabla("predict", "--checkpoint", run, "--input", input_path, "--json"))["outputs"])


def torch_predict(model, x):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(torch.tensor(x, dtype=torch.float32)), dim=-1).numpy()


def write_pgm(path, pixels):
    with open(path, "wb") as f:
        f.write(b"P5\n28 28\n255\n" + bytes(pixels.astype(np.uint8).ravel()))


def check(name, ours, theirs):
    err = float(np.max(np.abs(ours - theirs)))
    status = "ok" if err <= TOLERANCE else "FAILED"
    print(f"{name}: max |Nabla - PyTorch| = {err:.2e} ({status})")
    return err <= TOLERANCE


def from_pytorch(tmp, name, model, *train_args):
    """A Nabla run folder whose weights are `model`'s, by `--pretrained` with a learning rate of 0."""
    weights = os.path.join(tmp, f"{name}-torch.safetensors")
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, weights)
    run = os.path.join(tmp, f"{name}-from-torch")
    nabla("train", *train_args, "--pretrained", weights, "--lr", "0", "--epochs", "1", "--out", run, "--json")
    return run


def mlp_case(tmp):
    run = os.path.join(tmp, "mlp")
    nabla("train", "--data", "spirals", "--model", "mlp", "--epochs", "3", "--out", run, "--json")
    points = np.random.RandomState(0).uniform(-1, 1, size=(16, 2)).astype(np.float32)
    csv = os.path.join(tmp, "points.csv")
    np.savetxt(csv, points, delimiter=",", fmt="%.8f")
    model = mlp(in_features=2, out=2)
    model.load_state_dict(load_file(os.path.join(run, "model.safetensors")))
    ok = check("MLP Nabla → PyTorch", torch_predict(model, points), nabla_predict(run, csv))
    fresh = mlp(in_features=2, out=2)
    run = from_pytorch(tmp, "mlp", fresh, "--data", "spirals", "--model", "mlp")
    ok &= check("MLP PyTorch → Nabla", nabla_predict(run, csv), torch_predict(fresh, points))
    return ok


def cnn_case(tmp):
    if not os.path.exists("/usr/share/datasets/fashion-mnist"):
        print("CNN: skipped (Fashion-MNIST not installed)")
        return True
    run = os.path.join(tmp, "cnn")
    nabla("train", "--data", "fashion-mnist", "--model", "cnn", "--epochs", "1", "--max-steps", "30", "--out", run, "--json")
    pixels = np.random.RandomState(1).randint(0, 256, size=(28, 28))
    image = os.path.join(tmp, "image.pgm")
    write_pgm(image, pixels)
    x = (pixels / 255.0).astype(np.float32).reshape(1, 1, 28, 28)
    model = cnn()
    model.load_state_dict(load_file(os.path.join(run, "model.safetensors")))
    ok = check("CNN Nabla → PyTorch", torch_predict(model, x), nabla_predict(run, image))
    fresh = cnn()
    run = from_pytorch(tmp, "cnn", fresh, "--data", "fashion-mnist", "--model", "cnn", "--max-steps", "1")
    ok &= check("CNN PyTorch → Nabla", nabla_predict(run, image), torch_predict(fresh, x))
    return ok


def main():
    if not os.path.exists(NABLA):
        sys.exit("build first: swift build -c release --product nabla")
    tmp = tempfile.mkdtemp(prefix="nabla-interop-")
    try:
        ok = mlp_case(tmp) & cnn_case(tmp)
    finally:
        shutil.rmtree(tmp)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
