"""Layer cases: forward output, input gradient and parameter gradients of torch.nn modules.

Schema (on top of the common one in README.md): ``inputs[0]`` is the layer input; the
remaining inputs are the module's parameters, named in ``args["params"]`` in the same order
(PyTorch state-dict names). ``args["layer"]`` names the layer and its constructor arguments.
Optional keys: ``args["mode"]`` ("train" or "eval"), ``warmup`` (a list of inputs run through
the layer in train mode before the measured call) and ``buffers_after`` ({name: tensor}, the
buffers after the measured call).
"""

import torch
import torch.nn as nn

from fixture_helpers import DTYPE, G, N, case_rng, normal, randint, tensor_json, make_case


def layer_case(name, spec, module, x, mode="train", warmup=(), index_input=False):
    module = module.to(DTYPE)
    rng = case_rng(name, "params")
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.tensor(normal(rng, tuple(p.shape), 0.5), dtype=DTYPE))
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach().numpy().copy() for _, p in module.named_parameters()]
    warm = [torch.tensor(w, dtype=DTYPE) for w in warmup]
    module.train()
    with torch.no_grad():
        for w in warm:
            module(w)
    module.train(mode == "train")
    state_before = {k: v.clone() for k, v in module.state_dict().items()}

    def fn(inp, *ps):
        module.load_state_dict(state_before)
        functional_params = dict(zip(names, ps))
        buffers = {k: v.clone() for k, v in state_before.items() if k not in functional_params}
        arg = inp.long() if index_input else inp
        return torch.func.functional_call(module, {**functional_params, **buffers}, (arg,))

    first = N(x) if index_input else G(x)
    case = make_case(name, "layer", dict(spec, params=names, mode=mode), [first] + [G(p) for p in params], fn)
    if warm:
        case["warmup"] = [tensor_json(w) for w in warm]
    module.load_state_dict(state_before)
    with torch.no_grad():
        module(torch.tensor(x, dtype=DTYPE).long() if index_input else torch.tensor(x, dtype=DTYPE))
    case["buffers_after"] = {k: tensor_json(v) for k, v in module.state_dict().items() if k not in names}
    return case


def cases():
    out = []
    r = lambda name: case_rng(name)
    out.append(layer_case("linear_4_3", {"layer": "linear", "in": 4, "out": 3}, nn.Linear(4, 3),
                          normal(r("linear_4_3"), (5, 4))))
    out.append(layer_case("linear_nobias_3d", {"layer": "linear", "in": 4, "out": 2, "bias": False},
                          nn.Linear(4, 2, bias=False), normal(r("linear_nobias_3d"), (2, 3, 4))))
    conv_specs = [
        ("conv_3x3_same", dict(in_ch=2, out_ch=3, kernel=[3, 3], stride=[1, 1], padding="same", dilation=[1, 1], bias=True)),
        ("conv_3x3_stride2_pad1", dict(in_ch=2, out_ch=4, kernel=[3, 3], stride=[2, 2], padding=[1, 1], dilation=[1, 1], bias=True)),
        ("conv_2x3_dilated_nobias", dict(in_ch=3, out_ch=2, kernel=[2, 3], stride=[1, 1], padding=[0, 1], dilation=[2, 1], bias=False)),
    ]
    for name, s in conv_specs:
        module = nn.Conv2d(s["in_ch"], s["out_ch"], tuple(s["kernel"]), stride=tuple(s["stride"]),
                           padding=s["padding"] if s["padding"] == "same" else tuple(s["padding"]),
                           dilation=tuple(s["dilation"]), bias=s["bias"])
        out.append(layer_case(name, dict(s, layer="conv2d"), module, normal(r(name), (2, s["in_ch"], 7, 6))))
    out.append(layer_case("maxpool_layer_3s2p1", {"layer": "maxpool2d", "kernel": 3, "stride": 2, "padding": 1},
                          nn.MaxPool2d(3, 2, 1), normal(r("maxpool_layer"), (2, 2, 7, 7))))
    out.append(layer_case("avgpool_layer_2", {"layer": "avgpool2d", "kernel": 2, "stride": 2, "padding": 0},
                          nn.AvgPool2d(2), normal(r("avgpool_layer"), (2, 2, 6, 6))))
    for size in ([1, 1], [3, 2], [2, 2]):
        name = "adaptive_avgpool_%dx%d" % tuple(size)
        out.append(layer_case(name, {"layer": "adaptive_avgpool2d", "size": size},
                              nn.AdaptiveAvgPool2d(tuple(size)), normal(r(name), (2, 3, 7, 5))))
    out.append(layer_case("flatten", {"layer": "flatten"}, nn.Flatten(), normal(r("flatten"), (2, 3, 2, 2))))
    for mode in ("train", "eval"):
        name = "batchnorm1d_" + mode
        warm = [normal(case_rng(name, "w%d" % i), (6, 4), 2.0, 1.0) for i in range(3)]
        out.append(layer_case(name, {"layer": "batchnorm1d", "features": 4, "momentum": 0.1, "eps": 1e-5},
                              nn.BatchNorm1d(4), normal(r(name), (6, 4), 1.5, 0.5), mode, warm))
        name = "batchnorm2d_" + mode
        warm = [normal(case_rng(name, "w%d" % i), (3, 3, 4, 4), 2.0, -1.0) for i in range(3)]
        out.append(layer_case(name, {"layer": "batchnorm2d", "features": 3, "momentum": 0.1, "eps": 1e-5},
                              nn.BatchNorm2d(3), normal(r(name), (3, 3, 4, 4), 1.5, 0.5), mode, warm))
    out.append(layer_case("batchnorm1d_3d_momentum", {"layer": "batchnorm1d", "features": 3, "momentum": 0.3, "eps": 1e-3},
                          nn.BatchNorm1d(3, eps=1e-3, momentum=0.3), normal(r("bn1d3d"), (4, 3, 5))))
    out.append(layer_case("layernorm_last", {"layer": "layernorm", "shape": [5]}, nn.LayerNorm([5]),
                          normal(r("layernorm_last"), (3, 5), 2.0, 1.0)))
    out.append(layer_case("layernorm_last2", {"layer": "layernorm", "shape": [3, 4], "eps": 1e-5}, nn.LayerNorm([3, 4]),
                          normal(r("layernorm_last2"), (2, 3, 4))))
    out.append(layer_case("embedding", {"layer": "embedding", "count": 7, "dim": 3}, nn.Embedding(7, 3),
                          randint(r("embedding"), (2, 4), 0, 7), index_input=True))
    mlp = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3))
    out.append(layer_case("sequential_mlp", {"layer": "sequential_mlp"}, mlp, normal(r("sequential_mlp"), (4, 6))))

    class Res(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())
            self.shortcut = nn.Sequential(nn.Conv2d(2, 4, 1), nn.BatchNorm2d(4))

        def forward(self, x):
            return self.body(x) + self.shortcut(x)

    out.append(layer_case("residual_projection", {"layer": "residual_projection"}, Res(), normal(r("residual"), (2, 2, 5, 5))))
    return out
