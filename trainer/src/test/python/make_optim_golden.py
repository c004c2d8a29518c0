#!/usr/bin/python3
"""Golden values for org.omnispark.trainer.infra.AdamGoldenTest, computed with torch.optim (torch 1.13).

Run from the repository root:  /usr/bin/python3 trainer/src/test/python/make_optim_golden.py
Writes trainer/src/test/resources/golden/optim/<case>/*.bin (float32, little-endian, row-major) and
<case>/golden.json (options, per-step learning rates, shapes, file names, per-step gradient norms).

The problem (independent of the Java code): a tiny two-layer regression
    pred = tanh(x @ w1 + b1) @ w2          x [6, 4], w1 [4, 5], b1 [5], w2 [5, 3], y [6, 3]
    loss = mean((pred - y)^2)
Weights are stored input-major (the Java layout); torch.optim does not care about the layout. For each of 5 steps:
zero grads, forward, backward, optionally clip_grad_norm_(max_norm), set the step's lr, optimizer.step(). After every
step the three parameters are appended to <name>_steps.bin ([5, *shape]). The Java test recomputes the gradients with
DJL autograd on the same data and applies its own optimizer; tolerances are stated in the test.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "optim")

CASES = [
    dict(name="adam", optim="adam", betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0, clip=0.0, seed=11,
         lrs=[0.01, 0.02, 0.03, 0.02, 0.01]),
    dict(name="adam_l2", optim="adam", betas=[0.9, 0.98], eps=1e-9, weight_decay=0.1, clip=0.0, seed=12,
         lrs=[0.005, 0.01, 0.01, 0.008, 0.004]),
    dict(name="adamw_clip", optim="adamw", betas=[0.9, 0.98], eps=1e-8, weight_decay=0.1, clip=0.05, seed=13,
         lrs=[0.01, 0.01, 0.02, 0.02, 0.005]),
]
STEPS = 5


def write(folder, name, tensor):
    tensor.detach().contiguous().to(torch.float32).numpy().astype("<f4").tofile(os.path.join(folder, name + ".bin"))
    return {"file": name + ".bin", "shape": list(tensor.shape)}


def make_case(c):
    folder = os.path.join(OUT, c["name"])
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(c["seed"])
    x = torch.randn(6, 4, generator=g)
    y = torch.randn(6, 3, generator=g)
    w1 = (torch.rand(4, 5, generator=g) * 2 - 1).requires_grad_()
    b1 = (torch.rand(5, generator=g) * 0.2 - 0.1).requires_grad_()
    w2 = (torch.rand(5, 3, generator=g) * 2 - 1).requires_grad_()
    params = [w1, b1, w2]
    tensors = {"x": write(folder, "x", x), "y": write(folder, "y", y)}
    for n, p in zip(["w1", "b1", "w2"], params):
        tensors[n + "_init"] = write(folder, n + "_init", p)
    cls = torch.optim.Adam if c["optim"] == "adam" else torch.optim.AdamW
    opt = cls(params, lr=c["lrs"][0], betas=tuple(c["betas"]), eps=c["eps"], weight_decay=c["weight_decay"])
    history = {"w1": [], "b1": [], "w2": []}
    losses, norms = [], []
    for step in range(STEPS):
        opt.zero_grad()
        loss = ((torch.tanh(x @ w1 + b1) @ w2 - y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        if c["clip"] > 0:
            norms.append(float(torch.nn.utils.clip_grad_norm_(params, c["clip"])))
        for group in opt.param_groups:
            group["lr"] = c["lrs"][step]
        opt.step()
        for n, p in zip(["w1", "b1", "w2"], params):
            history[n].append(p.detach().clone())
    for n in history:
        tensors[n + "_steps"] = write(folder, n + "_steps", torch.stack(history[n]))
    with open(os.path.join(folder, "golden.json"), "w") as f:
        json.dump({"config": c, "steps": STEPS, "losses": losses, "grad_norms": norms, "tensors": tensors,
                   "torch": torch.__version__}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    for case in CASES:
        make_case(case)
        print("wrote", case["name"])
