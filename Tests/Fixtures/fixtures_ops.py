"""Tensor-op fixtures (-> ops.json): elementwise, reductions, matmul, movement, conv, pooling.

Each case is built by fixture_helpers.make_case; see README.md for the schema and the
args keys of every op. Axes follow PyTorch semantics (negative allowed).
"""

import torch
import torch.nn.functional as F

from fixture_helpers import (
    G, N, assert_no_ties, away_from_zero, case_rng, fixed, log_uniform, make_case,
    normal, randint, shape_str, uniform,
)

UNARY_SHAPES = [[5], [3, 4], [2, 3, 4]]


def axes_str(axes):
    if axes is None:
        return "all"
    return "_".join(("m%d" % -a) if a < 0 else str(a) for a in axes)


def num_str(v):
    s = ("%g" % v).replace("-", "m").replace(".", "p")
    return s


# --------------------------------------------------------------------------- unary

# special value sets (12 values, reshaped to [3, 4]); no exact zeros, no clamp-bound ties
SPECIAL_GENERAL = [-100.0, -30.0, -5.5, -1.0, -1e-3, -1e-6, 1e-6, 1e-3, 0.25, 3.7, 30.0, 100.0]
SPECIAL_MODERATE = [-30.0, -10.0, -3.0, -1.0, -1e-3, -1e-6, 1e-6, 1e-3, 0.5, 2.5, 10.0, 30.0]
SPECIAL_POSITIVE = [1e-4, 1e-3, 0.01, 0.1, 0.5, 0.75, 1.0, 2.0, 10.0, 30.0, 100.0, 1000.0]
SPECIAL_NONZERO = [-100.0, -30.0, -5.0, -1.0, -0.5, -0.1, 0.1, 0.25, 1.0, 3.0, 30.0, 100.0]
SPECIAL_CLAMP = [-100.0, -1.0, -0.51, -0.49, -0.1, -1e-3, 1e-3, 0.2, 0.49, 0.51, 1.0, 100.0]


def gen_general(rng, shape):
    return normal(rng, shape, 2.0)


def gen_positive(rng, shape):
    return log_uniform(rng, shape, 1e-2, 10.0)


def gen_nonzero(rng, shape):
    return away_from_zero(rng, shape, 0.2, 3.0)


# One row per elementwise function of one tensor: adding a function is one unary(...) call.
#   op, torch fn, random generator and special values for the golden cases;
#   rtol: the golden tolerance (1e-4 for functions evaluated through exp/log/erf in float32);
#   kinks: points where the derivative jumps (gradcheck inputs keep 0.1 away from them);
#   domain: "general", "positive" or "nonzero", the inputs gradcheck may use.
UNARY = []


def unary(op, fn, gen=None, special=None, args=None, rtol=1e-5, kinks=(), domain="general"):
    UNARY.append(dict(op=op, fn=fn, gen=gen or gen_general, special=special or SPECIAL_GENERAL,
                      args=args or {}, rtol=rtol, kinks=kinks, domain=domain))


unary("neg", lambda x: -x)
unary("mul_scalar", lambda x: x * 2.5, args={"other": 2.5})
unary("add_scalar", lambda x: x + 1.5, args={"other": 1.5})
unary("exp", torch.exp, special=SPECIAL_MODERATE, rtol=1e-4)
unary("log", torch.log, gen_positive, SPECIAL_POSITIVE, rtol=1e-4, domain="positive")
unary("sqrt", torch.sqrt, gen_positive, SPECIAL_POSITIVE, rtol=1e-4, domain="positive")
unary("abs", torch.abs, kinks=(0,))
unary("tanh", torch.tanh, rtol=1e-4)
unary("sigmoid", torch.sigmoid, rtol=1e-4)
unary("relu", torch.relu, kinks=(0,))
unary("gelu", lambda x: F.gelu(x, approximate="none"), rtol=1e-4)
unary("silu", F.silu, rtol=1e-4)
unary("softplus", F.softplus, rtol=1e-4)
unary("selu", F.selu, rtol=1e-4, kinks=(0,))
unary("mish", F.mish, rtol=1e-4)
unary("hardswish", F.hardswish, kinks=(-3, 3))
unary("sin", torch.sin, special=SPECIAL_MODERATE, rtol=1e-4)
unary("cos", torch.cos, special=SPECIAL_MODERATE, rtol=1e-4)
for _s in (0.01, 0.2):
    unary("leaky_relu", (lambda s: lambda x: F.leaky_relu(x, negative_slope=s))(_s), args={"negative_slope": _s}, kinks=(0,))
for _a in (1.0, 0.5):
    unary("elu", (lambda a: lambda x: F.elu(x, alpha=a))(_a), args={"alpha": _a}, rtol=1e-4, kinks=(0,))
unary("clamp", lambda x: torch.clamp(x, min=-0.5, max=0.5), lambda rng, shape: normal(rng, shape, 1.0), SPECIAL_CLAMP,
      args={"min": -0.5, "max": 0.5}, kinks=(-0.5, 0.5))
for _e, _gen, _spec, _domain in ((2, gen_general, SPECIAL_GENERAL, "general"), (3, gen_general, SPECIAL_GENERAL, "general"),
                                 (0.5, gen_positive, SPECIAL_POSITIVE, "positive"), (-1, gen_nonzero, SPECIAL_NONZERO, "nonzero")):
    unary("pow_scalar", (lambda e: lambda x: torch.pow(x, e))(_e), _gen, _spec, args={"exponent": _e}, rtol=1e-4, domain=_domain)

# gradcheck inputs: edge values and a random tensor, per domain
GRAD_EDGES = {
    "general": [0.0, -0.5, 0.5, -3.0, 3.0, 8.0, -8.0, 0.001, 0.05, -0.05, 2.5, -2.5],
    "positive": [0.2, 0.5, 1.0, 2.0, 3.0, 8.0],
    "nonzero": [-8.0, -3.0, -1.0, -0.5, 0.5, 1.0, 3.0, 8.0],
}


def gradcheck_inputs(row, name):
    """Inputs on which central differences (eps 1e-2) are valid: in the domain, 0.1 from every kink."""
    rng = case_rng(name)
    domain = row["domain"]
    if domain == "general":
        x = normal(rng, [2, 3, 2], 1.0)
        for k in row["kinks"]:
            near = abs(x - k) < 0.1
            x[near] = k + 0.1 * ((x[near] >= k) * 2.0 - 1.0)
    else:
        x = uniform(rng, [2, 3, 2], 0.5, 2.0)
        if domain == "nonzero":
            x *= (rng.randint(0, 2, size=x.shape) * 2.0 - 1.0)
    edges = [v for v in GRAD_EDGES[domain] if all(abs(v - k) >= 0.04 for k in row["kinks"])]
    return x, fixed(edges, [len(edges)])


def unary_cases():
    out = []
    for row in UNARY:
        op, args, fn = row["op"], row["args"], row["fn"]
        if op == "clamp":
            tag = "clamp_%s_%s" % (num_str(args["min"]), num_str(args["max"]))
        else:
            tag = op + "".join("_%s%s" % (k, num_str(v)) for k, v in sorted(args.items()))
        extra = {"rtol": row["rtol"]}
        for shape in UNARY_SHAPES:
            name = "%s_%s" % (tag, shape_str(shape))
            x = row["gen"](case_rng(name), shape)
            if op == "clamp":
                assert ((abs(x - 0.5) > 1e-3) & (abs(x + 0.5) > 1e-3)).all()
            out.append(dict(make_case(name, op, args, [G(x)], fn), **extra))
        name = "%s_special" % tag
        out.append(dict(make_case(name, op, args, [G(fixed(row["special"], [3, 4]))], fn), **extra))
        random, edges = gradcheck_inputs(row, "%s_gradcheck" % tag)
        for suffix, x in (("2x3x2", random), ("edges", edges)):
            name = "%s_gradcheck_%s" % (tag, suffix)
            out.append(dict(make_case(name, op, args, [G(x)], fn), gradcheck=True, **extra))
    # clamp with only one bound (the other is null = unbounded)
    for lo, hi in ((-0.5, None), (None, 0.25)):
        name = "clamp_%s_%s_3x4" % ("none" if lo is None else num_str(lo), "none" if hi is None else num_str(hi))
        x = normal(case_rng(name), [3, 4])
        out.append(dict(make_case(name, "clamp", {"min": lo, "max": hi}, [G(x)],
                                  (lambda a, b: lambda t: torch.clamp(t, min=a, max=b))(lo, hi)), rtol=1e-5))
    return out


# --------------------------------------------------------------------------- softmax family

def softmax_cases():
    out = []
    configs = [  # (shape, axis, temperature, scale)
        ([5], 0, 1.0, 1.0),
        ([3, 4], -1, 1.0, 1.0),
        ([3, 4], 0, 1.0, 2.0),
        ([2, 3, 4], 1, 0.5, 1.0),
        ([2, 3, 4], -1, 2.0, 1.0),
        ([4, 6], 1, 1.0, 30.0),  # large magnitudes
    ]
    specials = [  # (tag, values, axis)
        ("1000_0", fixed([[1000.0, 0.0], [0.3, -0.7]]), -1),
        ("m1000_0_1000", fixed([[-1000.0, 0.0, 1000.0], [30.0, -30.0, 100.0]]), -1),
        ("m1000_0_1000_axis0", fixed([[-1000.0, 0.0, 1000.0], [30.0, -30.0, 100.0]]), 0),
    ]
    for op in ("softmax", "log_softmax"):
        for shape, axis, temp, scale in configs:
            temp = temp if op == "softmax" else 1.0  # log_softmax has no temperature
            name = "%s_%s_axis%s" % (op, shape_str(shape), num_str(axis))
            if op == "softmax":
                name += "_t%s" % num_str(temp)
            x = normal(case_rng(name), shape, scale)
            if op == "softmax":
                args = {"axis": axis, "temperature": temp}
                fn = (lambda a, t: lambda v: F.softmax(v / t, dim=a))(axis, temp)
            else:
                args = {"axis": axis}
                fn = (lambda a: lambda v: F.log_softmax(v, dim=a))(axis)
            out.append(make_case(name, op, args, [G(x)], fn))
        for tag, x, axis in specials:
            name = "%s_special_%s" % (op, tag)
            if op == "softmax":
                args = {"axis": axis, "temperature": 1.0}
                fn = (lambda a: lambda v: F.softmax(v / 1.0, dim=a))(axis)
            else:
                args = {"axis": axis}
                fn = (lambda a: lambda v: F.log_softmax(v, dim=a))(axis)
            out.append(make_case(name, op, args, [G(x)], fn))
    # temperature applied to extreme rows
    name = "softmax_special_1000_0_t0p5"
    out.append(make_case(name, "softmax", {"axis": -1, "temperature": 0.5},
                         [G(fixed([[1000.0, 0.0], [0.3, -0.7]]))],
                         lambda v: F.softmax(v / 0.5, dim=-1)))
    return out


# --------------------------------------------------------------------------- binary

BINARY_SHAPES = [([3, 4], [3, 4]), ([2, 3], [3]), ([2, 1, 4], [3, 1]), ([4], [1]), ([2, 3, 4], [1, 3, 1])]

BINARY = [
    ("add", torch.add, lambda r, s: normal(r, s), lambda r, s: normal(r, s)),
    ("sub", torch.sub, lambda r, s: normal(r, s), lambda r, s: normal(r, s)),
    ("mul", torch.mul, lambda r, s: normal(r, s), lambda r, s: normal(r, s)),
    ("div", torch.div, lambda r, s: normal(r, s), lambda r, s: away_from_zero(r, s, 0.5, 2.0)),
    ("pow", torch.pow, lambda r, s: uniform(r, s, 0.5, 2.5), lambda r, s: normal(r, s, 1.5)),
    ("maximum", torch.maximum, lambda r, s: normal(r, s), lambda r, s: normal(r, s)),
    ("minimum", torch.minimum, lambda r, s: normal(r, s), lambda r, s: normal(r, s)),
]


def binary_cases():
    out = []
    for op, fn, ga, gb in BINARY:
        for sa, sb in BINARY_SHAPES:
            name = "%s_%s_%s" % (op, shape_str(sa), shape_str(sb))
            rng = case_rng(name)
            a, b = ga(rng, sa), gb(rng, sb)
            if op in ("maximum", "minimum"):
                ab, bb = torch.broadcast_tensors(torch.tensor(a), torch.tensor(b))
                assert ((ab - bb).abs() > 1e-3).all(), name
            out.append(make_case(name, op, {}, [G(a), G(b)], fn))
    return out


def where_cases():
    out = []
    configs = [
        ([3, 4], [3, 4], [3, 4]),
        ([2, 3], [3], [2, 1]),
        ([2, 1, 4], [3, 1], [4]),
        ([3, 1], [3, 4], [1]),
    ]
    for sc, sa, sb in configs:
        name = "where_%s_%s_%s" % (shape_str(sc), shape_str(sa), shape_str(sb))
        rng = case_rng(name)
        cond = randint(rng, sc, 0, 2)
        a, b = normal(rng, sa), normal(rng, sb)
        out.append(make_case(name, "where", {}, [N(cond), G(a), G(b)],
                             lambda c, x, y: torch.where(c != 0, x, y)))
    return out


COMPARISONS = [
    ("less", torch.lt), ("less_equal", torch.le), ("greater", torch.gt),
    ("greater_equal", torch.ge), ("equal", torch.eq), ("not_equal", torch.ne),
]


def comparison_cases():
    out = []
    shapes = [([3, 4], [3, 4]), ([2, 3], [3]), ([2, 1, 4], [3, 1])]
    for op, fn in COMPARISONS:
        for sa, sb in shapes:
            name = "%s_%s_%s" % (op, shape_str(sa), shape_str(sb))
            rng = case_rng(name)
            # coarse values so that ties (equality) occur often
            a = randint(rng, sa, -2, 3) * 0.5
            b = randint(rng, sb, -2, 3) * 0.5
            out.append(make_case(name, op, {}, [N(a), N(b)], fn, forward_only=True))
    return out


# --------------------------------------------------------------------------- reductions

REDUCE_CONFIGS = [  # (shape, axes, keepdim)
    ([5], None, False),
    ([3, 4], None, False),
    ([3, 4], [1], True),
    ([3, 4], [0], False),
    ([2, 3, 4], [0, 2], False),
    ([2, 3, 4], [-1], False),
    ([2, 3, 4], [-3, -1], True),
    ([2, 3, 4], None, True),
]


def _dims(axes, ndim):
    return tuple(range(ndim)) if axes is None else tuple(axes)


def reduction_cases():
    out = []
    ops = [
        ("sum", {}, lambda x, d, k: x.sum(dim=d, keepdim=k)),
        ("mean", {}, lambda x, d, k: x.mean(dim=d, keepdim=k)),
        ("max", {}, lambda x, d, k: x.amax(dim=d, keepdim=k)),
        ("min", {}, lambda x, d, k: x.amin(dim=d, keepdim=k)),
        ("var", {"unbiased": True}, lambda x, d, k: torch.var(x, dim=d, correction=1, keepdim=k)),
        ("var", {"unbiased": False}, lambda x, d, k: torch.var(x, dim=d, correction=0, keepdim=k)),
        ("logsumexp", {}, lambda x, d, k: torch.logsumexp(x, dim=d, keepdim=k)),
    ]
    for op, extra, fn in ops:
        tag = op + ("" if not extra else ("_unbiased" if extra["unbiased"] else "_biased"))
        for shape, axes, keep in REDUCE_CONFIGS:
            name = "%s_%s_axes_%s%s" % (tag, shape_str(shape), axes_str(axes), "_keep" if keep else "")
            x = normal(case_rng(name), shape, 2.0)
            if op in ("max", "min"):
                assert_no_ties(x, 1e-4)
            args = dict({"axes": axes, "keepdim": keep}, **extra)
            d = _dims(axes, len(shape))
            out.append(make_case(name, op, args, [G(x)], (lambda f, d, k: lambda v: f(v, d, k))(fn, d, keep)))
    # large magnitudes for logsumexp / max / min
    special = fixed([[1000.0, 0.0, -1000.0], [30.0, -30.0, 100.0]])
    for op, fn in (("logsumexp", torch.logsumexp), ("max", torch.amax), ("min", torch.amin)):
        for axes in ([-1], None):
            name = "%s_special_axes_%s" % (op, axes_str(axes))
            d = _dims(axes, 2)
            out.append(make_case(name, op, {"axes": axes, "keepdim": False}, [G(special)],
                                 (lambda f, d: lambda v: f(v, dim=d))(fn, d)))
    # argmax (forward only)
    argmax_configs = [([5], 0, False), ([3, 4], 1, False), ([3, 4], 0, True),
                      ([2, 3, 4], -1, False), ([2, 3, 4], 1, True), ([3, 4], None, False)]
    for shape, axis, keep in argmax_configs:
        name = "argmax_%s_axis_%s%s" % (shape_str(shape), "all" if axis is None else num_str(axis),
                                        "_keep" if keep else "")
        x = assert_no_ties(normal(case_rng(name), shape), 1e-4)
        out.append(make_case(name, "argmax", {"axis": axis, "keepdim": keep}, [N(x)],
                             (lambda a, k: lambda v: torch.argmax(v, dim=a, keepdim=k))(axis, keep),
                             forward_only=True))
    return out


# --------------------------------------------------------------------------- matmul

def matmul_cases():
    out = []
    for sa, sb in (([3, 4], [4, 5]), ([2, 3, 4], [2, 4, 5]), ([2, 1, 3, 4], [3, 4, 2]), ([5, 4], [4, 1])):
        name = "matmul_%s_%s" % (shape_str(sa), shape_str(sb))
        rng = case_rng(name)
        out.append(make_case(name, "matmul", {}, [G(normal(rng, sa)), G(normal(rng, sb))], torch.matmul))
    return out


# --------------------------------------------------------------------------- movement

def movement_cases():
    out = []

    def add(name, op, args, inputs, fn):
        out.append(make_case(name, op, args, inputs, fn))

    for shape, new in (([2, 3, 4], [6, 4]), ([3, 4], [2, -1, 3]), ([2, 3, 4], [24]), ([6], [1, 2, 3])):
        name = "reshape_%s_to_%s" % (shape_str(shape), shape_str(new).replace("-", "m"))
        add(name, "reshape", {"shape": new}, [G(normal(case_rng(name), shape))],
            (lambda s: lambda x: x.reshape(s))(new))

    for shape, d0, d1 in (([3, 4], 0, 1), ([2, 3, 4], 0, 2), ([2, 3, 4], -1, -2)):
        name = "transpose_%s_%s_%s" % (shape_str(shape), num_str(d0), num_str(d1))
        add(name, "transpose", {"dim0": d0, "dim1": d1}, [G(normal(case_rng(name), shape))],
            (lambda a, b: lambda x: x.transpose(a, b))(d0, d1))

    for shape, dims in (([2, 3, 4], [2, 0, 1]), ([2, 3, 4], [1, 2, 0]), ([2, 3, 4, 5], [0, 3, 1, 2]),
                        ([3, 4], [1, 0])):
        name = "permute_%s_%s" % (shape_str(shape), "_".join(map(str, dims)))
        add(name, "permute", {"dims": dims}, [G(normal(case_rng(name), shape))],
            (lambda p: lambda x: x.permute(*p))(dims))

    for shape, new in (([3, 1], [3, 4]), ([1, 3, 1], [2, 3, 4]), ([3], [2, 3]), ([3, 1], [-1, 4]),
                       ([1, 4], [2, 3, 4])):
        name = "expand_%s_to_%s" % (shape_str(shape), shape_str(new).replace("-", "m"))
        add(name, "expand", {"shape": new}, [G(normal(case_rng(name), shape))],
            (lambda s: lambda x: x.expand(*s))(new))

    for shape, axis in (([3, 1, 4], 1), ([1, 3], 0), ([2, 3, 1], -1), ([1, 3, 1, 4], None)):
        name = "squeeze_%s_axis_%s" % (shape_str(shape), "all" if axis is None else num_str(axis))
        fn = (lambda x: x.squeeze()) if axis is None else (lambda a: lambda x: x.squeeze(a))(axis)
        add(name, "squeeze", {"axis": axis}, [G(normal(case_rng(name), shape))], fn)

    for shape, axis in (([3, 4], 0), ([3, 4], 2), ([3, 4], -1), ([2, 3, 4], 1)):
        name = "unsqueeze_%s_axis_%s" % (shape_str(shape), num_str(axis))
        add(name, "unsqueeze", {"axis": axis}, [G(normal(case_rng(name), shape))],
            (lambda a: lambda x: x.unsqueeze(a))(axis))

    for shape, s, e in (([2, 3, 4], 0, -1), ([2, 3, 4], 1, 2), ([2, 3, 4, 5], 1, 2), ([2, 3, 4], 0, 1)):
        name = "flatten_%s_%s_%s" % (shape_str(shape), num_str(s), num_str(e))
        add(name, "flatten", {"start_dim": s, "end_dim": e}, [G(normal(case_rng(name), shape))],
            (lambda a, b: lambda x: torch.flatten(x, a, b))(s, e))

    for shapes, axis in ((([2, 3], [4, 3]), 0), (([2, 3], [2, 1], [2, 4]), 1), (([2, 3, 4], [2, 2, 4]), -2),
                         (([2, 3], [2, 3], [2, 3]), -1)):
        name = "cat_%s_axis_%s" % ("_".join(shape_str(s) for s in shapes), num_str(axis))
        rng = case_rng(name)
        add(name, "cat", {"axis": axis}, [G(normal(rng, s)) for s in shapes],
            (lambda a: lambda *xs: torch.cat(xs, dim=a))(axis))

    for n, shape, axis in ((3, [3, 4], 0), (2, [3, 4], 2), (2, [3, 4], -1), (3, [2, 3], 1)):
        name = "stack_%dx%s_axis_%s" % (n, shape_str(shape), num_str(axis))
        rng = case_rng(name)
        add(name, "stack", {"axis": axis}, [G(normal(rng, shape)) for _ in range(n)],
            (lambda a: lambda *xs: torch.stack(xs, dim=a))(axis))

    for shape, axis, start, length in (([5, 4], 0, 1, 3), ([3, 6], -1, 2, 2), ([2, 3, 4], 1, 0, 1),
                                       ([2, 3, 4], 2, 3, 1)):
        name = "narrow_%s_axis_%s_%d_%d" % (shape_str(shape), num_str(axis), start, length)
        add(name, "narrow", {"axis": axis, "start": start, "length": length},
            [G(normal(case_rng(name), shape))],
            (lambda a, s, l: lambda x: x.narrow(a, s, l))(axis, start, length))

    for shape, axis, index in (([5, 3], 0, [0, 2, 2, 4]), ([3, 5], 1, [4, 0, 4, 1, 1]),
                               ([2, 3, 4], -1, [3, 3, 0]), ([2, 3, 4], 1, [2])):
        name = "index_select_%s_axis_%s_n%d" % (shape_str(shape), num_str(axis), len(index))
        add(name, "index_select", {"axis": axis},
            [G(normal(case_rng(name), shape)), N(fixed(index))],
            (lambda a: lambda x, i: torch.index_select(x, a, i.long()))(axis))

    for shape, axis, ishape in (([3, 4], 1, [3, 5]), ([4, 3], 0, [2, 3]), ([2, 3, 4], -1, [2, 3, 2]),
                                ([2, 3, 4], 1, [2, 4, 3])):
        name = "gather_%s_axis_%s_idx_%s" % (shape_str(shape), num_str(axis), shape_str(ishape))
        rng = case_rng(name)
        x = normal(rng, shape)
        idx = randint(rng, ishape, 0, shape[axis])
        add(name, "gather", {"axis": axis}, [G(x), N(idx)],
            (lambda a: lambda v, i: torch.gather(v, a, i.long()))(axis))

    for shape, pad, value in (([3, 4], [1, 2], 0.0), ([2, 3, 4], [1, 0, 2, 1], 0.5),
                              ([1, 2, 3, 4], [0, 1, 1, 0, 1, 1], 0.0), ([2, 3, 3], [2, 2, 0, 0], -1.0)):
        name = "pad_%s_%s_v%s" % (shape_str(shape), "_".join(map(str, pad)), num_str(value))
        add(name, "pad", {"pad": pad, "value": value}, [G(normal(case_rng(name), shape))],
            (lambda p, v: lambda x: F.pad(x, p, mode="constant", value=v))(pad, value))
    return out


# --------------------------------------------------------------------------- conv / pooling

def conv_cases():
    out = []
    configs = [  # (tag, x shape, weight shape, stride, padding, dilation, bias)
        ("3x3_pad1", [2, 3, 7, 7], [4, 3, 3, 3], [1, 1], [1, 1], [1, 1], True),
        ("3x3_stride2", [2, 3, 7, 7], [4, 3, 3, 3], [2, 2], [0, 0], [1, 1], True),
        ("3x3_stride2_uneven", [1, 2, 6, 6], [3, 2, 3, 3], [2, 2], [0, 0], [1, 1], True),
        ("3x3_dilation2", [1, 2, 7, 7], [3, 2, 3, 3], [1, 1], [1, 1], [2, 2], True),
        ("2x3_pad1x0", [2, 3, 6, 7], [2, 3, 2, 3], [1, 1], [1, 0], [1, 1], True),
        ("1x1", [2, 3, 5, 5], [4, 3, 1, 1], [1, 1], [0, 0], [1, 1], True),
        ("3x3_nobias", [2, 3, 7, 7], [2, 3, 3, 3], [1, 1], [1, 1], [1, 1], False),
        ("3x3_nobias_stride1x2", [1, 3, 6, 7], [2, 3, 3, 3], [1, 2], [1, 1], [1, 1], False),
    ]
    for tag, xs, ws, stride, padding, dilation, bias in configs:
        name = "conv2d_" + tag
        rng = case_rng(name)
        inputs = [G(normal(rng, xs)), G(normal(rng, ws, 0.5))]
        if bias:
            inputs.append(G(normal(rng, [ws[0]], 0.5)))
        args = {"stride": stride, "padding": padding, "dilation": dilation, "bias": bias}

        def fn(x, w, b=None, s=stride, p=padding, d=dilation):
            return F.conv2d(x, w, b, stride=s, padding=p, dilation=d)

        out.append(make_case(name, "conv2d", args, inputs, fn))
    return out


def pool_cases():
    out = []
    max_configs = [  # (x shape, kernel, stride, padding)
        ([2, 3, 6, 6], [2, 2], [2, 2], [0, 0]),
        ([1, 2, 7, 7], [3, 3], [2, 2], [1, 1]),
        ([2, 2, 5, 7], [2, 3], [1, 2], [0, 1]),
        ([1, 1, 5, 5], [3, 3], [1, 1], [0, 0]),
    ]
    for xs, k, s, p in max_configs:
        name = "max_pool2d_%s_k%s_s%s_p%s" % (shape_str(xs), shape_str(k), shape_str(s), shape_str(p))
        x = assert_no_ties(normal(case_rng(name), xs), 1e-5)
        out.append(make_case(name, "max_pool2d", {"kernel": k, "stride": s, "padding": p}, [G(x)],
                             (lambda k, s, p: lambda v: F.max_pool2d(v, k, s, p))(k, s, p)))
    avg_configs = [  # (x shape, kernel, stride, padding, count_include_pad)
        ([2, 3, 6, 6], [2, 2], [2, 2], [0, 0], True),
        ([1, 2, 7, 7], [3, 3], [2, 2], [1, 1], True),
        ([2, 2, 5, 7], [2, 3], [1, 2], [1, 1], True),
        ([1, 2, 7, 7], [3, 3], [2, 2], [1, 1], False),
        ([1, 1, 5, 6], [2, 3], [1, 1], [1, 1], False),
    ]
    for xs, k, s, p, cip in avg_configs:
        name = "avg_pool2d_%s_k%s_s%s_p%s%s" % (shape_str(xs), shape_str(k), shape_str(s), shape_str(p),
                                                "" if cip else "_nopadcount")
        x = normal(case_rng(name), xs)
        out.append(make_case(name, "avg_pool2d",
                             {"kernel": k, "stride": s, "padding": p, "count_include_pad": cip}, [G(x)],
                             (lambda k, s, p, c: lambda v: F.avg_pool2d(v, k, s, p, count_include_pad=c))(
                                 k, s, p, cip)))
    return out


# Golden tolerance (relative) of the cases that do not set their own: float32 evaluation of these
# ops goes through exp/log, so they get 1e-4; everything else 1e-5.
TRANSCENDENTAL = {"pow", "softmax", "log_softmax", "logsumexp"}


def cases():
    out = (unary_cases() + softmax_cases() + binary_cases() + where_cases() + comparison_cases()
           + reduction_cases() + matmul_cases() + movement_cases() + conv_cases() + pool_cases())
    for c in out:
        c.setdefault("rtol", 1e-4 if c["op"] in TRANSCENDENTAL else 1e-5)
    return out
