#!/usr/bin/python3
"""Reference for org.omnispark.data.job.PrepareBenchmark: the per-file core of `prepare` done with torchaudio on
ONE thread: read each intact file of a corpus (torchaudio.load), downmix, resample to 16 kHz
(torchaudio.functional.resample, Hann window, width 6, rolloff 0.99), Kaldi fbank (80 bins, dither 0).
No Parquet, no tokenization, no Spark: a lower bound on the work, so the ratio flatters torchaudio.

    /usr/bin/python3 bench_torchaudio_prepare.py CORPUS_DIR [--limit N]

Prints a last line: RESULT seconds_audio=<float> wall_s=<float> cpu_s=<float> x_real_time_cpu=<float>
"""
import argparse
import json
import os
import time

import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi
import torchaudio.functional as F


def main():
    p = argparse.ArgumentParser()
    p.add_argument("corpus")
    p.add_argument("--limit", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    rows = [json.loads(l) for l in open(os.path.join(a.corpus, "truth.jsonl"))]
    rows = [r for r in rows if r["damage"] == "none"]
    if a.limit:
        rows = rows[: a.limit]
    seconds = 0.0
    w0, c0 = time.perf_counter(), time.process_time()
    for r in rows:
        wave, rate = torchaudio.load(os.path.join(a.corpus, r["audio_filepath"]))
        wave = wave.mean(dim=0, keepdim=True)
        if rate != 16000:
            wave = F.resample(wave, rate, 16000, lowpass_filter_width=6, rolloff=0.99)
        seconds += wave.shape[1] / 16000.0
        kaldi.fbank(wave * 32768.0, num_mel_bins=80, dither=0.0, energy_floor=0.0, sample_frequency=16000.0)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"torchaudio per-file pipeline: {len(rows)} files, {seconds:.1f} s audio, wall {wall:.2f} s, cpu {cpu:.2f} s")
    print(f"RESULT seconds_audio={seconds:.3f} wall_s={wall:.3f} cpu_s={cpu:.3f} x_real_time_cpu={seconds / cpu:.1f}")


if __name__ == "__main__":
    main()
