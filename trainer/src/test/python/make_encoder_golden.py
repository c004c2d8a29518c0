#!/usr/bin/python3
"""Golden values for org.omnispark.trainer.encoder.EncoderGoldenTest, computed with plain PyTorch (torch 1.13).

Run from the repository root:  /usr/bin/python3 trainer/src/test/python/make_encoder_golden.py
Writes trainer/src/test/resources/golden/encoder/<case>/*.bin (float32, little-endian, row-major) and
<case>/golden.json (config, tensor shapes).

The components are written here from their definitions (WeNet-like semantics), independently of the Java code:

  rel attention  q = x Wq + bq -> [B, T, H, dk]; k, v -> [B, H, T, dk]; p = pos_emb Wpos -> [1, H, T, dk]
                 scores = ((q + u) k^T + (q + v_bias) p^T) / sqrt(dk)      (no rel_shift, as WeNet)
                 attn = softmax(scores.masked_fill(~mask, -inf)).masked_fill(~mask, 0); out = (attn v) Wo + bo
  conv module    x *= pad; h = glu(x W1 + b1) * pad; depthwise conv1d over time (causal: K-1 zeros on the left;
                 else (K-1)/2 on both sides); h = (swish(LN(h)) W2 + b2) * pad
  conformer      x += 0.5 FF1(LN(x)); x += MHSA(LN(x)); x += Conv(LN(x)); x += 0.5 FF2(LN(x)); x = LN(x)
                 FF(x) = swish(x W1 + b1) W2 + b2; LayerNorm eps 1e-5
  subsampling    x [B, T, F] -> [B, 1, T, F] -> relu(conv2d 3x3 s2) -> relu(conv2d 3x3 s2) -> [B, d, T', F']
                 -> [B, T', d * F'] (channel-major, as WeNet) -> Linear -> * sqrt(d)   (rel_pos: pe returned apart)
  loss           sum(out * proj) -> gradients of the inputs (x, pos_emb)

Everything is computed in float64 from float32-representable values and stored as float32. Linear weights are
stored in the Java layout (input-major, [in, out] = PyTorch's weight.T); the depthwise weight as PyTorch's [d, 1, K].
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "encoder")


def rounded(t):
    return t.float().double()


def rand(*shape, scale=1.0):
    return rounded(torch.randn(*shape, dtype=torch.float64) * scale)


class Writer:
    def __init__(self, name):
        self.folder = os.path.join(OUT, name)
        os.makedirs(self.folder, exist_ok=True)
        self.tensors = {}

    def put(self, name, t):
        t = t.detach().to(torch.float32).contiguous()
        with open(os.path.join(self.folder, name + ".bin"), "wb") as f:
            f.write(t.numpy().astype("<f4").tobytes())
        self.tensors[name] = list(t.shape)

    def finish(self, config):
        with open(os.path.join(self.folder, "golden.json"), "w") as f:
            json.dump({"config": config, "tensors": self.tensors}, f, indent=1, sort_keys=True)


def linear_params(w, name, d_in, d_out, bias=True):
    """Java-layout weight [in, out] (and bias [out]), registered with the writer."""
    weight = rand(d_in, d_out, scale=1 / math.sqrt(d_in))
    w.put(name + ".weight", weight)
    b = None
    if bias:
        b = rand(d_out, scale=0.1)
        w.put(name + ".bias", b)
    return weight, b


def apply_linear(x, p):
    y = x @ p[0]
    return y if p[1] is None else y + p[1]


def rel_attention(x, pos_emb, mask, p, heads):
    B, T, d = x.shape
    dk = d // heads
    q = apply_linear(x, p["q"]).view(B, T, heads, dk)
    k = apply_linear(x, p["k"]).view(B, T, heads, dk).transpose(1, 2)
    v = apply_linear(x, p["v"]).view(B, T, heads, dk).transpose(1, 2)
    pp = apply_linear(pos_emb, p["pos"]).view(1, -1, heads, dk).transpose(1, 2)
    ac = (q + p["u"]).transpose(1, 2) @ k.transpose(-2, -1)
    bd = (q + p["vb"]).transpose(1, 2) @ pp.transpose(-2, -1)
    scores = (ac + bd) / math.sqrt(dk)
    m = mask.unsqueeze(1)  # [B, 1, T1, T2]
    attn = torch.softmax(scores.masked_fill(~m, float("-inf")), dim=-1).masked_fill(~m, 0.0)
    ctx = (attn @ v).transpose(1, 2).reshape(B, T, d)
    return apply_linear(ctx, p["out"])


def attention_params(w, prefix, d, heads):
    p = {}
    for key, name in [("q", "linear_q"), ("k", "linear_k"), ("v", "linear_v"), ("out", "linear_out")]:
        p[key] = linear_params(w, prefix + name, d, d)
    p["pos"] = linear_params(w, prefix + "linear_pos", d, d, bias=False)
    p["u"] = rand(heads, d // heads, scale=0.3)
    p["vb"] = rand(heads, d // heads, scale=0.3)
    w.put(prefix + "pos_bias_u", p["u"])
    w.put(prefix + "pos_bias_v", p["vb"])
    return p


def sinusoid(T, d):
    pe = torch.zeros(T, d, dtype=torch.float64)
    pos = torch.arange(T, dtype=torch.float64).unsqueeze(1)
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * -(math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return rounded(pe.unsqueeze(0))


def pad_mask(lengths, T):
    return torch.arange(T).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)  # [B, T]


def chunk_mask(T, chunk):
    m = torch.zeros(T, T, dtype=torch.bool)
    for i in range(T):
        m[i, : min((i // chunk + 1) * chunk, T)] = True
    return m


def make_rel_attention():
    torch.manual_seed(11)
    B, T, d, H = 2, 6, 8, 2
    lengths = [6, 4]
    w = Writer("rel_attention")
    p = attention_params(w, "attn.", d, H)
    x = rand(B, T, d).requires_grad_(True)
    pos_emb = rand(1, T, d).requires_grad_(True)
    mask = pad_mask(lengths, T).unsqueeze(1) & chunk_mask(T, 4).unsqueeze(0)  # [B, T, T]
    out = rel_attention(x, pos_emb, mask, p, H)
    proj = rand(B, T, d)
    (out * proj).sum().backward()
    w.put("x", x)
    w.put("pos_emb", pos_emb)
    w.put("mask", mask.double())
    w.put("proj", proj)
    w.put("out", out)
    w.put("grad_x", x.grad)
    w.put("grad_pos_emb", pos_emb.grad)
    w.finish(dict(batch=B, time=T, d=d, heads=H, lengths=lengths, chunk=4))


def layer_norm(x, w, b):
    return F.layer_norm(x, (x.shape[-1],), w, b, eps=1e-5)


def norm_params(w, name, d):
    g = rounded(1 + 0.1 * torch.randn(d, dtype=torch.float64))
    b = rand(d, scale=0.1)
    w.put(name + ".weight", g)
    w.put(name + ".bias", b)
    return g, b


def conv_module(x, pad, p, kernel, causal):
    keep = pad.transpose(1, 2).double()  # [B, T, 1]
    h = x * keep
    h = F.glu(apply_linear(h, p["pw1"]), dim=-1) * keep
    h = h.transpose(1, 2)  # [B, d, T]
    if causal:
        h = F.pad(h, (kernel - 1, 0))
        h = F.conv1d(h, p["dw"], p["dwb"], groups=h.shape[1])
    else:
        h = F.conv1d(h, p["dw"], p["dwb"], padding=(kernel - 1) // 2, groups=h.shape[1])
    h = h.transpose(1, 2)
    h = F.silu(layer_norm(h, *p["norm"]))
    return apply_linear(h, p["pw2"]) * keep


def feed_forward(x, p):
    return apply_linear(F.silu(apply_linear(x, p[0])), p[1])


def make_conformer_layer(name, causal, lengths, chunk, seed):
    torch.manual_seed(seed)
    B, T, d, H, ffn, K = len(lengths), 7, 8, 2, 16, 5
    w = Writer(name)
    ff1 = (linear_params(w, "ffn1.w1", d, ffn), linear_params(w, "ffn1.w2", ffn, d))
    att = attention_params(w, "attn.", d, H)
    conv = {"pw1": linear_params(w, "conv.pointwise_conv1", d, 2 * d)}
    conv["dw"] = rand(d, 1, K, scale=1 / math.sqrt(K))
    conv["dwb"] = rand(d, scale=0.1)
    w.put("conv.depthwise_conv.weight", conv["dw"])
    w.put("conv.depthwise_conv.bias", conv["dwb"])
    conv["norm"] = norm_params(w, "conv.norm", d)
    conv["pw2"] = linear_params(w, "conv.pointwise_conv2", d, d)
    ff2 = (linear_params(w, "ffn2.w1", d, ffn), linear_params(w, "ffn2.w2", ffn, d))
    norms = {n: norm_params(w, "norm_" + n, d) for n in ["ff_macaron", "mha", "conv", "ff", "final"]}

    x = rand(B, T, d).requires_grad_(True)
    pos_emb = sinusoid(T, d)
    pad = pad_mask(lengths, T).unsqueeze(1)  # [B, 1, T]
    mask = pad & (chunk_mask(T, chunk).unsqueeze(0) if chunk > 0 else torch.ones(1, T, T, dtype=torch.bool))
    h = x + 0.5 * feed_forward(layer_norm(x, *norms["ff_macaron"]), ff1)
    h = h + rel_attention(layer_norm(h, *norms["mha"]), pos_emb, mask, att, H)
    h = h + conv_module(layer_norm(h, *norms["conv"]), pad, conv, K, causal)
    h = h + 0.5 * feed_forward(layer_norm(h, *norms["ff"]), ff2)
    out = layer_norm(h, *norms["final"])
    proj = rand(B, T, d)
    (out * proj).sum().backward()
    w.put("x", x)
    w.put("pos_emb", pos_emb)
    w.put("mask", mask.double())
    w.put("pad", pad.double())
    w.put("proj", proj)
    w.put("out", out)
    w.put("grad_x", x.grad)
    w.finish(dict(batch=B, time=T, d=d, heads=H, ffn=ffn, kernel=K, causal=causal, lengths=lengths, chunk=chunk))


def make_subsampling():
    torch.manual_seed(31)
    B, T, F_in, d = 2, 15, 12, 4
    w = Writer("subsampling4")
    c0 = rand(d, 1, 3, 3, scale=1 / 3)
    c0b = rand(d, scale=0.1)
    c1 = rand(d, d, 3, 3, scale=1 / 6)
    c1b = rand(d, scale=0.1)
    for name, t in [("conv0.weight", c0), ("conv0.bias", c0b), ("conv1.weight", c1), ("conv1.bias", c1b)]:
        w.put(name, t)
    f_out = ((F_in - 1) // 2 - 1) // 2
    out_linear = linear_params(w, "out", d * f_out, d)
    x = rand(B, T, F_in).requires_grad_(True)
    h = F.relu(F.conv2d(x.unsqueeze(1), c0, c0b, stride=2))
    h = F.relu(F.conv2d(h, c1, c1b, stride=2))  # [B, d, T', F']
    b, c, t, f = h.shape
    out = apply_linear(h.transpose(1, 2).reshape(b, t, c * f), out_linear) * math.sqrt(d)
    proj = rand(*out.shape)
    (out * proj).sum().backward()
    w.put("x", x)
    w.put("proj", proj)
    w.put("out", out)
    w.put("grad_x", x.grad)
    w.finish(dict(batch=B, time=T, features=F_in, d=d))


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    make_rel_attention()
    make_subsampling()
    make_conformer_layer("conformer_layer", causal=False, lengths=[7, 5], chunk=0, seed=21)
    make_conformer_layer("conformer_layer_causal", causal=True, lengths=[7, 6], chunk=3, seed=22)
    print("wrote", OUT)
