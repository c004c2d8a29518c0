#!/usr/bin/python3
"""Makes ctc_loss.pt, the TorchScript module behind org.omnispark.trainer.ctc.CtcLoss.

DJL exposes no CTC loss, but libtorch has one. This script scripts a module that calls
torch.nn.functional.ctc_loss and saves it; DJL's libtorch loads it with JniUtils.loadModule and runs
libtorch's own forward and backward kernels (TorchScript needs the Python source, so this must be a .py file).

Run from the repository root with Debian's torch 1.13:
    /usr/bin/python3 trainer/src/main/resources/org/omnispark/trainer/ctc/make_ctc_module.py

Inputs of forward (shapes):
    log_probs       [T, B, V] float, log-softmaxed over V
    targets         [B, S] int64, padded label ids (padding values are ignored past target_lengths)
    input_lengths   [B] int64
    target_lengths  [B] int64
    blank           int64 scalar tensor, the blank id (a tensor: DJL's trainable forward passes tensors only)
Output: per-utterance negative log-likelihood [B] (reduction none, zero_infinity true: impossible
alignments give 0 loss and 0 gradient).
"""
import os

import torch
import torch.nn.functional as F


class CtcLossModule(torch.nn.Module):
    def forward(self, log_probs: torch.Tensor, targets: torch.Tensor, input_lengths: torch.Tensor,
                target_lengths: torch.Tensor, blank: torch.Tensor) -> torch.Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=int(blank.item()),
                          reduction="none", zero_infinity=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    scripted = torch.jit.script(CtcLossModule())
    path = os.path.join(here, "ctc_loss.pt")
    scripted.save(path)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
