#!/usr/bin/python3
"""Golden values for org.omnispark.trainer.moe.MoeGoldenTest, computed with plain PyTorch (torch 1.13).

Run from the repository root:  /usr/bin/python3 trainer/src/test/python/make_moe_golden.py
Writes trainer/src/test/resources/golden/moe/<case>/*.bin (float32, little-endian, row-major) and
<case>/golden.json (shapes, layer options, file names).

The MoE layer here is written from the papers' definitions, independently of the Java code:
  gate      logits = x @ gate.weight.T                      (nn.Linear(d, E, bias=False))
  routing   topk_then_softmax (WeNet U2++): idx, vals = top-k of logits; weights = softmax(vals)
            softmax_then_topk (Switch):     probs = softmax(logits); weights, idx = top-k of probs
  capacity  capacity = ceil(cf * T_valid * k / E); (token, choice) pairs are visited in token order and kept while
            the expert has room; cf <= 0 means dropless
  experts   expert_e(x) = fc2_e(act(fc1_e(x)))               (nn.Linear layers with bias)
  output    out[t] = sum over kept choices j of weights[t, j] * expert_{idx[t, j]}(x[t]); padding rows are 0
  aux       coeff * E * sum_i f_i * P_i, f_i = valid choices routed to i / (T_valid * k), P_i = mean valid probs
  z-loss    coeff * mean over valid tokens of logsumexp(logits)^2
  loss      sum(out * proj) + aux + z  -> gradients of x and every weight
The reference is computed in float64 from float32-representable inputs; everything is stored as float32.
Weights are stored in the Java layout (input-major): gate [d, E], w1 [E, d, ffn], b1 [E, 1, ffn], w2 [E, ffn, d],
b2 [E, 1, d].
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "moe")

CASES = [
    dict(name="wenet_top2", batch=2, time=8, d=8, ffn=16, experts=4, top_k=2,
         normalization="topk_then_softmax", activation="gelu", aux_coeff=0.0, z_coeff=0.0,
         capacity_factor=0.0, padding=[0, 0], seed=1),
    dict(name="switch_top1", batch=2, time=8, d=8, ffn=16, experts=4, top_k=1,
         normalization="softmax_then_topk", activation="swish", aux_coeff=0.01, z_coeff=0.001,
         capacity_factor=1.0, padding=[0, 3], seed=2),
    dict(name="switch_top2", batch=2, time=8, d=8, ffn=16, experts=4, top_k=2,
         normalization="softmax_then_topk", activation="relu", aux_coeff=0.01, z_coeff=0.001,
         capacity_factor=1.25, padding=[2, 1], seed=3),
    # conf/model/*_wenet_moe.yaml's layer (WeNet MoEFFNLayer): 8 experts, top-2, softmax over the 2, no aux loss,
    # swish (the Conformer's activation); ConfigFilesTest checks that the YAML maps to exactly these settings
    dict(name="wenet_e8_top2", batch=2, time=8, d=8, ffn=16, experts=8, top_k=2,
         normalization="topk_then_softmax", activation="swish", aux_coeff=0.0, z_coeff=0.0,
         capacity_factor=0.0, padding=[1, 0], seed=4),
]

ACT = {"relu": F.relu, "gelu": F.gelu, "swish": F.silu}


def rounded(t):
    """float32-representable values held in float64."""
    return t.float().double()


def make_case(c):
    torch.manual_seed(c["seed"])
    B, T, d, f, E, k = c["batch"], c["time"], c["d"], c["ffn"], c["experts"], c["top_k"]
    gate = torch.nn.Linear(d, E, bias=False).double()
    fc1 = [torch.nn.Linear(d, f).double() for _ in range(E)]
    fc2 = [torch.nn.Linear(f, d).double() for _ in range(E)]
    with torch.no_grad():
        for p in [gate.weight] + [p for m in fc1 + fc2 for p in m.parameters()]:
            p.copy_(rounded(p))
    x = rounded(torch.randn(B, T, d, dtype=torch.float64)).requires_grad_(True)
    proj = rounded(torch.randn(B, T, d, dtype=torch.float64))
    mask = torch.ones(B, T, dtype=torch.float64)
    for b, pad in enumerate(c["padding"]):
        if pad:
            mask[b, T - pad:] = 0

    flat = x.reshape(B * T, d)
    valid = mask.reshape(-1) > 0
    n_valid = int(valid.sum())
    logits = gate(flat)
    probs = torch.softmax(logits, dim=-1)
    if c["normalization"] == "topk_then_softmax":
        vals, idx = torch.topk(logits, k, dim=-1)
        weights = torch.softmax(vals, dim=-1)
    else:
        weights, idx = torch.topk(probs, k, dim=-1)

    cap = math.ceil(c["capacity_factor"] * n_valid * k / E) if c["capacity_factor"] > 0 else 10 ** 9
    used = [0] * E
    keep = torch.zeros(B * T, k, dtype=torch.bool)
    for t in range(B * T):
        if not valid[t]:
            continue
        for j in range(k):
            e = int(idx[t, j])
            if used[e] < cap:
                used[e] += 1
                keep[t, j] = True

    out = torch.zeros_like(flat)
    for e in range(E):
        hit = (idx == e) & keep                      # [T, k]
        tokens, choices = hit.nonzero(as_tuple=True)
        if len(tokens) == 0:
            continue
        y = fc2[e](ACT[c["activation"]](fc1[e](flat[tokens])))
        out = out.index_add(0, tokens, y * weights[tokens, choices].unsqueeze(1))
    out = out.reshape(B, T, d)

    counts = torch.zeros(E, dtype=torch.float64)
    for t in range(B * T):
        if valid[t]:
            for j in range(k):
                counts[int(idx[t, j])] += 1
    frac = counts / (n_valid * k)
    mean_prob = (probs * valid.unsqueeze(1)).sum(0) / n_valid
    aux = c["aux_coeff"] * E * (frac * mean_prob).sum()
    z = c["z_coeff"] * ((torch.logsumexp(logits, dim=-1) ** 2) * valid).sum() / n_valid
    loss = (out * proj).sum() + aux + z
    loss.backward()

    tensors = {
        "x": x.detach(), "mask": mask, "proj": proj, "out": out.detach(),
        "aux": aux.detach().reshape(1), "z": z.detach().reshape(1),
        "gate": gate.weight.detach().t(),
        "w1": torch.stack([m.weight.detach().t() for m in fc1]),
        "b1": torch.stack([m.bias.detach().unsqueeze(0) for m in fc1]),
        "w2": torch.stack([m.weight.detach().t() for m in fc2]),
        "b2": torch.stack([m.bias.detach().unsqueeze(0) for m in fc2]),
        "grad_x": x.grad,
        "grad_gate": gate.weight.grad.t(),
        "grad_w1": torch.stack([m.weight.grad.t() for m in fc1]),
        "grad_b1": torch.stack([m.bias.grad.unsqueeze(0) for m in fc1]),
        "grad_w2": torch.stack([m.weight.grad.t() for m in fc2]),
        "grad_b2": torch.stack([m.bias.grad.unsqueeze(0) for m in fc2]),
    }
    folder = os.path.join(OUT, c["name"])
    os.makedirs(folder, exist_ok=True)
    meta = {"config": c, "kept_per_expert": used, "tensors": {}}
    for name, t in tensors.items():
        arr = t.contiguous().float().numpy().astype("<f4")
        arr.tofile(os.path.join(folder, name + ".bin"))
        meta["tensors"][name] = {"file": name + ".bin", "shape": list(t.shape)}
    with open(os.path.join(folder, "golden.json"), "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=True)
    print(c["name"], "kept per expert", used, "aux", float(aux), "z", float(z), "loss", float(loss))


if __name__ == "__main__":
    for case in CASES:
        make_case(case)
