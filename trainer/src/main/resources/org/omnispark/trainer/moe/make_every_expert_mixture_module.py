#!/usr/bin/python3
"""Makes every_expert_mixture.pt, the TorchScript module behind org.omnispark.trainer.moe.EveryExpertMixture.

A Mixture-of-Experts FFN for few tokens (a 16-frame streaming chunk): instead of permuting the tokens to their experts,
running one small GEMM pair per expert and un-permuting (about 30 small operations, each a JNI call from Java), EVERY
expert runs on EVERY token as two batched GEMMs, and the outputs are mixed by the router's weights scattered into a
dense [T, E] matrix (zero for the experts a token was not routed to). The work is E / k times the routed rows, so it
pays only while the per-operation overhead dominates; the Java side chooses it by token count. One call runs the
whole thing; with autograd the gradients reach x, the expert weights and the router weights (not the indices).

Run from the repository root with Debian's torch 1.13:
    /usr/bin/python3 trainer/src/main/resources/org/omnispark/trainer/moe/make_every_expert_mixture_module.py

forward(x [T, d], top_idx [T, k] int64, top_w [T, k], w1 [E, d, f], b1 [E, 1, f] or [0], w2 [E, f, d],
        b2 [E, 1, d] or [0], flags [2] int64 on the CPU: (activation 0 relu / 1 gelu / 2 swish, bf16 GEMMs 0 / 1))
    -> [T, d] = sum_j top_w[t, j] * expert_{top_idx[t, j]}(x[t])
"""
import os

import torch


def matmul(a: torch.Tensor, b: torch.Tensor, bf16: bool) -> torch.Tensor:
    """a @ b, in bf16 when autocast is on (as org.omnispark.trainer.nn.Autocast), the product in a's type."""
    if bf16:
        return torch.matmul(a.to(torch.bfloat16), b.to(torch.bfloat16)).to(a.dtype)
    return torch.matmul(a, b)


class EveryExpertMixture(torch.nn.Module):
    def forward(self, x: torch.Tensor, top_idx: torch.Tensor, top_w: torch.Tensor, w1: torch.Tensor,
                b1: torch.Tensor, w2: torch.Tensor, b2: torch.Tensor, flags: torch.Tensor) -> torch.Tensor:
        activation = int(flags[0])
        bf16 = int(flags[1]) == 1
        num_experts = w1.shape[0]
        combine = torch.zeros(x.shape[0], num_experts, dtype=top_w.dtype, device=x.device)
        combine = combine.scatter(1, top_idx, top_w)                          # [T, E]
        xe = x.unsqueeze(0)                                                   # [1, T, d]
        h = matmul(xe, w1, bf16)                                              # [E, T, f]
        if b1.numel() > 0:
            h = h + b1
        if activation == 0:
            h = torch.relu(h)
        elif activation == 1:
            h = torch.nn.functional.gelu(h)
        else:
            h = h * torch.sigmoid(h)
        y = matmul(h, w2, bf16)                                               # [E, T, d]
        if b2.numel() > 0:
            y = y + b2
        return (y * combine.t().unsqueeze(2)).sum(0)                          # [T, d]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    scripted = torch.jit.script(EveryExpertMixture())
    path = os.path.join(here, "every_expert_mixture.pt")
    scripted.save(path)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
