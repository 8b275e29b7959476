"""Attention fixtures (-> attention.json): F.scaled_dot_product_attention, nn.MultiheadAttention and
nn.TransformerEncoderLayer.

Primitive cases (``op`` = ``sdpa``): ``inputs`` = [query [B,H,Tq,D], key [B,H,Tk,D], value [B,H,Tk,Dv]]
plus the mask when ``args["mask"]`` is ``"additive"`` (float, added to the scores) or ``"allowed"``
(0/1, 1 = may attend; PyTorch's boolean attn_mask). ``args["is_causal"]`` asks for Nabla's causal mask,
aligned bottom-right (query i sees keys j <= i + Tk - Tq); the fixture builds it as an explicit boolean
mask, which equals PyTorch's ``is_causal`` when Tq == Tk. ``args["scale"]`` is null for 1/sqrt(D).
The output and gradients come from the float64 math path.

Layer cases (``op`` = ``mha`` or ``encoder``, batch-first, dropout 0): ``inputs`` = the data inputs
(``args["data"]`` of them: 1 for self-attention x, or 3 for query, key, value), then the masks listed in
``args["masks"]`` ([{"name": "key_padding_mask" | "attn_mask" | "src_mask" | "src_key_padding_mask",
"kind": "masked" (0/1, 1 = ignore: PyTorch's bool) | "additive"}], no gradient), then the module's
parameters in ``args["params"]`` order (state-dict names; seeded N(0, 0.5^2) values). ``args["is_causal"]``
passes a causal src/attn mask with PyTorch's is_causal hint (Nabla passes only the flag). For ``mha``
with ``args["need_weights"]`` the output is cat(attn_output.flatten(), weights.flatten()) (weights
averaged over heads), so that the gradient covers both.
"""

import torch
import torch.nn.functional as F

import torch.nn as nn

from fixture_helpers import DTYPE, G, N, case_rng, make_case, normal, randint

RTOL = 1e-5


def causal_allowed(tq, tk):
    return torch.ones(tq, tk, dtype=torch.bool).tril(diagonal=tk - tq)


def sdpa_case(name, b, h, tq, tk, d, dv, mask=None, mask_shape=None, is_causal=False, scale=None, mask_grad=False,
              fully_masked_row=False):
    rng = case_rng(name)
    q, k, v = normal(rng, (b, h, tq, d)), normal(rng, (b, h, tk, d)), normal(rng, (b, h, tk, dv))
    inputs = [G(q), G(k), G(v)]
    if mask == "additive":
        m = normal(rng, mask_shape, 2.0)
        if fully_masked_row:
            m[..., 0, :] = float("-inf")
        inputs.append(G(m) if mask_grad else N(m))
    elif mask == "allowed":
        m = randint(rng, mask_shape, 0, 2)
        m[..., 0] = 1.0   # every row may see key 0, so no row is fully masked ...
        if fully_masked_row:
            m[..., 0, :] = 0.0   # ... unless asked
        inputs.append(N(m))

    def fn(qt, kt, vt, *rest):
        attn_mask = None
        if mask == "additive":
            attn_mask = rest[0]
        elif mask == "allowed":
            attn_mask = rest[0] != 0
        if is_causal:
            causal = causal_allowed(tq, tk)
            if attn_mask is None:
                attn_mask = causal
            elif attn_mask.dtype == torch.bool:
                attn_mask = attn_mask & causal
            else:
                attn_mask = attn_mask.masked_fill(~causal, float("-inf"))
        with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
            return F.scaled_dot_product_attention(qt, kt, vt, attn_mask=attn_mask, scale=scale)

    args = {"mask": mask, "is_causal": is_causal, "scale": scale}
    case = make_case(name, "sdpa", args, inputs, fn)
    case["rtol"] = RTOL
    return case


def sdpa_cases():
    return [
        sdpa_case("sdpa_plain", 2, 3, 4, 4, 5, 5),
        sdpa_case("sdpa_causal", 2, 2, 5, 5, 4, 4, is_causal=True),
        sdpa_case("sdpa_additive", 2, 2, 3, 4, 4, 4, mask="additive", mask_shape=(2, 2, 3, 4)),
        sdpa_case("sdpa_additive_broadcast", 2, 2, 3, 5, 4, 3, mask="additive", mask_shape=(3, 5)),
        sdpa_case("sdpa_additive_grad", 1, 2, 3, 4, 4, 4, mask="additive", mask_shape=(1, 1, 3, 4), mask_grad=True),
        sdpa_case("sdpa_allowed", 2, 2, 4, 4, 3, 3, mask="allowed", mask_shape=(2, 2, 4, 4)),
        sdpa_case("sdpa_allowed_padding", 2, 3, 4, 6, 4, 4, mask="allowed", mask_shape=(2, 1, 1, 6)),
        sdpa_case("sdpa_cross_tq_lt_tk", 2, 2, 3, 7, 4, 4),
        sdpa_case("sdpa_cross_tq_gt_tk", 1, 2, 6, 3, 4, 4),
        sdpa_case("sdpa_causal_cache", 2, 2, 2, 6, 4, 4, is_causal=True),
        sdpa_case("sdpa_causal_single_query", 1, 2, 1, 5, 4, 4, is_causal=True),
        sdpa_case("sdpa_value_dim", 2, 2, 4, 5, 3, 6),
        sdpa_case("sdpa_causal_value_dim", 1, 3, 5, 5, 6, 2, is_causal=True),
        sdpa_case("sdpa_scale", 1, 2, 4, 4, 4, 4, scale=0.3),
        sdpa_case("sdpa_causal_and_mask", 2, 2, 4, 4, 3, 3, mask="additive", mask_shape=(2, 1, 4, 4), is_causal=True),
        sdpa_case("sdpa_fully_masked_row", 1, 2, 3, 4, 4, 4, mask="allowed", mask_shape=(1, 1, 3, 4), fully_masked_row=True),
    ]


def make_mask(rng, kind, shape):
    """A 0/1 (masked, 1 = ignore) or additive mask; key 0 always stays visible, so no row is fully masked."""
    if kind == "masked":
        m = (rng.uniform(size=shape) < 0.35).astype("float64")
        m[..., 0] = 0.0
    else:
        m = normal(rng, shape, 1.5)
    return m


def torch_mask(kind, t):
    return t != 0 if kind == "masked" else t


def module_case(name, op, module, args, data, masks, call):
    """data: arrays (differentiable); masks: [(name, kind, array)]; call(module, data_tensors, mask_dict)."""
    module = module.to(DTYPE)
    rng = case_rng(name, "params")
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.tensor(normal(rng, tuple(p.shape), 0.5), dtype=DTYPE))
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach().numpy().copy() for _, p in module.named_parameters()]
    module.eval()   # dropout 0 anyway; eval keeps every path deterministic
    nd, nm = len(data), len(masks)

    def fn(*ts):
        mask_dict = {m[0]: torch_mask(m[1], t) for m, t in zip(masks, ts[nd:nd + nm])}
        params = dict(zip(names, ts[nd + nm:]))
        with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
            return call(lambda *a, **k: torch.func.functional_call(module, params, a, k), ts[:nd], mask_dict)

    args = dict(args, data=nd, masks=[{"name": m[0], "kind": m[1]} for m in masks], params=names)
    inputs = [G(d) for d in data] + [N(m[2]) for m in masks] + [G(p) for p in params]
    case = make_case(name, op, args, inputs, fn)
    case["rtol"] = RTOL
    return case


def mha_case(name, e, h, b, l, s, self_attention=True, masks=(), need_weights=False, is_causal=False, bias=True):
    rng = case_rng(name)
    data = [normal(rng, (b, l, e))] if self_attention else [normal(rng, (b, l, e)), normal(rng, (b, s, e)), normal(rng, (b, s, e))]
    shapes = {"key_padding_mask": (b, s), "attn_mask_2d": (l, s), "attn_mask_3d": (b * h, l, s)}
    mask_list = [(m.split(":")[0] if not m.startswith("attn_mask") else "attn_mask", kind, make_mask(rng, kind, shapes[m]))
                 for m, kind in masks]

    def call(run, xs, md):
        q, k, v = (xs[0], xs[0], xs[0]) if self_attention else xs
        attn_mask = md.get("attn_mask")
        if is_causal:
            attn_mask = ~causal_allowed(l, s)
        out, w = run(q, k, v, key_padding_mask=md.get("key_padding_mask"), attn_mask=attn_mask,
                     need_weights=need_weights, is_causal=is_causal)
        return torch.cat([out.flatten(), w.flatten()]) if need_weights else out

    module = nn.MultiheadAttention(e, h, bias=bias, batch_first=True)
    args = {"embed_dim": e, "num_heads": h, "bias": bias, "need_weights": need_weights, "is_causal": is_causal,
            "self_attention": self_attention}
    return module_case(name, "mha", module, args, data, mask_list, call)


def encoder_case(name, d, h, ff, activation, norm_first, b=2, t=5, masks=(), is_causal=False):
    rng = case_rng(name)
    data = [normal(rng, (b, t, d))]
    shapes = {"src_key_padding_mask": (b, t), "src_mask": (t, t)}
    mask_list = [(m, kind, make_mask(rng, kind, shapes[m])) for m, kind in masks]

    def call(run, xs, md):
        src_mask = md.get("src_mask")
        if is_causal:
            src_mask = ~causal_allowed(t, t)
        return run(xs[0], src_mask=src_mask, src_key_padding_mask=md.get("src_key_padding_mask"), is_causal=is_causal)

    module = nn.TransformerEncoderLayer(d, h, dim_feedforward=ff, dropout=0.0, activation=activation, batch_first=True,
                                        norm_first=norm_first)
    args = {"d_model": d, "nhead": h, "dim_feedforward": ff, "activation": activation, "norm_first": norm_first,
            "is_causal": is_causal}
    return module_case(name, "encoder", module, args, data, mask_list, call)


def layer_cases():
    return [
        mha_case("mha_self", 8, 2, 2, 4, 4),
        mha_case("mha_self_weights", 8, 2, 2, 4, 4, need_weights=True),
        mha_case("mha_cross_weights", 8, 4, 2, 3, 5, self_attention=False, need_weights=True),
        mha_case("mha_key_padding", 6, 3, 2, 5, 5, masks=[("key_padding_mask", "masked")], need_weights=True),
        mha_case("mha_key_padding_fused", 6, 3, 2, 5, 5, masks=[("key_padding_mask", "masked")]),
        mha_case("mha_attn_mask_bool", 8, 2, 2, 4, 6, self_attention=False, masks=[("attn_mask_2d", "masked")]),
        mha_case("mha_attn_mask_float_3d_padding", 8, 2, 2, 4, 4,
                 masks=[("key_padding_mask", "masked"), ("attn_mask_3d", "additive")], need_weights=True),
        mha_case("mha_additive_padding", 4, 2, 2, 3, 3, masks=[("key_padding_mask", "additive")]),
        mha_case("mha_causal", 8, 2, 2, 5, 5, is_causal=True),
        mha_case("mha_nobias", 6, 2, 1, 3, 4, self_attention=False, bias=False, need_weights=True),
        encoder_case("encoder_post_relu", 8, 2, 16, "relu", False),
        encoder_case("encoder_pre_relu", 8, 2, 16, "relu", True),
        encoder_case("encoder_post_gelu", 8, 4, 12, "gelu", False),
        encoder_case("encoder_pre_gelu", 8, 4, 12, "gelu", True),
        encoder_case("encoder_pre_gelu_causal_padding", 8, 2, 16, "gelu", True, masks=[("src_key_padding_mask", "masked")],
                     is_causal=True),
        encoder_case("encoder_post_relu_src_mask", 6, 3, 10, "relu", False, masks=[("src_mask", "additive")]),
    ]


def cases():
    return sdpa_cases() + layer_cases()
