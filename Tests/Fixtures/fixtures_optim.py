"""Optimizer, gradient-clipping and learning-rate-scheduler fixtures -> optim.json.

Optimizer cases record what torch.optim saw and did, in float32: two parameters ([3, 4] and [4])
are trained for STEPS steps on a small tanh regression loss; each step stores the gradients
PyTorch computed (the Swift test feeds the same gradients, so it never depends on recomputing the
loss) and the parameters after the step. See README.md, "optim.json", for the schema.
"""

import math

import torch

from fixture_helpers import case_rng, normal, tensor_json

STEPS = 25
EPOCHS = 30
F32 = torch.float32


def _t(array):
    return torch.tensor(array, dtype=F32)


def _loss(p0, p1, x, y):
    # [6,4] inputs scaled per feature by p1, mapped by p0 [3,4], squashed; plus a small L2 on p1.
    z = torch.tanh((x * p1) @ p0.T)
    return ((z - y) ** 2).mean() + 0.05 * (p1 ** 2).sum()


def _no_grad_mask(name, skip):
    """[STEPS, 2] of 0/1: 1 where the parameter has a gradient at that step."""
    mask = torch.ones(STEPS, 2)
    for step, param in skip:
        mask[step, param] = 0
    return mask


def optimizer_case(name, op, make, args, skip=(), lr_change=None):
    """Train STEPS steps with optimizer `make(params)`; `skip` lists (step, param) pairs whose
    gradient is set to None before the step; `lr_change` = (step, lr) sets the rate before that step."""
    rng = case_rng(name)
    p0 = _t(normal(rng, [3, 4], 0.5)).requires_grad_(True)
    p1 = _t(normal(rng, [4], 0.5, 1.0)).requires_grad_(True)
    init = [tensor_json(p0), tensor_json(p1)]
    x, y = _t(normal(rng, [6, 4])), _t(normal(rng, [6, 3], 0.5))
    opt = make([p0, p1])
    mask = _no_grad_mask(name, skip)
    grads = [torch.zeros(STEPS, 3, 4), torch.zeros(STEPS, 4)]
    trajectory = torch.zeros(STEPS, 16)
    for step in range(STEPS):
        opt.zero_grad()
        _loss(p0, p1, x, y).backward()
        for k, p in enumerate((p0, p1)):
            if mask[step, k] == 0:
                p.grad = None
            else:
                grads[k][step] = p.grad
        if lr_change is not None and step == lr_change[0]:
            opt.param_groups[0]["lr"] = lr_change[1]
        opt.step()
        with torch.no_grad():
            trajectory[step] = torch.cat([p0.reshape(-1), p1.reshape(-1)])
    state = {}
    if len(opt.param_groups) > 1:
        for g, group in enumerate(opt.state_dict()["param_groups"]):
            state["param_groups.%d.lr" % g] = tensor_json(torch.tensor(group["lr"], dtype=F32))
            state["param_groups.%d.weight_decay" % g] = tensor_json(torch.tensor(group["weight_decay"], dtype=F32))
            state["param_groups.%d.params" % g] = tensor_json(torch.tensor(group["params"], dtype=F32))
    for index, entries in opt.state_dict()["state"].items():
        for key, value in entries.items():
            if value is not None:
                state["state.%d.%s" % (index, key)] = tensor_json(value)
    args = dict(args, steps=STEPS, lr_change=None if lr_change is None else {"step": lr_change[0], "lr": lr_change[1]})
    return {
        "name": name, "op": op, "args": args,
        "inputs": [dict(init[0], requires_grad=True), dict(init[1], requires_grad=True),
                   dict(tensor_json(grads[0]), requires_grad=False), dict(tensor_json(grads[1]), requires_grad=False),
                   dict(tensor_json(mask), requires_grad=False)],
        "output": tensor_json(trajectory),
        "grad_output": None, "grads": [None] * 5,
        "state": state,
    }


def optimizer_cases():
    S = torch.optim
    cases = []

    def sgd(name, skip=(), lr_change=None, **kw):
        a = dict(dict(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False), **kw)
        cases.append(optimizer_case(name, "sgd", lambda ps: S.SGD(ps, foreach=False, **a), a, skip, lr_change))

    sgd("sgd_plain")
    sgd("sgd_momentum", lr=0.05, momentum=0.9)
    sgd("sgd_dampening", lr=0.05, momentum=0.9, dampening=0.3)
    sgd("sgd_nesterov", lr=0.05, momentum=0.9, nesterov=True)
    sgd("sgd_weight_decay", weight_decay=0.01)
    sgd("sgd_momentum_weight_decay_nesterov", lr=0.03, momentum=0.8, weight_decay=0.05, nesterov=True)
    sgd("sgd_momentum_skip_lr_change", lr=0.05, momentum=0.9, skip=[(0, 1), (3, 0), (4, 0), (10, 1)],
        lr_change=(12, 0.02))

    def adagrad(name, skip=(), lr_change=None, **kw):
        a = dict(dict(lr=0.1, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10), **kw)
        cases.append(optimizer_case(name, "adagrad", lambda ps: S.Adagrad(ps, foreach=False, **a), a, skip, lr_change))

    adagrad("adagrad_plain")
    adagrad("adagrad_options", lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-6)
    adagrad("adagrad_skip", lr=0.05, skip=[(0, 0), (7, 1)])

    def rmsprop(name, skip=(), lr_change=None, **kw):
        a = dict(dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False), **kw)
        cases.append(optimizer_case(name, "rmsprop", lambda ps: S.RMSprop(ps, foreach=False, **a), a, skip, lr_change))

    rmsprop("rmsprop_plain")
    rmsprop("rmsprop_momentum", momentum=0.9)
    rmsprop("rmsprop_centered", centered=True)
    rmsprop("rmsprop_weight_decay", weight_decay=0.1)
    rmsprop("rmsprop_centered_momentum_weight_decay", lr=0.005, alpha=0.9, eps=1e-6, weight_decay=0.05,
            momentum=0.5, centered=True)

    def adam(name, op="adam", skip=(), lr_change=None, **kw):
        a = dict(dict(lr=0.01, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0 if op == "adam" else 1e-2,
                      amsgrad=False), **kw)
        cls = S.Adam if op == "adam" else S.AdamW
        cases.append(optimizer_case(name, op, lambda ps: cls(ps, foreach=False, **dict(a, betas=tuple(a["betas"]))),
                                    a, skip, lr_change))

    adam("adam_plain")
    adam("adam_amsgrad", amsgrad=True)
    adam("adam_weight_decay", weight_decay=0.1)
    adam("adam_amsgrad_weight_decay_betas", lr=0.02, betas=[0.8, 0.99], eps=1e-6, weight_decay=0.05, amsgrad=True)
    adam("adam_skip_lr_change", skip=[(0, 1), (5, 0), (6, 0), (20, 1)], lr_change=(10, 0.003))
    adam("adamw_default", op="adamw")
    adam("adamw_amsgrad_weight_decay", op="adamw", lr=0.02, weight_decay=0.1, amsgrad=True)

    # Parameter groups: p0 (a matrix) in group 0, p1 (a vector) in group 1 with its own rate and no decay,
    # as nanoGPT's decay/no-decay split; args.groups lists each group's overrides.
    def grouped(name, op, cls, groups, **kw):
        a = dict(kw, groups=groups)
        extra = {k: (tuple(v) if k == "betas" else v) for k, v in kw.items()}
        make = lambda ps: cls([dict(g, params=[p]) for g, p in zip(groups, ps)], foreach=False, **extra)  # noqa: E731
        cases.append(optimizer_case(name, op, make, a))

    grouped("adamw_two_groups", "adamw", S.AdamW, [{"weight_decay": 0.1}, {"lr": 0.02, "weight_decay": 0.0}],
            lr=0.01, betas=[0.9, 0.99], eps=1e-8, weight_decay=0.1, amsgrad=False)
    grouped("sgd_two_groups", "sgd", S.SGD, [{"weight_decay": 0.05}, {"lr": 0.02, "weight_decay": 0.0}],
            lr=0.05, momentum=0.9, dampening=0.0, weight_decay=0.05, nesterov=False)
    return cases


def clip_case(name, op, args, scale):
    rng = case_rng(name)
    g0, g1 = _t(normal(rng, [3, 4], scale)), _t(normal(rng, [4], scale))
    p0, p1 = torch.zeros(3, 4, dtype=F32, requires_grad=True), torch.zeros(4, dtype=F32, requires_grad=True)
    p0.grad, p1.grad = g0.clone(), g1.clone()
    case = {"name": name, "op": op, "args": args,
            "inputs": [dict(tensor_json(g0), requires_grad=False), dict(tensor_json(g1), requires_grad=False)]}
    if op == "clip_grad_norm":
        norm_type = float("inf") if args["norm_type"] == "inf" else args["norm_type"]
        total = torch.nn.utils.clip_grad_norm_([p0, p1], args["max_norm"], norm_type=norm_type, foreach=False)
        case["total_norm"] = float(total)
    else:
        torch.nn.utils.clip_grad_value_([p0, p1], args["clip_value"], foreach=False)
    case.update(output=tensor_json(torch.cat([p0.grad.reshape(-1), p1.grad.reshape(-1)])),
                grad_output=None, grads=[None, None])
    return case


def clip_cases():
    return [
        clip_case("clip_norm2_active", "clip_grad_norm", {"max_norm": 1.0, "norm_type": 2.0}, 1.0),
        clip_case("clip_norm2_inactive", "clip_grad_norm", {"max_norm": 100.0, "norm_type": 2.0}, 1.0),
        clip_case("clip_norm1_active", "clip_grad_norm", {"max_norm": 2.0, "norm_type": 1.0}, 1.0),
        clip_case("clip_norm3_active", "clip_grad_norm", {"max_norm": 0.5, "norm_type": 3.0}, 1.0),
        clip_case("clip_norminf_active", "clip_grad_norm", {"max_norm": 0.25, "norm_type": "inf"}, 1.0),
        clip_case("clip_norminf_inactive", "clip_grad_norm", {"max_norm": 10.0, "norm_type": "inf"}, 1.0),
        clip_case("clip_value", "clip_grad_value", {"clip_value": 0.5}, 1.0),
        clip_case("clip_value_inactive", "clip_grad_value", {"clip_value": 5.0}, 0.5),
    ]


PLATEAU_METRICS = [1.0, 0.9, 0.85, 0.84, 0.84, 0.841, 0.839, 0.8395, 0.83, 0.83, 0.83, 0.83, 0.829, 0.82,
                   0.82, 0.825, 0.82, 0.81, 0.811, 0.812, 0.813, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79, 0.79]


def scheduler_case(name, op, make, args, lr=0.1, metrics=None):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make(opt)
    lrs = []
    for epoch in range(EPOCHS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()  # keeps PyTorch's order check quiet; p has no grad
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[epoch])
    inputs = [] if metrics is None else [dict(tensor_json(torch.tensor(metrics, dtype=torch.float64)),
                                              requires_grad=False)]
    case = {"name": name, "op": op, "args": dict(args, lr=lr, epochs=EPOCHS), "inputs": inputs,
            "output": tensor_json(torch.tensor(lrs, dtype=torch.float64)), "grad_output": None,
            "grads": [None] * len(inputs)}
    if metrics is not None:
        case["state"] = {"best": sched.best, "num_bad_epochs": sched.num_bad_epochs,
                         "cooldown_counter": sched.cooldown_counter, "last_epoch": sched.last_epoch}
    return case


def scheduler_cases():
    L = torch.optim.lr_scheduler
    plateau = lambda **a: (lambda o: L.ReduceLROnPlateau(o, **a))  # noqa: E731
    return [
        scheduler_case("step_lr", "step_lr", lambda o: L.StepLR(o, step_size=7, gamma=0.5), {"step_size": 7, "gamma": 0.5}),
        scheduler_case("step_lr_every_epoch", "step_lr", lambda o: L.StepLR(o, step_size=1, gamma=0.9),
                       {"step_size": 1, "gamma": 0.9}),
        scheduler_case("exponential_lr", "exponential_lr", lambda o: L.ExponentialLR(o, gamma=0.9), {"gamma": 0.9}),
        scheduler_case("cosine_annealing_lr", "cosine_annealing_lr", lambda o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
                       {"t_max": 10, "eta_min": 0.001}),
        scheduler_case("cosine_annealing_lr_long", "cosine_annealing_lr", lambda o: L.CosineAnnealingLR(o, T_max=30),
                       {"t_max": 30, "eta_min": 0.0}, lr=0.05),
        scheduler_case("linear_lr_warmup", "linear_lr", lambda o: L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                       {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}),
        scheduler_case("linear_lr_decay", "linear_lr", lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20),
                       {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}),
        scheduler_case("plateau_min_rel", "reduce_lr_on_plateau",
                       plateau(mode="min", factor=0.5, patience=2, threshold=1e-2, threshold_mode="rel", cooldown=1, min_lr=0.004),
                       {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 1e-2, "threshold_mode": "rel",
                        "cooldown": 1, "min_lr": 0.004}, metrics=PLATEAU_METRICS),
        scheduler_case("plateau_min_abs", "reduce_lr_on_plateau",
                       plateau(mode="min", factor=0.1, patience=1, threshold=0.005, threshold_mode="abs"),
                       {"mode": "min", "factor": 0.1, "patience": 1, "threshold": 0.005, "threshold_mode": "abs",
                        "cooldown": 0, "min_lr": 0.0}, metrics=PLATEAU_METRICS),
        scheduler_case("plateau_max_rel", "reduce_lr_on_plateau",
                       plateau(mode="max", factor=0.3, patience=0, threshold=1e-4, threshold_mode="rel", cooldown=2),
                       {"mode": "max", "factor": 0.3, "patience": 0, "threshold": 1e-4, "threshold_mode": "rel",
                        "cooldown": 2, "min_lr": 0.0}, metrics=[2 - m for m in PLATEAU_METRICS]),
        scheduler_case("plateau_max_abs", "reduce_lr_on_plateau",
                       plateau(mode="max", factor=0.5, patience=3, threshold=0.01, threshold_mode="abs"),
                       {"mode": "max", "factor": 0.5, "patience": 3, "threshold": 0.01, "threshold_mode": "abs",
                        "cooldown": 0, "min_lr": 0.0}, metrics=[1 - m for m in PLATEAU_METRICS]),
    ]


STEPS_SCHEDULED = 60


def nanogpt_lr(it, lr, warmup, decay_iters, min_lr):
    """nanoGPT's get_lr (train.py), with lr_decay_iters = the last step."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    if it > decay_iters:
        return min_lr
    ratio = (it - warmup) / (decay_iters - warmup)
    coeff = 0.5 * (1.0 + math.cos(math.pi * ratio))
    return min_lr + coeff * (lr - min_lr)


def step_schedule_case(name, args, lrs, make, step_every=1):
    """Rates in use at each of STEPS_SCHEDULED optimizer steps for every group; the scheduler steps
    after every `step_every` optimizer steps (1: per iteration; the steps per epoch: per epoch)."""
    ps = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs)], lr=lrs[0])
    sched = make(opt)
    rates = []
    for it in range(STEPS_SCHEDULED):
        rates.append([g["lr"] for g in opt.param_groups])
        opt.step()
        if (it + 1) % step_every == 0:
            sched.step()
    args = dict(args, lrs=lrs, total_steps=STEPS_SCHEDULED)
    return {"name": name, "op": "step_schedule", "args": args, "inputs": [],
            "output": tensor_json(torch.tensor(rates, dtype=torch.float64)), "grad_output": None, "grads": []}


def step_schedule_cases():
    L = torch.optim.lr_scheduler
    T, W, floor = STEPS_SCHEDULED, 10, 1e-4
    base = dict(warmup=0, min_lr=0.0, steps_per_epoch=1, step_size=1, gamma=1.0)

    def warmup_cosine(o):
        first = L.LinearLR(o, start_factor=1 / (W + 1), end_factor=1.0, total_iters=W)
        return L.SequentialLR(o, [first, L.CosineAnnealingLR(o, T_max=T - 1 - W, eta_min=floor)], milestones=[W])

    return [
        step_schedule_case("lambda_nanogpt_warmup_cosine", dict(base, schedule="cosine", warmup=W, min_lr=floor), [1e-3],
                           lambda o: L.LambdaLR(o, lambda it: nanogpt_lr(it, 1e-3, W, T - 1, floor) / 1e-3)),
        step_schedule_case("sequential_linear_cosine_two_groups", dict(base, schedule="cosine", warmup=W, min_lr=floor),
                           [1e-3, 3e-3], warmup_cosine),
        step_schedule_case("cosine_annealing_per_step", dict(base, schedule="cosine", min_lr=0.01), [0.1, 0.05],
                           lambda o: L.CosineAnnealingLR(o, T_max=T - 1, eta_min=0.01)),
        step_schedule_case("linear_warmup_then_constant", dict(base, schedule="constant", warmup=W), [0.1],
                           lambda o: L.LinearLR(o, start_factor=1 / (W + 1), end_factor=1.0, total_iters=W)),
        step_schedule_case("step_lr_per_epoch", dict(base, schedule="step", steps_per_epoch=7, step_size=2, gamma=0.5),
                           [0.1, 0.2], lambda o: L.StepLR(o, step_size=2, gamma=0.5), step_every=7),
        step_schedule_case("exponential_lr_per_epoch", dict(base, schedule="exponential", steps_per_epoch=9, gamma=0.8),
                           [0.1], lambda o: L.ExponentialLR(o, gamma=0.8), step_every=9),
    ]


def cases():
    return optimizer_cases() + clip_cases() + scheduler_cases() + step_schedule_cases()
