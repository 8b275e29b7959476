"""Loss fixtures (-> losses.json): regression, binary and multi-class cross-entropy, NLL, KL
divergence, margin losses and the information-theory helpers.

Each case is built by fixture_helpers.make_case with the schema of README.md. Losses that PyTorch
lacks (rmse, msle, mape, hinge, squared hinge, exponential, entropy, ...) are written out in float64
torch ops with scikit-learn's definitions. Class indices and labels are stored as floats with
requires_grad false; class weights and pos_weight are never differentiated.

Args per op (`reduction` is "mean" | "sum" | "none", plus "batchmean" for kl_div):

| op | inputs | args |
|----|--------|------|
| mse_loss, l1_loss, rmse_loss, msle_loss, mape_loss | input, target | reduction |
| smooth_l1_loss | input, target | reduction, beta |
| huber_loss | input, target | reduction, delta |
| binary_cross_entropy(_with_logits) | input, target[, weight][, pos_weight] | reduction, weight, pos_weight (bools: input present) |
| cross_entropy | logits, target[, weight] | reduction, weight (bool), ignore_index (int or null), label_smoothing, target ("indices" or "probabilities") |
| nll_loss | log-probabilities, target[, weight] | reduction, weight (bool), ignore_index |
| kl_div | input (log-probabilities), target | reduction, log_target |
| hinge_loss, squared_hinge_loss, exponential_loss | scores, labels (+-1) | reduction |
| multi_margin_loss | logits, target[, weight] | reduction, p, margin, weight (bool) |
| entropy | p | axis, base ("e", "2", "10") |
| cross_entropy_between, kl_divergence | p, q | axis, base |

rmse_loss is sqrt(mse) for mean and sum, |input - target| for none; mape_loss divides by
max(|target|, float64 eps) as scikit-learn; binary_cross_entropy with pos_weight is
-w[pw t log p + (1 - t) log(1 - p)] (PyTorch offers pos_weight only with logits).
"""

import math
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from fixture_helpers import (
    G, N, away_from_zero, case_rng, fixed, make_case, normal, randint, shape_str, uniform,
)

REDUCTIONS = ("mean", "sum", "none")
MAPE_EPS = float(np.finfo(np.float64).eps)


def reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def softmax_rows(rng, shape, scale=1.5, axis=-1):
    """Float32-representable probability rows (strictly positive)."""
    x = torch.tensor(normal(rng, shape, scale))
    return np.asarray(torch.softmax(x, dim=axis).numpy(), dtype=np.float32).astype(np.float64)


# --------------------------------------------------------------------------- regression

def rmse(x, y, reduction):
    if reduction == "none":
        return (x - y).abs()
    return torch.sqrt(F.mse_loss(x, y, reduction=reduction))


def msle(x, y, reduction):
    return reduce((torch.log1p(x) - torch.log1p(y)) ** 2, reduction)


def mape(x, y, reduction):
    return reduce((x - y).abs() / y.abs().clamp(min=MAPE_EPS), reduction)


REGRESSION = [  # (op, args, torch fn(x, y, reduction), input generator, target generator)
    ("mse_loss", {}, lambda x, y, r: F.mse_loss(x, y, reduction=r), None, None),
    ("l1_loss", {}, lambda x, y, r: F.l1_loss(x, y, reduction=r), None, None),
    ("rmse_loss", {}, rmse, None, None),
    ("msle_loss", {}, msle, lambda rng, s: uniform(rng, s, -0.9, 5.0), lambda rng, s: uniform(rng, s, 0.0, 5.0)),
    ("mape_loss", {}, mape, None, lambda rng, s: away_from_zero(rng, s, 0.5, 5.0)),
    ("smooth_l1_loss", {"beta": 1.0}, lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=1.0), None, None),
    ("smooth_l1_loss", {"beta": 0.5}, lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5), None, None),
    ("smooth_l1_loss", {"beta": 0.0}, lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0), None, None),
    ("huber_loss", {"delta": 1.0}, lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=1.0), None, None),
    ("huber_loss", {"delta": 0.3}, lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.3), None, None),
]


def kink_free(op, args, x, y):
    """No |x - y| within 1e-3 of a kink (0, beta, delta), so the gradient is unambiguous."""
    d = np.abs(x - y)
    kinks = [0.0] + [v for k, v in args.items() if k in ("beta", "delta")]
    return all((np.abs(d - k) > 1e-3).all() for k in kinks)


def regression_cases():
    out = []
    for op, args, fn, gen_x, gen_y in REGRESSION:
        tag = op + "".join("_%s%s" % (k, ("%g" % v).replace(".", "p")) for k, v in sorted(args.items()))
        for shape in ([6], [3, 4]):
            for reduction in REDUCTIONS:
                name = "%s_%s_%s" % (tag, shape_str(shape), reduction)
                rng = case_rng(name)
                x = gen_x(rng, shape) if gen_x else normal(rng, shape, 1.5)
                y = gen_y(rng, shape) if gen_y else normal(rng, shape, 1.5)
                assert kink_free(op, args, x, y), name
                out.append(make_case(name, op, dict(args, reduction=reduction), [G(x), G(y)],
                                     (lambda f, r: lambda a, b: f(a, b, r))(fn, reduction)))
    # MAPE with a zero target: the epsilon floor keeps it finite.
    name = "mape_loss_zero_target_mean"
    x, y = fixed([1.5, -0.25, 2.0, 0.5]), fixed([1.0, 0.0, -4.0, 0.5 + 2 ** -10])
    out.append(make_case(name, "mape_loss", {"reduction": "mean"}, [G(x), N(y)], lambda a, b: mape(a, b, "mean")))
    # MSLE with tiny values, where log1p matters.
    name = "msle_loss_small_mean"
    x, y = fixed([1e-4, 3e-3, -1e-5, 0.02]), fixed([2e-4, 1e-3, 1e-5, 0.01])
    out.append(make_case(name, "msle_loss", {"reduction": "mean"}, [G(x), G(y)], lambda a, b: msle(a, b, "mean")))
    return out


# --------------------------------------------------------------------------- binary cross-entropy

def bce_probs(p, t, w, pw, reduction):
    """F.binary_cross_entropy, extended with pos_weight as BCEWithLogits defines it."""
    if pw is None:
        return F.binary_cross_entropy(p, t, weight=w, reduction=reduction)
    loss = -(pw * t * torch.log(p).clamp(min=-100) + (1 - t) * torch.log1p(-p).clamp(min=-100))
    if w is not None:
        loss = loss * w
    return reduce(loss, reduction)


def bce_logits(x, t, w, pw, reduction):
    return F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=reduction)


def binary_case(op, name, reduction, x, t, w=None, pw=None, target_grad=True, forward_only=False):
    fn_core = bce_probs if op == "binary_cross_entropy" else bce_logits
    inputs = [G(x), G(t) if target_grad else N(t)]
    if w is not None:
        inputs.append(N(w))
    if pw is not None:
        inputs.append(N(pw))
    has_w, has_pw = w is not None, pw is not None

    def fn(*ts):
        a, b = ts[0], ts[1]
        rest = list(ts[2:])
        ww = rest.pop(0) if has_w else None
        pp = rest.pop(0) if has_pw else None
        return fn_core(a, b, ww, pp, reduction)

    args = {"reduction": reduction, "weight": has_w, "pos_weight": has_pw}
    return make_case(name, op, args, inputs, fn, forward_only=forward_only)


def binary_cases():
    out = []
    for op in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        for reduction in REDUCTIONS:
            for variant in ("hard", "soft", "weight", "pos_weight", "both"):
                name = "%s_4x3_%s_%s" % (op, variant, reduction)
                rng = case_rng(name)
                x = uniform(rng, [4, 3], 0.02, 0.98) if op == "binary_cross_entropy" else normal(rng, [4, 3], 3.0)
                t = randint(rng, [4, 3], 0, 2) if variant == "hard" else uniform(rng, [4, 3], 0.0, 1.0)
                w = uniform(rng, [4, 1], 0.5, 2.0) if variant in ("weight", "both") else None
                pw = uniform(rng, [3], 0.3, 3.0) if variant in ("pos_weight", "both") else None
                out.append(binary_case(op, name, reduction, x, t, w, pw))
    # probabilities near 0 and 1
    p = fixed([1e-7, 1e-4, 0.01, 0.5, 0.99, 1 - 1e-4, 1 - 1e-6, 0.3])
    t = fixed([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.25])
    out.append(binary_case("binary_cross_entropy", "binary_cross_entropy_extremes_sum", "sum", p, t))
    # exactly 0 and 1: the -100 clamp (forward only; PyTorch's gradient there is (p - t) / 1e-12)
    p = fixed([0.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    t = fixed([0.0, 1.0, 0.0, 1.0, 0.5, 0.5])
    out.append(binary_case("binary_cross_entropy", "binary_cross_entropy_clamp_none", "none", p, t, forward_only=True))
    # logits of +-100 and exactly 0, with and without pos_weight
    x = fixed([-100.0, -30.0, -5.0, -1e-3, 0.0, 1e-3, 5.0, 30.0, 100.0, 100.0, -100.0, 0.0])
    t = fixed([1.0, 0.0, 1.0, 0.5, 1.0, 0.0, 0.25, 1.0, 0.0, 1.0, 0.0, 0.0])
    op = "binary_cross_entropy_with_logits"
    for reduction in ("none", "sum"):
        out.append(binary_case(op, "%s_extremes_%s" % (op, reduction), reduction, x, t))
        out.append(binary_case(op, "%s_extremes_pos_weight_%s" % (op, reduction), reduction,
                               x.reshape(4, 3), t.reshape(4, 3), pw=fixed([0.5, 2.0, 10.0])))
    return out


# --------------------------------------------------------------------------- cross-entropy and NLL

def class_case(op, name, logits, target, reduction, weight=None, label_smoothing=0.0, ignore_index=None,
               probabilities=False):
    inputs = [G(logits), G(target) if probabilities else N(target)]
    if weight is not None:
        inputs.append(N(weight))
    has_w = weight is not None

    def fn(*ts):
        x, y = ts[0], ts[1]
        w = ts[2] if has_w else None
        ignore = -100 if ignore_index is None else ignore_index
        if op == "nll_loss":
            return F.nll_loss(x, y.long(), weight=w, ignore_index=ignore, reduction=reduction)
        target = y if probabilities else y.long()
        return F.cross_entropy(x, target, weight=w, ignore_index=ignore, reduction=reduction,
                               label_smoothing=label_smoothing)

    args = {"reduction": reduction, "weight": has_w, "ignore_index": ignore_index}
    if op == "cross_entropy":
        args["label_smoothing"] = label_smoothing
        args["target"] = "probabilities" if probabilities else "indices"
    return make_case(name, op, args, inputs, fn)


CE_VARIANTS = [  # (tag, weight?, label_smoothing, ignore_index)
    ("plain", False, 0.0, None),
    ("weight", True, 0.0, None),
    ("smooth0p1", False, 0.1, None),
    ("weight_smooth0p3", True, 0.3, None),
    ("ignore2", False, 0.0, 2),
    ("weight_ignore2_smooth0p2", True, 0.2, 2),
    ("ignore_m100", True, 0.0, -100),
]


def cross_entropy_cases():
    out = []
    for reduction in REDUCTIONS:
        for tag, has_w, eps, ignore in CE_VARIANTS:
            for shape in ([6, 4], [2, 3, 2, 2]):
                name = "cross_entropy_indices_%s_%s_%s" % (shape_str(shape), tag, reduction)
                rng = case_rng(name)
                logits = normal(rng, shape, 2.0)
                tshape = [shape[0]] + shape[2:]
                target = randint(rng, tshape, 0, shape[1])
                flat = target.reshape(-1)
                if ignore is not None:
                    flat[::3] = ignore  # every third target ignored
                flat[1] = 2 if ignore != 2 else 1  # at least one kept target
                w = uniform(rng, [shape[1]], 0.2, 2.0) if has_w else None
                out.append(class_case("cross_entropy", name, logits, target, reduction, w, eps, ignore))
        for tag, has_w, eps in (("plain", False, 0.0), ("weight", True, 0.0), ("smooth0p2", False, 0.2),
                                ("weight_smooth0p1", True, 0.1)):
            for kind in ("soft", "onehot"):
                name = "cross_entropy_probabilities_%s_%s_%s" % (kind, tag, reduction)
                rng = case_rng(name)
                logits = normal(rng, [5, 4], 2.0)
                if kind == "soft":
                    target = softmax_rows(rng, [5, 4])
                else:
                    target = np.eye(4)[rng.randint(0, 4, size=5)].astype(np.float64)
                w = uniform(rng, [4], 0.2, 2.0) if has_w else None
                out.append(class_case("cross_entropy", name, logits, target, reduction, w, eps, probabilities=True))
            name = "cross_entropy_probabilities_spatial_%s_%s" % (tag, reduction)
            rng = case_rng(name)
            logits = normal(rng, [2, 3, 2], 2.0)
            target = softmax_rows(rng, [2, 3, 2], axis=1)
            w = uniform(rng, [3], 0.2, 2.0) if has_w else None
            out.append(class_case("cross_entropy", name, logits, target, reduction, w, eps, probabilities=True))
    # unbatched logits [C] with a 0-d target, and logits of +-100
    out.append(class_case("cross_entropy", "cross_entropy_unbatched_mean", normal(case_rng("ce_unbatched"), [5]),
                          fixed(3.0, []), "mean"))
    big = fixed([[100.0, -100.0, 0.0], [-100.0, 100.0, 99.0], [0.5, -0.5, 100.0]])
    out.append(class_case("cross_entropy", "cross_entropy_large_logits_none", big, fixed([1.0, 2.0, 2.0]), "none"))
    out.append(class_case("cross_entropy", "cross_entropy_large_logits_smooth_mean", big, fixed([1.0, 2.0, 2.0]),
                          "mean", label_smoothing=0.1))
    for reduction in REDUCTIONS:
        for tag, has_w, ignore in (("plain", False, None), ("weight", True, None), ("weight_ignore0", True, 0)):
            name = "nll_loss_5x4_%s_%s" % (tag, reduction)
            rng = case_rng(name)
            x = normal(rng, [5, 4], 2.0)
            target = fixed([0.0, 3.0, 1.0, 0.0, 2.0])
            w = uniform(rng, [4], 0.2, 2.0) if has_w else None
            out.append(class_case("nll_loss", name, x, target, reduction, w, ignore_index=ignore))
    return out


# --------------------------------------------------------------------------- KL divergence

def kl_cases():
    warnings.filterwarnings("ignore", message="reduction: 'mean' divides")
    out = []
    for reduction in ("mean", "sum", "none", "batchmean"):
        for log_target in (False, True):
            name = "kl_div_4x5_%s_%s" % ("log_target" if log_target else "probs", reduction)
            rng = case_rng(name)
            inp = np.log(softmax_rows(rng, [4, 5]))
            target = softmax_rows(rng, [4, 5])
            if log_target:
                target = np.log(target)
            inp, target = fixed(inp), fixed(target)
            out.append(make_case(name, "kl_div", {"reduction": reduction, "log_target": log_target},
                                 [G(inp), G(target)],
                                 (lambda r, lt: lambda a, b: F.kl_div(a, b, reduction=r, log_target=lt))(reduction,
                                                                                                        log_target)))
    # targets with exact zeros: 0 * log 0 = 0 (target gradient undefined there, so not recorded)
    name = "kl_div_zero_targets_batchmean"
    rng = case_rng(name)
    inp = fixed(np.log(softmax_rows(rng, [3, 4])))
    target = fixed([[0.5, 0.5, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    out.append(make_case(name, "kl_div", {"reduction": "batchmean", "log_target": False}, [G(inp), N(target)],
                         lambda a, b: F.kl_div(a, b, reduction="batchmean")))
    return out


# --------------------------------------------------------------------------- margin losses

SIGN_LOSSES = {
    "hinge_loss": lambda s, y: torch.relu(1 - y * s),
    "squared_hinge_loss": lambda s, y: torch.relu(1 - y * s) ** 2,
    "exponential_loss": lambda s, y: torch.exp(-y * s),
}


def margin_cases():
    out = []
    for op, fn in sorted(SIGN_LOSSES.items()):
        for shape in ([8], [3, 4]):
            for reduction in REDUCTIONS:
                name = "%s_%s_%s" % (op, shape_str(shape), reduction)
                rng = case_rng(name)
                s = normal(rng, shape, 1.5)
                y = np.where(rng.uniform(size=tuple(shape)) < 0.5, -1.0, 1.0)
                assert (np.abs(1 - y * s) > 1e-3).all(), name
                out.append(make_case(name, op, {"reduction": reduction}, [G(s), N(y)],
                                     (lambda f, r: lambda a, b: reduce(f(a, b), r))(fn, reduction)))
    for reduction in REDUCTIONS:
        for p in (1, 2):
            for margin, has_w in ((1.0, False), (0.5, True)):
                name = "multi_margin_loss_5x4_p%d_m%s_%s%s" % (p, ("%g" % margin).replace(".", "p"),
                                                                 "w_" if has_w else "", reduction)
                rng = case_rng(name)
                x = normal(rng, [5, 4])
                y = randint(rng, [5], 0, 4)
                inputs = [G(x), N(y)]
                if has_w:
                    inputs.append(N(uniform(rng, [4], 0.3, 2.0)))

                def fn(a, b, w=None, p=p, margin=margin, reduction=reduction):
                    return F.multi_margin_loss(a, b.long(), p=p, margin=margin, weight=w, reduction=reduction)
                out.append(make_case(name, "multi_margin_loss",
                                     {"reduction": reduction, "p": p, "margin": margin, "weight": has_w}, inputs, fn))
    name = "multi_margin_loss_unbatched_sum"
    out.append(make_case(name, "multi_margin_loss", {"reduction": "sum", "p": 1, "margin": 1.0, "weight": False},
                         [G(fixed([0.1, 0.2, 0.4, 0.8])), N(fixed(3.0, []))],
                         lambda a, b: F.multi_margin_loss(a.unsqueeze(0), b.long().reshape(1), reduction="sum")))
    return out


# --------------------------------------------------------------------------- information theory

BASES = {"e": 1.0, "2": math.log(2.0), "10": math.log(10.0)}


def info_cases():
    out = []
    fns = {
        "entropy": lambda p, q, ax: -torch.xlogy(p, p).sum(dim=ax),
        "cross_entropy_between": lambda p, q, ax: -torch.xlogy(p, q).sum(dim=ax),
        "kl_divergence": lambda p, q, ax: (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=ax),
    }
    for op, fn in sorted(fns.items()):
        for base, ln in sorted(BASES.items()):
            for axis in (-1, 0):
                name = "%s_3x4_axis%d_base%s" % (op, axis, base)
                rng = case_rng(name)
                p = softmax_rows(rng, [3, 4], axis=axis)
                q = softmax_rows(rng, [3, 4], axis=axis)
                inputs = [G(p)] if op == "entropy" else [G(p), G(q)]
                out.append(make_case(name, op, {"axis": axis, "base": base}, inputs,
                                     (lambda f, a, l, single: (lambda x: f(x, None, a) / l) if single
                                      else (lambda x, y: f(x, y, a) / l))(fn, axis, ln, op == "entropy")))
        # zero probabilities in p: 0 * log 0 = 0 (forward only: the gradient at p = 0 is undefined)
        name = "%s_zeros_base2" % op
        p = fixed([[0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
        q = fixed([[0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.0, 0.0]])
        inputs = [G(p)] if op == "entropy" else [G(p), G(q)]
        out.append(make_case(name, op, {"axis": -1, "base": "2"}, inputs,
                             (lambda f, single: (lambda x: f(x, None, -1) / BASES["2"]) if single
                              else (lambda x, y: f(x, y, -1) / BASES["2"]))(fn, op == "entropy"),
                             forward_only=True))
    return out


def cases():
    return regression_cases() + binary_cases() + cross_entropy_cases() + kl_cases() + margin_cases() + info_cases()
