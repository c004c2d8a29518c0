#!/usr/bin/env python3
"""Projects an expert-parallel (and a data-parallel) training step onto GPU clusters: the tables of docs/scaling.md.

A first-order cost model, no overlap of communication with computation (OmniSpark overlaps nothing yet; the reference
paths are modelled without overlap too, so their times are upper bounds). Weak scaling: every rank keeps the same
tokens per step. Efficiency = the step's useful compute (perfectly balanced) / the step time.

Every constant is in CONSTANTS with where it comes from: this machine's benchmarks (docs/benchmarks.md), this
project's own routing statistics (docs/runs/issue11-experiment.tar.xz), a published figure (URL or repository and
path), or, where neither exists, an assumption that says so. Nothing here ran on a GPU.

    python3 expert-parallel/src/test/python/scaling_model.py                  # every table of docs/scaling.md
    python3 expert-parallel/src/test/python/scaling_model.py --alpha-ms 0.1   # one constant changed
    python3 expert-parallel/src/test/python/scaling_model.py omni=438325128,85573512,35180424,24,512,1,8
        # shapes as printed by org.omnispark.expertparallel.spark.ModelSizes (the old command line still works)

Only the standard library; the unit test beside it: python3 -m unittest discover -s expert-parallel/src/test/python
"""

import argparse
import math
import sys

# ---------------------------------------------------------------------------------------------------------------------
# Model shapes: (total params, active params, replicated params, MoE layers, d, top-k, experts), from OmniSpark's
# ParameterCount at a 5000-token vocabulary (java ... org.omnispark.expertparallel.spark.ModelSizes).
SHAPES = {
    "omni": ("Omni-router paper shape (paper_omni: Transformer 24 x d 512, 8 experts top-1, one shared router)",
             (438325128, 85573512, 35180424, 24, 512, 1, 8), "omni"),
    "u2pp": ("U2++ MoE-1B shape (u2pp_moe_1b: Conformer 12 x d 1024 + 3/3 decoder blocks, 8 experts top-2)",
             (1214145176, 458617496, 206774936, 30, 1024, 2, 8), "switch"),
}
TOKENS_PER_RANK = 24_000       # encoder frames after 4x subsampling per GPU per step (~16 min of audio): an assumption
BUCKET_BYTES = 16 << 20        # expert_parallel.bucket_mb (TrainConfig default 16)
DIRECT_REPLICA_GROUP = 8       # MeshParallelism.DIRECT_REPLICA_GROUP
GPU_COUNTS = [64, 128, 256, 512, 1024]

# Load imbalance: the busiest rank's expert load / the mean, mean over MoE layers, median over 3 seeds, with the
# contiguous placement (rank r of an expert-parallel group of P holds experts [r E/P, (r+1) E/P)). MEASURED on this
# project's runs: routing.json of papertiny_{omni,switch}_s{1,2,3}/eval/indomain (8 layers, 8 experts top-1, 5162
# held-out tokens; docs/runs/issue11-experiment.tar.xz). Eval-time routing over the whole set after 500 steps, not
# per training batch: a per-batch figure would be higher. No top-2 run exists: u2pp borrows the Switch figure.
IMBALANCE = {
    "omni": {1: 1.0, 2: 1.24, 4: 1.57, 8: 2.15},
    "switch": {1: 1.0, 2: 1.19, 4: 1.51, 8: 2.00},
}

# All-to-all / raw TCP (all pairs) throughput ratio by bytes per peer: median of every run in docs/benchmarks.md,
# "Exchange between rank processes vs raw TCP" (first run N=2 and N=4, the re-run N=2 and N=4) and "The exchange
# over TLS" (plain column), log-interpolated between the measured sizes.
A2A_RATIO = [(64 << 10, 0.32), (256 << 10, 0.48), (1 << 20, 0.67), (4 << 20, 0.88), (16 << 20, 0.40)]

CONSTANTS = {
    # --- this machine (2-core AMD EPYC VM, loopback TCP, no GPU), docs/benchmarks.md ---
    "here_gemm": (128.4e9, "FLOP/s", "measured: dense FFN forward+backward, `bench moe 4096 256 1024 8 21` "
                  "(Trainer: one MoE feed-forward layer vs dense)"),
    "here_gemm_expert": (109.0e9, "FLOP/s", "measured: MoE forward+backward, sequential experts, same benchmark row"),
    "here_tcp": (1.5e9, "B/s per rank", "measured: raw TCP, all pairs, 1-16 MiB per peer, N=2 (Exchange vs raw TCP)"),
    "here_ring_ratio": (0.34, "x raw one stream", "measured: all-reduce bus bandwidth / raw one stream, 16 MiB, N=2 "
                        "(0.13 at N=4 with 4 processes on 2 cores)"),
    "alpha": (1.2e-3, "s per exchange", "measured: rank 0's dispatch+combine time / 48 exchanges (12 MoE layers x 4), "
              "2-rank tiny_omni step, ~64 KB per peer (Training step: N = 1, 2, 4 ranks); the micro-benchmark's "
              "64 KiB row gives 0.55 ms (N=2), the 4-rank step 2.6 ms"),
    "ring_alpha": (0.55e-3, "s per exchange", "measured: all-reduce of 64 KiB at N=2, bus bandwidth 0.06 GB/s: 1.1 ms "
                   "for its 2 ring steps (Exchange vs raw TCP, run before small buffers took the gather, e0c617a); also used "
                   "for the small control gathers"),
    "tls_ratio": (0.31, "x plain", "measured: all-to-all over mutual TLS 1.3 / plain at 4 MiB per peer "
                  "(The exchange over TLS; 0.08 at 1 MiB)"),
    # --- published figures (checked; see docs/scaling.md for the quotes) ---
    "h100_peak": (989e12, "FLOP/s", "published: H100 SXM BF16 Tensor Core 1,979 TFLOPS with sparsity, half without "
                  "(NVIDIA H100 datasheet; Hopper whitepaper 989.4)"),
    "mfu": (0.40, "of peak", "published: Megatron-Core MoE 39.0% (Qwen2-57B-A14B) - 49.3% (Mixtral 8x22B) MFU on H100, "
            "arXiv 2504.14960; 245-276 TFLOP/s per H100 for Qwen3-235B (yanring/Megatron-MoE-ModelZoo "
            "best_practice/Qwen3/readme.md). Large d; the papers' d 512/1024 GEMMs: not measured"),
    "nvlink_a2a": (153e9, "B/s per GPU", "published: DeepEP intranode dispatch 153 / combine 158 GB/s, EP 8, H800 "
                   "NVLink (deepseek-ai/DeepEP docs/legacy.md); NCCL on H100: ~370 GB/s effective NVLink "
                   "(NVIDIA, nccl-tests#212)"),
    "ib_a2a": (43e9, "B/s per GPU", "published: DeepEP internode 43-58 GB/s, EP 16-64, H800 + CX7 400 Gb/s "
               "(deepseek-ai/DeepEP docs/legacy.md); NCCL alltoall tops at one NIC, 46-49 GB/s NDR "
               "(NVIDIA, nccl-tests#267, #290)"),
    "ib_ring": (46e9, "B/s bus bw", "published: NCCL over one NDR 400 Gb/s NIC per GPU, 46-48 GB/s "
                "(NVIDIA, nccl-tests#290)"),
    "nccl_alpha": (0.1e-3, "s per exchange", "published order: DeepEP low-latency dispatch 77 us / combine 114 us at "
                   "EP 8, H800 (deepseek-ai/DeepEP docs/legacy.md)"),
    # --- assumptions (no measurement, no published figure checked) ---
    "tcp": (12.5e9, "B/s per rank", "ASSUMED: raw TCP at 100 Gbit/s per GPU (line rate; no published TCP figure "
            "for GPU nodes was checked)"),
    "pcie": (25e9, "B/s", "ASSUMED: device <-> host copies from JVM direct buffers (the H100's PCIe Gen5 x16 is "
             "128 GB/s both directions together per the datasheet; pinned, pageable: not measured)"),
    "sync": (50e-6, "s per stall", "ASSUMED: GPU idle per host sync (the queue drains, kernels relaunch)"),
    "nccl_ring_alpha": (10e-6, "s per tree step", "ASSUMED: NCCL all-reduce latency, 2 log2 N steps per bucket"),
}


def const(name, overrides):
    return overrides.get(name, CONSTANTS[name][0])


def interpolate_ratio(bytes_per_peer):
    """The measured all-to-all / raw TCP ratio at this many bytes per peer (clamped at the measured ends)."""
    if bytes_per_peer <= A2A_RATIO[0][0]:
        return A2A_RATIO[0][1]
    for (b0, r0), (b1, r1) in zip(A2A_RATIO, A2A_RATIO[1:]):
        if bytes_per_peer <= b1:
            f = math.log(bytes_per_peer / b0) / math.log(b1 / b0)
            return r0 + f * (r1 - r0)
    return A2A_RATIO[-1][1]


def replica_peers(d):
    """Links a rank opens in its replica group of d (MeshParallelism.peers / LatencyCollectives.peers)."""
    if d <= DIRECT_REPLICA_GROUP:
        return d - 1
    peers = set()
    distance = 1
    while distance < d:
        peers.add(distance % d)
        peers.add((-distance) % d)
        distance *= 2
    peers.discard(0)
    return len(peers)


def replica_gather_steps(d):
    """Sequential exchanges of one all-gather in a replica group of d: one (direct) or ceil(log2 d) (Bruck)."""
    if d <= 1:
        return 0
    return 1 if d <= DIRECT_REPLICA_GROUP else math.ceil(math.log2(d))


def replica_reduce_steps(d):
    """Sequential exchanges of one all-reduce bucket in a replica group of d: recursive halving and doubling,
    2 log2 d, in a sparse power-of-two group (HalvingDoublingAllReduce), else the ring's 2 (d - 1)."""
    if d <= 1:
        return 0
    if d > DIRECT_REPLICA_GROUP and d & (d - 1) == 0:
        return 2 * int(math.log2(d))
    return 2 * (d - 1)


def groups(n, experts, p=None):
    p = min(n, experts) if p is None else p   # ExpertPlacement.resolve: expert_parallel_size 0 -> min(N, E)
    if n % p or experts % p:
        raise ValueError(f"expert_parallel_size {p} must divide {n} ranks and {experts} experts")
    return p, n // p


def fan_out(n, experts, p=None):
    """Links and transfer threads (a sender and a receiver per link, PeerLink) per rank, and a full mesh's."""
    p, d = groups(n, experts, p)
    links = (p - 1) + replica_peers(d)
    return {"P": p, "D": d, "links": links, "threads": 2 * links, "full_mesh": n - 1,
            "control_exchanges": (1 if p > 1 else 0) + replica_gather_steps(d),
            "ring_steps": 2 * (p - 1) + replica_reduce_steps(d)}


def step(shape, n, path, router, overrides=None, p=None, tokens=TOKENS_PER_RANK):
    """Seconds per step on the slowest rank, by cost.

    path: "here" (this machine, CPU), "omnispark" (OmniSpark as built: TCP, host staging, fp32 rows, on GPUs),
    "nccl" (the same algorithm over NCCL/DeepEP: GPU-direct, bf16 rows). p=1 is data parallelism (no all-to-all).
    """
    o = overrides or {}
    total, active, replicated, moe_layers, d_model, k, experts = shape
    p, d = groups(n, experts, p)
    imb = o.get("imbalance", IMBALANCE[router][p]) if p > 1 else 1.0
    gpu = path != "here"
    if path == "here":
        rate, rate_expert = const("here_gemm", o), const("here_gemm_expert", o)
    else:
        rate = rate_expert = const("h100_peak", o) * const("mfu", o)
    expert_active = active - replicated       # the top-k experts' weights a token meets, over all MoE layers
    c = {}
    c["compute"] = 6 * replicated * tokens / rate + 6 * expert_active * tokens / rate_expert
    c["imbalance"] = (imb - 1) * 6 * expert_active * tokens / rate_expert

    # all-to-all: dispatch and combine, forward and backward: 4 per MoE layer; the busiest rank moves imb x the mean
    row_bytes = 4 if path != "nccl" else 2
    sent = k * tokens * d_model * row_bytes   # rows of one exchange, this rank's own included
    if p > 1:
        per_peer = imb * sent / p
        if path == "nccl":
            bandwidth, alpha = const("nvlink_a2a", o), const("nccl_alpha", o)   # P <= 8: one NVLink node
        else:
            raw = const("here_tcp" if path == "here" else "tcp", o)
            bandwidth = raw * interpolate_ratio(per_peer) * (const("tls_ratio", o) if o.get("tls") else 1.0)
            alpha = const("alpha", o)
        c["all-to-all"] = 4 * moe_layers * (alpha + imb * sent * (p - 1) / p / bandwidth)
    else:
        c["all-to-all"] = 0.0

    # control collectives: per MoE layer and forward, the routing counts all-gathered in the expert-parallel group,
    # then the groups' totals in the replica group (AllToAllTokenDispatcher.dispatch); plus per step the batch-size
    # agreement, the gradient norm and the parameter checksum in the world (grid: EP part + replica part)
    if path == "nccl":
        alpha_ctl = const("nccl_alpha", o)
        per_layer = 1 if p > 1 else 0                      # Megatron exchanges its counts inside the EP group
        c["control"] = moe_layers * per_layer * alpha_ctl
    else:
        alpha_ctl = const("ring_alpha", o)
        per_layer = (1 if p > 1 else 0) + replica_gather_steps(d)
        world = (1 if p > 1 else 0) + replica_gather_steps(d)
        c["control"] = (moe_layers * per_layer + 3 * world) * alpha_ctl

    # host syncs: the routing counts read on the host once per MoE layer (both paths: Megatron's dropless all-to-all
    # dispatcher syncs too); OmniSpark also copies every exchanged tensor to the host (a synchronous copy) 4x per layer
    syncs = moe_layers * (1 + (4 if path == "omnispark" and p > 1 else 0)) if gpu else 0
    c["host syncs"] = syncs * const("sync", o)

    # device <-> host staging (OmniSpark on GPUs): exchanged rows down and up, 4 exchanges per layer; the gradients
    # all-reduced go down and come back up
    expert_local = (total - replicated) / p     # the expert weights this rank holds
    if path == "omnispark":
        pcie = const("pcie", o)
        rows = 4 * moe_layers * 2 * imb * sent if p > 1 else 0.0
        grads = 2 * 4 * (replicated + (expert_local if d > 1 else 0)) if n > 1 else 0.0
        c["staging"] = (rows + grads) / pcie
    else:
        c["staging"] = 0.0

    # gradient all-reduce: replicated parameters over the world (hierarchical: ring in the EP group around the
    # replica group's all-reduce, GridProcessGroup), experts among their D replicas; the replica group runs the ring,
    # or recursive halving and doubling when it is sparse and a power of two; float32, 16 MiB buckets
    rep_bytes, exp_bytes = 4 * replicated, 4 * expert_local
    if path == "nccl":
        ring, nalpha = const("ib_ring", o), const("nccl_ring_alpha", o)
        ar = 2 * (n - 1) / n * rep_bytes / ring + math.ceil(rep_bytes / BUCKET_BYTES) * 2 * math.log2(n) * nalpha
        if d > 1:
            ar += 2 * (d - 1) / d * exp_bytes / ring + math.ceil(exp_bytes / BUCKET_BYTES) * 2 * math.log2(d) * nalpha
    else:
        raw = const("here_tcp" if path == "here" else "tcp", o)
        ring = raw * const("here_ring_ratio", o)
        alpha = const("ring_alpha", o)
        ar = 0.0
        if n > 1:
            moved = 2 * (p - 1) / p + 2 * (d - 1) / (d * p)
            steps = 2 * (p - 1) + replica_reduce_steps(d)
            ar += moved * rep_bytes / ring + math.ceil(rep_bytes / BUCKET_BYTES) * steps * alpha
        if d > 1:
            ar += 2 * (d - 1) / d * exp_bytes / ring + math.ceil(exp_bytes / BUCKET_BYTES) * replica_reduce_steps(d) * alpha
    c["all-reduce"] = ar
    c["step"] = sum(v for key, v in c.items())
    c["efficiency"] = c["compute"] / c["step"]
    c["dominates"] = max((key for key in c if key not in ("step", "efficiency")), key=lambda key: c[key])
    return c


def fmt(seconds):
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def breakdown_table(name, shape, router, path, ranks, overrides, out):
    total, active, replicated = shape[:3]
    out(f"\n{name}: {total / 1e6:.0f}M parameters, {active / 1e6:.0f}M active, {replicated / 1e6:.0f}M replicated; "
        f"{TOKENS_PER_RANK} tokens per rank per step\n")
    cols = ["compute", "imbalance", "all-to-all", "control", "host syncs", "staging", "all-reduce"]
    out("| ranks | P x D | " + " | ".join(f"{c} (s)" for c in cols) + " | step (s) | efficiency | dominates |")
    out("|---" * (len(cols) + 6) + "|")
    for n in ranks:
        c = step(shape, n, path, router, overrides)
        p, d = groups(n, shape[6])
        out(f"| {n} | {p} x {d} | " + " | ".join(fmt(c[k]) for k in cols)
            + f" | {fmt(c['step'])} | {c['efficiency']:.0%} | {c['dominates']} |")


def fan_out_table(experts, ranks, out):
    out("| ranks N | P x D | links per rank (threads) | full mesh | control exchanges per MoE layer | "
        "sequential steps per all-reduce bucket (replicated / experts) |")
    out("|---|---|---|---|---|---|")
    for n in ranks:
        f = fan_out(n, experts)
        out(f"| {n} | {f['P']} x {f['D']} | {f['links']} ({f['threads']}) | {f['full_mesh']} | "
            f"{f['control_exchanges']} | {f['ring_steps']} / {replica_reduce_steps(f['D'])} |")


def overlapped(c):
    """The step with the gradient all-reduce hidden behind the backward pass (2/3 of the compute), as DDP does."""
    hidden = min(c["all-reduce"], 2 / 3 * c["compute"])
    return c["step"] - hidden


def comparison_table(name, shape, router, ranks, overrides, out):
    out(f"\n{name}: step (s) and efficiency, same tokens per GPU\n")
    out("| GPUs | EP, OmniSpark (TCP, host staging) | DP, OmniSpark (P = 1) | EP over NCCL/DeepEP | DDP over NCCL | "
        "DDP over NCCL, all-reduce overlapped | EP/NCCL: dominates |")
    out("|---|---|---|---|---|---|---|")
    for n in ranks:
        ep_os = step(shape, n, "omnispark", router, overrides)
        dp_os = step(shape, n, "omnispark", router, overrides, p=1)
        ep_nc = step(shape, n, "nccl", router, overrides)
        dp_nc = step(shape, n, "nccl", router, overrides, p=1)
        cells = [f"{fmt(c['step'])} ({c['efficiency']:.0%})" for c in (ep_os, dp_os, ep_nc, dp_nc)]
        t = overlapped(dp_nc)
        cells.append(f"{fmt(t)} ({dp_nc['compute'] / t:.0%})")
        out(f"| {n} | " + " | ".join(cells) + f" | {ep_nc['dominates']} |")


SCENARIOS = [
    ("as built (the constants above)", {}),
    ("fixed costs 0.1 ms (ASSUMED dedicated cores)", {"alpha": 0.1e-3, "ring_alpha": 0.1e-3}),
    ("... and raw TCP 50 GB/s per GPU (ASSUMED 400 Gbit/s)", {"alpha": 0.1e-3, "ring_alpha": 0.1e-3, "tcp": 50e9}),
    ("... and no imbalance (max/mean 1.0)", {"alpha": 0.1e-3, "ring_alpha": 0.1e-3, "tcp": 50e9, "imbalance": 1.0}),
    ("as built, exchange over TLS", {"tls": True}),
]


def sensitivity_table(name, shape, router, ranks, overrides, out):
    out(f"\n{name}: OmniSpark's EP step (s) and efficiency when one constant changes\n")
    out("| scenario | " + " | ".join(f"{n} GPUs" for n in ranks) + " |")
    out("|---" * (len(ranks) + 1) + "|")
    for label, changed in SCENARIOS:
        cells = []
        for n in ranks:
            c = step(shape, n, "omnispark", router, {**overrides, **changed})
            cells.append(f"{fmt(c['step'])} ({c['efficiency']:.0%}, {c['dominates']})")
        out(f"| {label} | " + " | ".join(cells) + " |")


def constants_table(out):
    out("| constant | value | source |")
    out("|---|---|---|")
    for key, (value, unit, source) in CONSTANTS.items():
        if value >= 1e12:
            shown = f"{value / 1e12:g} T{unit}"
        elif value >= 1e6:
            shown = f"{value / 1e9:g} G{unit}"
        else:
            shown = f"{value * 1e3:g} m{unit}" if unit.startswith("s") else f"{value:g} {unit}"
        out(f"| `{key}` | {shown} | {source} |")


def imbalance_table(out):
    out("| router (run) | P = 2 | P = 4 | P = 8 |")
    out("|---|---|---|---|")
    for router, run in (("omni", "papertiny_omni"), ("switch", "papertiny_switch")):
        out(f"| {router} ({run}_s1-3) | " + " | ".join(f"{IMBALANCE[router][p]:.2f}" for p in (2, 4, 8)) + " |")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shapes", nargs="*", help="name=total,active,replicated,moe_layers,d,k,experts "
                        "(name omni or u2pp), as printed by ModelSizes")
    parser.add_argument("--alpha-ms", type=float, help="OmniSpark's fixed cost per all-to-all (ms)")
    parser.add_argument("--ring-alpha-ms", type=float, help="OmniSpark's fixed cost per ring step or small gather (ms)")
    parser.add_argument("--tcp-gbs", type=float, help="raw TCP per rank on the cluster (GB/s)")
    parser.add_argument("--pcie-gbs", type=float, help="device <-> host copy rate (GB/s)")
    parser.add_argument("--mfu", type=float, help="achieved fraction of the H100's dense bf16 peak")
    parser.add_argument("--imbalance", type=float, help="busiest rank's expert load / mean (replaces the measured)")
    parser.add_argument("--tls", action="store_true", help="OmniSpark's exchange over mutual TLS")
    parser.add_argument("--section", choices=["all", "constants", "fanout", "here", "cluster", "compare",
                                                  "sensitivity"],
                        default="all")
    args = parser.parse_args(argv)
    overrides = {}
    for flag, key, scale in (("alpha_ms", "alpha", 1e-3), ("ring_alpha_ms", "ring_alpha", 1e-3),
                             ("tcp_gbs", "tcp", 1e9), ("pcie_gbs", "pcie", 1e9), ("mfu", "mfu", 1.0),
                             ("imbalance", "imbalance", 1.0)):
        if getattr(args, flag) is not None:
            overrides[key] = getattr(args, flag) * scale
    if args.tls:
        overrides["tls"] = True
    shapes = dict(SHAPES)
    for arg in args.shapes:
        key, _, values = arg.partition("=")
        if key not in SHAPES:
            parser.error(f"unknown shape {key!r}: omni or u2pp")
        numbers = tuple(int(float(x)) for x in values.split(","))
        if len(numbers) != 7:
            parser.error(f"{key} needs 7 numbers")
        shapes[key] = (SHAPES[key][0], numbers, SHAPES[key][2])
    return args, overrides, shapes


def main(argv=None, out=print):
    args, overrides, shapes = parse(sys.argv[1:] if argv is None else argv)
    sections = {args.section} if args.section != "all" else {"constants", "fanout", "here", "cluster", "compare",
                                                                      "sensitivity"}
    if "constants" in sections:
        out("### Constants\n")
        constants_table(out)
        out("\n### Load imbalance: busiest rank's expert load / mean (measured, eval-time routing)\n")
        imbalance_table(out)
    if "fanout" in sections:
        out("\n### Connections and sequential steps per rank (E = 8)\n")
        fan_out_table(8, [2, 4, 8] + GPU_COUNTS, out)
    if "here" in sections:
        out("\n### This machine's constants (2 cores, loopback, CPU), 2-8 ranks")
        for name, shape, router in shapes.values():
            breakdown_table(name, shape, router, "here", [2, 4, 8], overrides, out)
    if "cluster" in sections:
        out("\n### OmniSpark as built on H100s (TCP, host staging, float32 rows), 64-1024 GPUs")
        for name, shape, router in shapes.values():
            breakdown_table(name, shape, router, "omnispark", GPU_COUNTS, overrides, out)
    if "compare" in sections:
        out("\n### Against NCCL/DeepEP and against data parallelism")
        for name, shape, router in shapes.values():
            comparison_table(name, shape, router, GPU_COUNTS, overrides, out)
    if "sensitivity" in sections:
        out("\n### What moves OmniSpark's numbers")
        for name, shape, router in shapes.values():
            sensitivity_table(name, shape, router, [64, 1024], overrides, out)


if __name__ == "__main__":
    main()
