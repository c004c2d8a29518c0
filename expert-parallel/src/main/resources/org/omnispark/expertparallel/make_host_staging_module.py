#!/usr/bin/python3
"""Makes host_staging.pt, the TorchScript module behind org.omnispark.expertparallel.HostStaging.

DJL 0.35.1 copies a tensor between devices only synchronously (NDArray.toDevice -> torch::Tensor::to with
non_blocking=false) into pageable memory, and exposes neither Tensor.pin_memory() nor non_blocking copies nor CUDA
streams or events. libtorch has all three; this module reaches the first two:

    pinned(numel)                      a float32 host tensor in page-locked memory (needs a CUDA build of libtorch:
                                       a CPU-only build raises, and HostStaging then uses pageable memory)
    copy_into(dst, src, non_blocking)  dst.copy_(src, non_blocking): device -> pinned host, or host -> device, queued
                                       on the current CUDA stream without waiting when non_blocking and pinned
    wait(x)                            a blocking copy of one element of x to the host: it returns once every copy
                                       queued before it on x's device's current stream has finished (TorchScript has
                                       no torch.cuda.synchronize in a CPU build of torch, so this is how to wait)

TorchScript keeps the source; libtorch 2.7.1 compiles it when the module is loaded. Run from the repository root
with Debian's torch 1.13:
    /usr/bin/python3 expert-parallel/src/main/resources/org/omnispark/expertparallel/make_host_staging_module.py
"""
import os

import torch


class HostStaging(torch.nn.Module):
    @torch.jit.export
    def pinned(self, numel: int) -> torch.Tensor:
        return torch.empty([numel], dtype=torch.float32).pin_memory()

    @torch.jit.export
    def copy_into(self, dst: torch.Tensor, src: torch.Tensor, non_blocking: bool) -> torch.Tensor:
        return dst.copy_(src, non_blocking=non_blocking)

    @torch.jit.export
    def wait(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape([-1])[0:1].to(torch.device("cpu"))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    scripted = torch.jit.script(HostStaging())
    path = os.path.join(here, "host_staging.pt")
    scripted.save(path)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
