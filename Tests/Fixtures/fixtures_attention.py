"""Attention fixtures (-> attention.json): F.scaled_dot_product_attention, and later the attention layers.

Primitive cases (``op`` = ``sdpa``): ``inputs`` = [query [B,H,Tq,D], key [B,H,Tk,D], value [B,H,Tk,Dv]]
plus the mask when ``args["mask"]`` is ``"additive"`` (float, added to the scores) or ``"allowed"``
(0/1, 1 = may attend; PyTorch's boolean attn_mask). ``args["is_causal"]`` asks for Nabla's causal mask,
aligned bottom-right (query i sees keys j <= i + Tk - Tq); the fixture builds it as an explicit boolean
mask, which equals PyTorch's ``is_causal`` when Tq == Tk. ``args["scale"]`` is null for 1/sqrt(D).
The output and gradients come from the float64 math path.
"""

import torch
import torch.nn.functional as F

from fixture_helpers import G, N, case_rng, make_case, normal, randint

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


def cases():
    return sdpa_cases()
