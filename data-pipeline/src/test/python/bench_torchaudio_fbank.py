#!/usr/bin/python3
"""Speed reference for org.omnispark.data.features.FbankBenchmark: torchaudio.compliance.kaldi.fbank on ONE
thread, on the same audio the Java benchmark used.

    /usr/bin/python3 bench_torchaudio_fbank.py AUDIO.raw [--sample-rate 16000] [--num-mel-bins 80] [--repeats 5]

AUDIO.raw: 16-bit signed little-endian mono PCM. The waveform is handed over in Kaldi's int16 scale, float32
(torchaudio's usual path), every option explicit (OmniSpark defaults, dither 0). One warm-up run, then
`repeats` timed runs. Prints human-readable lines and a last machine-readable line:
    RESULT x_real_time_median=<float> x_real_time_best=<float> x_real_time_cpu_median=<float> seconds_audio=<float>
           frames=<int>
(wall clock, and process CPU time, which is steadier on a shared machine).
"""
import argparse
import statistics
import time

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi


def main():
    p = argparse.ArgumentParser()
    p.add_argument("audio")
    p.add_argument("--sample-rate", type=float, default=16000.0)
    p.add_argument("--num-mel-bins", type=int, default=80)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    samples = np.fromfile(a.audio, dtype="<i2").astype(np.float32)
    wave = torch.from_numpy(samples).unsqueeze(0)
    seconds = len(samples) / a.sample_rate

    def run():
        return kaldi.fbank(wave, blackman_coeff=0.42, channel=-1, dither=0.0, energy_floor=0.0,
                           frame_length=25.0, frame_shift=10.0, high_freq=0.0, htk_compat=False, low_freq=20.0,
                           min_duration=0.0, num_mel_bins=a.num_mel_bins, preemphasis_coefficient=0.97,
                           raw_energy=True, remove_dc_offset=True, round_to_power_of_two=True,
                           sample_frequency=a.sample_rate, snip_edges=True, subtract_mean=False,
                           use_energy=False, use_log_fbank=True, use_power=True, vtln_high=-500.0,
                           vtln_low=100.0, vtln_warp=1.0, window_type="povey")

    feats = run()  # warm-up
    times = []
    cpu_times = []
    for _ in range(a.repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        feats = run()
        times.append(time.perf_counter() - t0)
        cpu_times.append(time.process_time() - c0)
    med = seconds / statistics.median(times)
    best = seconds / min(times)
    cpu_med = seconds / statistics.median(cpu_times)
    print(f"torchaudio {torch.__version__} kaldi.fbank, 1 thread: {seconds:.1f} s audio, "
          f"{feats.shape[0]} frames x {feats.shape[1]}, wall median {statistics.median(times) * 1000:.1f} ms, "
          f"process CPU median {statistics.median(cpu_times) * 1000:.1f} ms")
    print(f"RESULT x_real_time_median={med:.1f} x_real_time_best={best:.1f} x_real_time_cpu_median={cpu_med:.1f} "
          f"seconds_audio={seconds:.3f} frames={feats.shape[0]}")


if __name__ == "__main__":
    main()
