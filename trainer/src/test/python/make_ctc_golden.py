#!/usr/bin/python3
"""Golden values for org.omnispark.trainer.ctc.CtcLossGoldenTest, computed with plain PyTorch (torch 1.13).

Run from the repository root:  /usr/bin/python3 trainer/src/test/python/make_ctc_golden.py
Writes trainer/src/test/resources/golden/ctc/*.bin (little-endian, row-major) and golden.json.

The reference is WeNet's CTC loss, written here from its definition and computed in float64:
  log_probs = log_softmax(logits, dim=-1)                    logits [B, T, V] -> [T, B, V] for the loss
  nll[b]    = F.ctc_loss(..., blank=0, reduction="none", zero_infinity=True)
  loss      = sum(nll) / B
  grad      = d loss / d logits                              [B, T, V]
The batch holds a repeated label (needs a blank between), a short utterance, and an impossible one (target longer
than the input: zero_infinity makes its loss and gradient 0). Targets are padded with -1 (WeNet's ignore_id).
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "ctc")


def save(name, tensor, dtype, meta):
    array = tensor.detach().contiguous().to(dtype).numpy()
    path = os.path.join(OUT, name + ".bin")
    with open(path, "wb") as f:
        f.write(array.astype(array.dtype.newbyteorder("<")).tobytes())
    meta[name] = {"shape": list(tensor.shape), "dtype": "float32" if dtype == torch.float32 else "int64"}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(7)
    B, T, V = 3, 12, 6
    logits = (torch.randn(B, T, V) * 2).float().double().requires_grad_(True)
    targets = torch.tensor([[1, 2, 2, 3], [4, 5, -1, -1], [1, 2, 3, 4]], dtype=torch.long)
    input_lengths = torch.tensor([12, 7, 3], dtype=torch.long)
    target_lengths = torch.tensor([4, 2, 4], dtype=torch.long)

    log_probs = logits.log_softmax(-1).transpose(0, 1)  # [T, B, V]
    nll = F.ctc_loss(log_probs, targets.clamp(min=0), input_lengths, target_lengths, blank=0,
                     reduction="none", zero_infinity=True)
    loss = nll.sum() / B
    loss.backward()

    meta = {}
    save("logits", logits, torch.float32, meta)
    save("targets", targets, torch.int64, meta)
    save("input_lengths", input_lengths, torch.int64, meta)
    save("target_lengths", target_lengths, torch.int64, meta)
    save("nll", nll, torch.float32, meta)
    save("loss", loss.reshape(1), torch.float32, meta)
    save("grad_logits", logits.grad, torch.float32, meta)
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump({"torch": torch.__version__, "blank": 0, "tensors": meta,
                   "nll": nll.tolist(), "loss": loss.item()}, f, indent=1)
    print("nll", nll.tolist(), "loss", loss.item())


if __name__ == "__main__":
    main()
