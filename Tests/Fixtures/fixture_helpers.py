"""Shared helpers for the PyTorch reference fixtures.

Every ``fixtures_*.py`` module in this folder builds its cases with these helpers so
that all JSON files share one schema:

    {"name": str, "op": str, "args": {...},
     "inputs": [{"shape": [...], "data": [...], "requires_grad": bool}, ...],
     "output": {"shape": [...], "data": [...]},
     "grad_output": {"shape": [...], "data": [...]} | null,
     "grads": [{"shape": [...], "data": [...]} | null, ...]}

Conventions
-----------
* Inputs are generated from a ``numpy.random.RandomState`` seeded from the case name
  (CRC-32), so a case's inputs never change when other cases are added or reordered,
  and do not depend on the torch version.
* Every input value is float32-representable (generated in float32); the forward and
  backward passes then run in float64 so the stored output and gradients are the
  exact truth for those float32 inputs.
* ``grad_output`` is a seeded standard-normal tensor (float32-representable) of the
  output's shape; ``grads[i]`` is d(sum(output * grad_output)) / d(inputs[i]), or
  ``None`` for inputs that are not differentiable (masks, indices, labels).
* Integer tensors (indices, labels, argmax results) and booleans (comparison results)
  are stored as float data. Integer inputs have ``requires_grad: false``.
* Forward-only cases (``forward_only=True`` or a non-floating output) store
  ``grad_output: null`` and ``grads: [null, ...]``.
"""

import math
import zlib

import numpy as np
import torch

DTYPE = torch.float64


# --------------------------------------------------------------------------- RNG / inputs

def case_rng(name, salt=""):
    """A RandomState seeded deterministically from the case name."""
    return np.random.RandomState(zlib.crc32((name + salt).encode("utf-8")) & 0x7FFFFFFF)


def f32(values):
    """Round to float32-representable values, returned as a float64 ndarray."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def normal(rng, shape, scale=1.0, shift=0.0):
    return f32(rng.standard_normal(size=tuple(shape)) * scale + shift)


def uniform(rng, shape, low, high):
    return f32(rng.uniform(low, high, size=tuple(shape)))


def log_uniform(rng, shape, low, high):
    """Positive values spread over magnitudes, log-uniform in [low, high]."""
    return f32(np.exp(rng.uniform(math.log(low), math.log(high), size=tuple(shape))))


def away_from_zero(rng, shape, low, high):
    """Random sign times uniform(low, high): |x| >= low > 0."""
    sign = np.where(rng.uniform(size=tuple(shape)) < 0.5, -1.0, 1.0)
    return f32(sign * rng.uniform(low, high, size=tuple(shape)))


def randint(rng, shape, low, high):
    """Integers in [low, high) as a float64 ndarray (for indices / labels)."""
    return rng.randint(low, high, size=tuple(shape)).astype(np.float64)


def fixed(values, shape=None):
    a = f32(values)
    if shape is not None:
        a = a.reshape(tuple(shape))
    return a


def assert_no_ties(a, min_gap=1e-6):
    flat = np.sort(np.asarray(a).ravel())
    if flat.size > 1:
        assert np.min(np.diff(flat)) > min_gap, "input has (near-)ties"
    return a


class Input:
    """An input array plus whether it is differentiable."""

    def __init__(self, array, requires_grad=True):
        self.array = np.asarray(array, dtype=np.float64)
        self.requires_grad = requires_grad


def G(array):
    """Differentiable input."""
    return Input(array, True)


def N(array):
    """Non-differentiable input (mask, index, label)."""
    return Input(array, False)


# --------------------------------------------------------------------------- serialisation

def tensor_json(t):
    """Tensor / ndarray -> {"shape": [...], "data": [flat row-major floats]}."""
    if isinstance(t, torch.Tensor):
        t = t.detach().to("cpu")
        if t.dtype == torch.bool:
            t = t.to(torch.int64)
        shape = list(t.shape)
        data = [float(v) for v in t.reshape(-1).tolist()]
    else:
        a = np.asarray(t)
        shape = list(a.shape)
        data = [float(v) for v in a.reshape(-1).tolist()]
    for v in data:
        if not math.isfinite(v):
            raise ValueError("non-finite value in fixture data")
    return {"shape": shape, "data": data}


def shape_str(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "scalar"


# --------------------------------------------------------------------------- case runner

def make_case(name, op, args, inputs, fn, forward_only=False, rng=None):
    """Run ``fn`` on float64 copies of ``inputs`` and record output + gradients.

    name, op, args : stored verbatim.
    inputs         : list of Input (use G(...) / N(...)).
    fn             : callable taking one torch tensor per input (float64; index inputs
                     arrive as float64 too -- call ``.long()`` inside fn) and
                     returning a tensor.
    forward_only   : skip the backward pass (comparisons, argmax, ...).
    rng            : RandomState for grad_output; defaults to case_rng(name, "grad").
    """
    tensors = []
    for inp in inputs:
        t = torch.tensor(inp.array, dtype=DTYPE)
        if inp.requires_grad and not forward_only:
            t.requires_grad_(True)
        tensors.append(t)

    out = fn(*tensors)
    floating = out.dtype.is_floating_point
    case = {
        "name": name,
        "op": op,
        "args": args,
        "inputs": [
            dict(tensor_json(inp.array), requires_grad=bool(inp.requires_grad and not forward_only))
            for inp in inputs
        ],
        "output": tensor_json(out),
    }

    diff = [t for t in tensors if t.requires_grad]
    if forward_only or not floating or not diff or not out.requires_grad:
        case["grad_output"] = None
        case["grads"] = [None for _ in inputs]
        return case

    if rng is None:
        rng = case_rng(name, "grad")
    go = torch.tensor(normal(rng, out.shape), dtype=DTYPE)
    grads = torch.autograd.grad((out * go).sum(), diff, allow_unused=True)
    it = iter(grads)
    grad_list = []
    for t in tensors:
        if t.requires_grad:
            g = next(it)
            if g is None:
                g = torch.zeros_like(t)
            grad_list.append(tensor_json(g))
        else:
            grad_list.append(None)
    case["grad_output"] = tensor_json(go)
    case["grads"] = grad_list
    return case


REQUIRED_KEYS = ("name", "op", "args", "inputs", "output", "grad_output", "grads")


def validate_case(case):
    """Basic schema check used by make_fixtures.py."""
    for k in REQUIRED_KEYS:
        if k not in case:
            raise ValueError("case %r missing key %r" % (case.get("name"), k))

    def check_tensor(t, what):
        n = 1
        for s in t["shape"]:
            n *= s
        if n != len(t["data"]):
            raise ValueError("case %r: %s shape/data mismatch" % (case["name"], what))

    for i, inp in enumerate(case["inputs"]):
        check_tensor(inp, "input %d" % i)
        if "requires_grad" not in inp:
            raise ValueError("case %r: input %d lacks requires_grad" % (case["name"], i))
    check_tensor(case["output"], "output")
    if case["grad_output"] is not None:
        check_tensor(case["grad_output"], "grad_output")
        if case["grad_output"]["shape"] != case["output"]["shape"]:
            raise ValueError("case %r: grad_output shape != output shape" % case["name"])
    if len(case["grads"]) != len(case["inputs"]):
        raise ValueError("case %r: grads length != inputs length" % case["name"])
    for i, (g, inp) in enumerate(zip(case["grads"], case["inputs"])):
        if g is not None:
            check_tensor(g, "grad %d" % i)
            if g["shape"] != inp["shape"]:
                raise ValueError("case %r: grad %d shape mismatch" % (case["name"], i))
