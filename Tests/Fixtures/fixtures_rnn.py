"""Recurrent-layer fixtures (-> rnn.json): torch.nn.LSTM and torch.nn.GRU.

Each case holds a module's weights as PyTorch initialized them (seeded from the case name,
rounded to float32), the input sequence and, for the ``_state`` cases, an initial state.
Outputs and gradients are computed in float64. The loss whose gradients are stored is

    sum(output * grad_output) + sum(h_n * grad_state["h"]) [+ sum(c_n * grad_state["c"])]

See README.md ("Recurrent layers") for the extra keys ``params``, ``param_grads``,
``state`` and ``grad_state``.
"""

import zlib

import torch

from fixture_helpers import case_rng, f32, normal, tensor_json

# (name, kind, num_layers, batch_first, with initial state)
CONFIGS = [
    ("lstm_1layer", "lstm", 1, True, False),
    ("lstm_2layer", "lstm", 2, True, False),
    ("lstm_2layer_state", "lstm", 2, True, True),
    ("lstm_1layer_seqfirst_state", "lstm", 1, False, True),
    ("gru_1layer", "gru", 1, True, False),
    ("gru_2layer", "gru", 2, True, False),
    ("gru_2layer_state", "gru", 2, True, True),
    ("gru_1layer_seqfirst_state", "gru", 1, False, True),
]

N, T, I, H = 3, 5, 4, 6


def build_module(name, kind, layers, batch_first):
    """PyTorch's own default initialization, seeded from the case name, rounded to float32."""
    torch.manual_seed(zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF)
    cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    module = cls(I, H, num_layers=layers, batch_first=batch_first, dtype=torch.float32)
    module = module.to(torch.float64)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.tensor(f32(p.numpy())))
    return module


def make_rnn_case(name, kind, layers, batch_first, with_state):
    module = build_module(name, kind, layers, batch_first)
    rng = case_rng(name)
    x_shape = [N, T, I] if batch_first else [T, N, I]
    x = torch.tensor(normal(rng, x_shape), requires_grad=True)
    inputs = [x]
    state_names = ["h", "c"] if kind == "lstm" else ["h"]
    if with_state:
        inputs += [torch.tensor(normal(rng, [layers, N, H], 0.5), requires_grad=True) for _ in state_names]
        state_in = tuple(inputs[1:]) if kind == "lstm" else inputs[1]
        out, state = module(x, state_in)
    else:
        out, state = module(x)
    finals = list(state) if kind == "lstm" else [state]

    grng = case_rng(name, "grad")
    go = torch.tensor(normal(grng, out.shape))
    gstate = [torch.tensor(normal(grng, s.shape)) for s in finals]
    loss = (out * go).sum() + sum((s * g).sum() for s, g in zip(finals, gstate))
    params = list(module.named_parameters())
    grads = torch.autograd.grad(loss, inputs + [p for _, p in params])
    return {
        "name": name,
        "op": kind,
        "args": {"input_size": I, "hidden_size": H, "num_layers": layers, "batch_first": batch_first,
                 "bias": True, "initial_state": with_state},
        "inputs": [dict(tensor_json(t), requires_grad=True) for t in inputs],
        "output": tensor_json(out),
        "grad_output": tensor_json(go),
        "grads": [tensor_json(g) for g in grads[:len(inputs)]],
        "param_names": [n for n, _ in params],
        "params": {n: tensor_json(p) for n, p in params},
        "param_grads": {n: tensor_json(g) for (n, _), g in zip(params, grads[len(inputs):])},
        "state": {k: tensor_json(s) for k, s in zip(state_names, finals)},
        "grad_state": {k: tensor_json(g) for k, g in zip(state_names, gstate)},
    }


def check(case):
    """Shape checks for the keys fixture_helpers.validate_case does not know."""
    for n, p in case["params"].items():
        assert case["param_grads"][n]["shape"] == p["shape"], (case["name"], n)
    for k, s in case["state"].items():
        assert case["grad_state"][k]["shape"] == s["shape"], (case["name"], k)
    return case


def cases():
    return [check(make_rnn_case(*config)) for config in CONFIGS]
