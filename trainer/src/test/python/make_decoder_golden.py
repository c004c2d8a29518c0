#!/usr/bin/python3
"""Golden values for org.omnispark.trainer.decoder.DecoderGoldenTest, computed with plain PyTorch (torch 1.13).

Run from the repository root:  /usr/bin/python3 trainer/src/test/python/make_decoder_golden.py
Writes trainer/src/test/resources/golden/decoder/*.bin (little-endian float32 / int64, row-major) + golden.json.

1. One pre-LN Transformer decoder layer (U2++ / WeNet DecoderLayer semantics, written here from the definition):
     mha(q_in, kv_in, mask): q = q_in Wq + bq, k = kv_in Wk + bk, v = kv_in Wv + bv, split into H heads of dk = d / H,
         scores = q k^T / sqrt(dk), masked positions -> -inf, softmax, masked positions -> 0, merge heads, out Wo + bo
     x = tgt + mha(ln1(tgt), ln1(tgt), causal & key-padding mask)
     x = x   + mha(ln2(x), memory, memory-padding mask)
     y = x   + relu(ln3(x) W1 + b1) W2 + b2
   LayerNorm eps 1e-5 with non-trivial gamma/beta. Loss = sum(y * proj); gradients of tgt and memory.
   Weights are stored input-major ([in, out]: the Java layout, PyTorch's Linear.weight transposed).
2. Label-smoothing loss (WeNet semantics): smoothing 0.1, ignore_id -1, normalized by batch:
     q = 0.9 at the target, 0.1 / (V - 1) elsewhere; loss = sum over non-ignored positions of
     KL(q || softmax(logits)) / B; plus its gradient with respect to the logits.
All maths in float64 from float32-representable values.
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "decoder")
META = {}


def save(name, tensor):
    t = tensor.detach().contiguous()
    if t.dtype in (torch.int64, torch.int32, torch.bool):
        array, dtype = t.to(torch.int64).numpy(), "int64"
    else:
        array, dtype = t.to(torch.float32).numpy(), "float32"
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(array.astype(array.dtype.newbyteorder("<")).tobytes())
    META[name] = {"shape": list(t.shape), "dtype": dtype}


def r(*shape, scale=1.0):
    """float32-representable random values held in float64."""
    return (torch.randn(*shape) * scale).float().double()


def layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + 1e-5) * gamma + beta


def mha(q_in, kv_in, mask, w, heads):
    B, L, d = q_in.shape
    S = kv_in.shape[1]
    dk = d // heads
    q = (q_in @ w["q_w"] + w["q_b"]).view(B, L, heads, dk).transpose(1, 2)
    k = (kv_in @ w["k_w"] + w["k_b"]).view(B, S, heads, dk).transpose(1, 2)
    v = (kv_in @ w["v_w"] + w["v_b"]).view(B, S, heads, dk).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(dk)                     # [B, H, L, S]
    m = mask.unsqueeze(1)                                                 # [B, 1, L or 1, S]
    attn = torch.softmax(scores.masked_fill(~m, float("-inf")), dim=-1).masked_fill(~m, 0.0)
    ctx = (attn @ v).transpose(1, 2).reshape(B, L, d)
    return ctx @ w["o_w"] + w["o_b"]


def attention_weights(prefix, d):
    w = {}
    for p in ("q", "k", "v", "o"):
        w[p + "_w"] = r(d, d, scale=1 / math.sqrt(d))
        w[p + "_b"] = r(d, scale=0.1)
        save(prefix + p + "_w", w[p + "_w"])
        save(prefix + p + "_b", w[p + "_b"])
    return w


def decoder_layer():
    B, L, S, d, H, F = 2, 5, 7, 8, 2, 16
    ys_lens = torch.tensor([5, 3])
    mem_lens = torch.tensor([7, 4])
    self_w = attention_weights("self_", d)
    src_w = attention_weights("src_", d)
    norms = []
    for i in range(1, 4):
        g, b = 1 + r(d, scale=0.1), r(d, scale=0.1)
        save("norm%d_gamma" % i, g)
        save("norm%d_beta" % i, b)
        norms.append((g, b))
    w1, b1 = r(d, F, scale=1 / math.sqrt(d)), r(F, scale=0.1)
    w2, b2 = r(F, d, scale=1 / math.sqrt(F)), r(d, scale=0.1)
    for name, t in (("ffn_w1", w1), ("ffn_b1", b1), ("ffn_w2", w2), ("ffn_b2", b2)):
        save(name, t)
    tgt = r(B, L, d).requires_grad_(True)
    memory = r(B, S, d).requires_grad_(True)
    proj = r(B, L, d)
    pos = torch.arange(L)
    tgt_mask = (pos.unsqueeze(0) < ys_lens.unsqueeze(1)).unsqueeze(1) & (pos.unsqueeze(0) <= pos.unsqueeze(1))
    mem_mask = (torch.arange(S).unsqueeze(0) < mem_lens.unsqueeze(1)).unsqueeze(1)

    x = tgt + mha(layer_norm(tgt, *norms[0]), layer_norm(tgt, *norms[0]), tgt_mask, self_w, H)
    h = layer_norm(x, *norms[1])
    x = x + mha(h, memory, mem_mask, src_w, H)
    y = x + torch.relu(layer_norm(x, *norms[2]) @ w1 + b1) @ w2 + b2
    (y * proj).sum().backward()
    save("tgt", tgt)
    save("memory", memory)
    save("proj", proj)
    save("ys_lens", ys_lens)
    save("mem_lens", mem_lens)
    save("out", y)
    save("grad_tgt", tgt.grad)
    save("grad_memory", memory.grad)
    return {"batch": B, "length": L, "memory_length": S, "d": d, "heads": H, "ffn": F, "eps": 1e-5}


def label_smoothing():
    B, L, V = 2, 4, 7
    smoothing = 0.1
    logits = r(B, L, V, scale=2.0).requires_grad_(True)
    target = torch.tensor([[3, 1, 6, 2], [5, 0, -1, -1]])
    flat_logits = logits.view(-1, V)
    flat_target = target.view(-1)
    ignore = flat_target == -1
    q = torch.full_like(flat_logits, smoothing / (V - 1))
    q.scatter_(1, flat_target.masked_fill(ignore, 0).unsqueeze(1), 1 - smoothing)
    kl = torch.nn.functional.kl_div(torch.log_softmax(flat_logits, dim=1), q, reduction="none")
    loss = kl.masked_fill(ignore.unsqueeze(1), 0).sum() / B
    loss.backward()
    save("ls_logits", logits)
    save("ls_target", target)
    save("ls_loss", loss.reshape(1))
    save("ls_grad_logits", logits.grad)
    return {"vocab": V, "smoothing": smoothing, "ignore_id": -1, "loss": loss.item()}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(11)
    layer = decoder_layer()
    ls = label_smoothing()
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump({"torch": torch.__version__, "layer": layer, "label_smoothing": ls, "tensors": META}, f, indent=1)
    print("label smoothing loss", ls["loss"])


if __name__ == "__main__":
    main()
