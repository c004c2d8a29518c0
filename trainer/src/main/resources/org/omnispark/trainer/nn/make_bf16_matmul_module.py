#!/usr/bin/python3
"""Makes bf16_matmul.pt, the TorchScript module behind org.omnispark.trainer.nn.Autocast.

DJL 0.35.1 cannot convert a tensor to bfloat16 (NDArray.toType(BFLOAT16) aborts the JVM in its native code), but
libtorch computes in bf16 fine. This module casts both operands to bf16, multiplies (torch.matmul: plain, batched and
broadcast products) and returns the product as float32, so DJL only ever holds float32 tensors while the GEMM runs
in bf16 (tensor cores on a GPU). Run through DJL's trainable forward, autograd records the casts: the gradients that
reach the float32 operands are float32. TorchScript needs the Python source, so this must be a .py file.

Run from the repository root with Debian's torch 1.13:
    /usr/bin/python3 trainer/src/main/resources/org/omnispark/trainer/nn/make_bf16_matmul_module.py

forward(a [..., n, k] float32, b [..., k, m] float32) -> [..., n, m] float32 = float(bf16(a) @ bf16(b))
"""
import os

import torch


class Bf16MatMul(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.matmul(a.to(torch.bfloat16), b.to(torch.bfloat16)).to(torch.float32)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    scripted = torch.jit.script(Bf16MatMul())
    path = os.path.join(here, "bf16_matmul.pt")
    scripted.save(path)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
