#!/usr/bin/python3
"""Makes fused_adam.pt, the TorchScript module behind org.omnispark.trainer.infra.FusedAdamKernel.

DJL has no multi-tensor optimizer kernel, but libtorch has one: aten::_fused_adam_ (CPU since PyTorch 2.4, CUDA
since 1.13) updates parameters, first and second moments of a whole list of tensors in ONE pass over memory, with
PyTorch Adam's exact arithmetic. This script scripts a module that calls it and saves it; DJL's libtorch 2.7.1
loads it with JniUtils.loadModule (TorchScript stores the source, which libtorch compiles against its own op
schema; the op's schema is the same in 1.13 and 2.7). TorchScript needs the Python source, so this must be a file.

Run from the repository root with Debian's torch 1.13:
    /usr/bin/python3 trainer/src/main/resources/org/omnispark/trainer/infra/make_fused_adam_module.py

forward(params, grads, exp_avgs, exp_avg_sqs, steps, lr, beta1, beta2, weight_decay, eps) -> steps[0]
    params, grads, exp_avgs, exp_avg_sqs: lists of tensors of equal shapes (updated in place: params,
        exp_avgs, exp_avg_sqs)
    steps: list of float32 scalar tensors, each tensor's step count AFTER this update (t = 1 on the first)
    weight_decay: Adam's L2 term (grad + weight_decay * param); for AdamW decay the parameters before the call
Returns steps[0] (TorchScript methods must return a value).
"""
import os
from typing import List

import torch


class FusedAdamModule(torch.nn.Module):
    def forward(self, params: List[torch.Tensor], grads: List[torch.Tensor], exp_avgs: List[torch.Tensor],
                exp_avg_sqs: List[torch.Tensor], steps: List[torch.Tensor], lr: float, beta1: float, beta2: float,
                weight_decay: float, eps: float) -> torch.Tensor:
        no_max_exp_avg_sqs: List[torch.Tensor] = []
        with torch.no_grad():
            torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, no_max_exp_avg_sqs, steps, lr=lr,
                               beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False,
                               maximize=False)
        return steps[0]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    scripted = torch.jit.script(FusedAdamModule())
    path = os.path.join(here, "fused_adam.pt")
    scripted.save(path)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
