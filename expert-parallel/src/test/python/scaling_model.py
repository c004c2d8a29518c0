#!/usr/bin/env python3
"""Projects OmniSpark's expert-parallel step time onto GPU clusters (docs/scaling.md).

A first-order cost model whose constants come from docs/benchmarks.md (measured on this project's 2-core machine)
and from stated GPU-cluster assumptions. No communication is overlapped with compute (OmniSpark does not overlap yet).
Weak scaling: every rank keeps the same tokens per step; efficiency = compute time / step time.

    python3 expert-parallel/src/test/python/scaling_model.py            # prints the Markdown tables
"""

import math

# Model shapes. Parameter counts from OmniSpark's ParameterCount (vocabulary 5000), printed by
#   java -cp ... org.omnispark.expertparallel.spark.ModelSizes   (see docs/benchmarks.md)
SHAPES = {
    # name: (total params, active params, replicated params, MoE layers, d, top-k, experts)
    "Omni-router paper shape (paper_omni: Transformer 24 x d512, 8 experts top-1)": None,
    "U2++ MoE-1B shape (u2pp_moe_1b: Conformer 12 x d1024, 8 experts top-2, MoE decoder)": None,
}

# Constants. Measured here (docs/benchmarks.md) and assumed for a GPU cluster.
MEASURED = {
    "gemm_flops": 155e9,      # libtorch fp32 GEMM pair, 2 cores
    "net_bytes_per_s": 1.2e9,  # all-to-all per rank at 1-4 MiB per peer on loopback
    "alpha_s": 1.0e-3,         # fixed cost of one all-to-all (64 KiB per peer)
    "pcie_bytes_per_s": None,  # no GPU
}
GPU = {
    "gemm_flops": 400e12,      # bf16, 40% of an H100/H200's ~990 TFLOP/s dense peak
    "net_bytes_per_s": 10e9,   # 100 Gbit/s per GPU at ~80% (the all-to-all / raw TCP ratio measured here)
    "alpha_s": 0.1e-3,         # dedicated cores, ~10 us network latency, thread hand-offs
    "pcie_bytes_per_s": 25e9,  # device <-> host staging of exchanged rows
}
TOKENS_PER_RANK = 24_000       # encoder frames after 4x subsampling per GPU per step (~16 min of audio)
BUCKET_BYTES = 16 << 20        # expert_parallel.bucket_mb


def step(shape, n, c, tokens=TOKENS_PER_RANK):
    total, active, replicated, moe_layers, d, k, experts = shape
    g = min(n, experts)                                  # ranks among which tokens travel
    compute = 6 * active * tokens / c["gemm_flops"]
    rows_bytes = k * tokens * d * 4                       # float32 rows of one exchange, all peers together
    per_exchange = c["alpha_s"] + rows_bytes * (g - 1) / g / c["net_bytes_per_s"]
    if c["pcie_bytes_per_s"]:
        per_exchange += 2 * rows_bytes * (g - 1) / g / c["pcie_bytes_per_s"]
    a2a = 4 * moe_layers * per_exchange if g > 1 else 0.0
    buckets = math.ceil(replicated * 4 / BUCKET_BYTES)
    allreduce = 0.0
    if n > 1:
        allreduce = 2 * (n - 1) / n * replicated * 4 / c["net_bytes_per_s"] + buckets * 2 * (n - 1) * c["alpha_s"]
        if c["pcie_bytes_per_s"]:
            allreduce += 2 * replicated * 4 / c["pcie_bytes_per_s"]
    if n > experts:                                      # expert replicas sum their gradients too
        expert_params = total - replicated
        allreduce += 2 * (n // experts - 1) / (n // experts) * expert_params / experts * 4 / c["net_bytes_per_s"]
    total_time = compute + a2a + allreduce
    return compute, a2a, allreduce, total_time


def table(name, shape, c, ranks):
    print(f"\n{name}: {shape[0] / 1e6:.0f}M parameters, {shape[1] / 1e6:.0f}M active, "
          f"{shape[2] / 1e6:.0f}M replicated; {TOKENS_PER_RANK} tokens per rank per step\n")
    print("| ranks | compute (s) | all-to-all (s) | all-reduce (s) | step (s) | efficiency | dominates |")
    print("|---|---|---|---|---|---|---|")
    for n in ranks:
        compute, a2a, allreduce, total = step(shape, n, c)
        parts = {"compute": compute, "all-to-all": a2a, "all-reduce": allreduce}
        print(f"| {n} | {compute:.3f} | {a2a:.3f} | {allreduce:.3f} | {total:.3f} | {compute / total:.0%} | "
              f"{max(parts, key=parts.get)} |")


if __name__ == "__main__":
    import sys
    sizes = dict(arg.split("=") for arg in sys.argv[1:])
    shapes = {
        "Omni-router paper shape (paper_omni)": tuple(float(x) for x in sizes.get(
            "omni", "0,0,0,24,512,1,8").split(",")),
        "U2++ MoE-1B shape (u2pp_moe_1b)": tuple(float(x) for x in sizes.get(
            "u2pp", "0,0,0,24,1024,2,8").split(",")),
    }
    print("## This machine's constants (2 cores, loopback), 2-8 ranks")
    for name, shape in shapes.items():
        table(name, shape, MEASURED, [2, 4, 8])
    print("\n## GPU cluster assumptions, 64-1024 ranks")
    for name, shape in shapes.items():
        table(name, shape, GPU, [8, 64, 128, 256, 512, 1024])
