#!/usr/bin/python3
"""Writes the golden fixtures for org.omnispark.data.features.FbankAgreementTest.

Reference: torchaudio.compliance.kaldi.fbank (Debian python3-torchaudio 0.13, torch 1.13), which follows
Kaldi's compute-fbank-feats. Run from anywhere with Debian's python3 (needs espeak-ng and sox on PATH):

    /usr/bin/python3 data-pipeline/src/test/python/make_fbank_golden.py

Outputs, in data-pipeline/src/test/resources/golden/fbank/:
  *.raw       input samples, 16-bit signed PCM little-endian, mono (the exact samples Java reads back)
  *.bin       reference features, float32 little-endian, row-major [num_frames, dim]
  cases.json  one entry per case: input file, offset and count of samples, every option (snake_case keys
              that org.omnispark.data.features.FbankOptions.fromMap reads), output file, shape, precision

Two cases (snip_edges false, input shorter than one window, which torchaudio refuses) build Kaldi's
reflected frames here and let torchaudio compute each frame on its own.

Every option is passed to torchaudio explicitly (dither 0, so the output is deterministic). The waveform is
given to torchaudio as int16 values (Kaldi's scale), which is what FbankOptions.input_scale = 32768 makes of
samples in [-1, 1). Most cases run torchaudio in float64 ("reference_dtype": "float64"): it is the same code
path, but without float32 FFT rounding noise, so the Java implementation (double internally) can be held to
a tight tolerance. One case ("speech_default_f32") runs torchaudio's usual float32 path to show how large
that noise is; the script prints the max difference between the two.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "resources", "golden", "fbank"))

TEXT = "The quick brown fox jumps over the lazy dog near seven quiet rivers."

# Every option of FbankOptions with OmniSpark's defaults (dither 0 for determinism).
DEFAULTS = {
    "sample_frequency": 16000.0,
    "frame_length_ms": 25.0,
    "frame_shift_ms": 10.0,
    "dither": 0.0,
    "preemphasis_coefficient": 0.97,
    "remove_dc_offset": True,
    "window_type": "povey",
    "round_to_power_of_two": True,
    "snip_edges": True,
    "num_mel_bins": 80,
    "low_freq": 20.0,
    "high_freq": 0.0,
    "energy_floor": 0.0,
    "use_energy": False,
    "raw_energy": True,
    "use_log_fbank": True,
    "use_power": True,
    "input_scale": 32768.0,
    "blackman_coeff": 0.42,
}


def speech(rate):
    """espeak-ng speech, resampled by sox to `rate` Hz, 16-bit mono (sox -D: no dither, so the output is
    repeatable); returns int16 numpy array."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "tts.wav")
        raw = os.path.join(tmp, "out.raw")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "190", "-w", wav, TEXT], check=True)
        subprocess.run(["sox", "-D", wav, "-r", str(rate), "-b", "16", "-c", "1", "-e", "signed-integer",
                        "-t", "raw", "-L", raw], check=True)
        return np.fromfile(raw, dtype="<i2")


def torchaudio_fbank(samples_int16, opts, dtype):
    wave = torch.tensor(samples_int16.astype(np.float64) * (opts["input_scale"] / 32768.0),
                        dtype=dtype).unsqueeze(0)
    return kaldi.fbank(
        wave,
        blackman_coeff=opts["blackman_coeff"],
        channel=-1,
        dither=opts["dither"],
        energy_floor=opts["energy_floor"],
        frame_length=opts["frame_length_ms"],
        frame_shift=opts["frame_shift_ms"],
        high_freq=opts["high_freq"],
        htk_compat=False,
        low_freq=opts["low_freq"],
        min_duration=0.0,
        num_mel_bins=opts["num_mel_bins"],
        preemphasis_coefficient=opts["preemphasis_coefficient"],
        raw_energy=opts["raw_energy"],
        remove_dc_offset=opts["remove_dc_offset"],
        round_to_power_of_two=opts["round_to_power_of_two"],
        sample_frequency=opts["sample_frequency"],
        snip_edges=opts["snip_edges"],
        subtract_mean=False,
        use_energy=opts["use_energy"],
        use_log_fbank=opts["use_log_fbank"],
        use_power=opts["use_power"],
        vtln_high=-500.0,
        vtln_low=100.0,
        vtln_warp=1.0,
        window_type=opts["window_type"],
    )


def kaldi_reflected_fbank(samples_int16, opts, dtype):
    """snip_edges=False for inputs shorter than one window, which torchaudio refuses: build each frame with
    Kaldi's ExtractWindow rule (start = f*S + S/2 - L/2; index -1 -> 0, -2 -> 1, n -> n-1, repeated), then let
    torchaudio compute each frame alone (one full window, snip_edges=True gives exactly that frame)."""
    n = len(samples_int16)
    length = int(opts["sample_frequency"] * 0.001 * opts["frame_length_ms"])
    shift = int(opts["sample_frequency"] * 0.001 * opts["frame_shift_ms"])
    num_frames = (n + shift // 2) // shift
    rows = []
    for f in range(num_frames):
        start = f * shift + shift // 2 - length // 2
        idx = []
        for i in range(length):
            s = start + i
            while s < 0 or s >= n:
                s = -s - 1 if s < 0 else 2 * n - 1 - s
            idx.append(s)
        frame_opts = dict(opts, snip_edges=True)
        rows.append(torchaudio_fbank(samples_int16[idx], frame_opts, dtype))
    return torch.cat(rows, dim=0)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    inputs = {}

    s16 = speech(16000)[:32000]  # about 2 s
    s8 = speech(8000)[:12000]    # 1.5 s
    inputs["speech_16k.raw"] = s16
    inputs["speech_8k.raw"] = s8
    inputs["silence_16k.raw"] = np.zeros(8000, dtype=np.int16)
    t = np.arange(8000)
    # 250 Hz square wave at full scale (both int16 extremes): maximally clipped input.
    inputs["square_16k.raw"] = np.where((t // 32) % 2 == 0, 32767, -32768).astype(np.int16)
    # speech amplified 8x and hard-clipped to int16: clipped real audio.
    inputs["clipped_speech_16k.raw"] = np.clip(s16[8000:16000].astype(np.int64) * 8, -32768, 32767).astype(np.int16)

    half = (8000, 8000)  # offset, count: 0.5 s of speech from the middle
    cases = [
        ("speech_default", "speech_16k.raw", 0, len(s16), {}, torch.float64),
        ("speech_default_f32", "speech_16k.raw", 0, len(s16), {}, torch.float32),
        ("one_frame_400", "speech_16k.raw", 9000, 400, {}, torch.float64),
        ("short_401", "speech_16k.raw", 9100, 401, {}, torch.float64),
        ("short_559", "speech_16k.raw", 9200, 559, {}, torch.float64),
        ("short_800", "speech_16k.raw", 9300, 800, {}, torch.float64),
        ("short_1000", "speech_16k.raw", 9400, 1000, {}, torch.float64),
        ("silence", "silence_16k.raw", 0, 8000, {}, torch.float64),
        ("square_full_scale", "square_16k.raw", 0, 8000, {}, torch.float64),
        ("clipped_speech", "clipped_speech_16k.raw", 0, 8000, {}, torch.float64),
        ("speech_8k_40", "speech_8k.raw", 0, len(s8), {"sample_frequency": 8000.0, "num_mel_bins": 40},
         torch.float64),
        ("snip_edges_false", "speech_16k.raw", *half, {"snip_edges": False}, torch.float64),
        ("snip_edges_false_short_1000", "speech_16k.raw", 9400, 1000, {"snip_edges": False}, torch.float64),
        ("snip_edges_false_tiny_100", "speech_16k.raw", 9400, 100, {"snip_edges": False}, torch.float64),
        ("snip_edges_false_short_300", "speech_16k.raw", 9400, 300, {"snip_edges": False}, torch.float64),
        ("hamming_23", "speech_16k.raw", *half, {"window_type": "hamming", "num_mel_bins": 23}, torch.float64),
        ("blackman_40", "speech_16k.raw", *half, {"window_type": "blackman", "num_mel_bins": 40,
                                                   "blackman_coeff": 0.40}, torch.float64),
        ("hanning_80", "speech_16k.raw", *half, {"window_type": "hanning"}, torch.float64),
        ("rectangular_80", "speech_16k.raw", *half, {"window_type": "rectangular"}, torch.float64),
        ("low100_high_minus400", "speech_16k.raw", *half, {"low_freq": 100.0, "high_freq": -400.0},
         torch.float64),
        ("low64_high7600", "speech_16k.raw", *half, {"low_freq": 64.0, "high_freq": 7600.0}, torch.float64),
        ("energy_raw", "speech_16k.raw", *half, {"use_energy": True}, torch.float64),
        ("energy_windowed_floor1", "speech_16k.raw", *half,
         {"use_energy": True, "raw_energy": False, "energy_floor": 1.0}, torch.float64),
        ("energy_floor_silence", "silence_16k.raw", 0, 2000, {"use_energy": True, "energy_floor": 0.5},
         torch.float64),
        ("magnitude_linear", "speech_16k.raw", *half, {"use_power": False, "use_log_fbank": False},
         torch.float64),
        ("no_pow2_fft", "speech_16k.raw", *half, {"round_to_power_of_two": False}, torch.float64),
        ("no_preemph_no_dc", "speech_16k.raw", *half, {"preemphasis_coefficient": 0.0,
                                                        "remove_dc_offset": False}, torch.float64),
        ("frame20_shift5", "speech_16k.raw", *half, {"frame_length_ms": 20.0, "frame_shift_ms": 5.0},
         torch.float64),
    ]

    for name, arr in inputs.items():
        arr.astype("<i2").tofile(os.path.join(OUT_DIR, name))

    meta = []
    results = {}
    for name, inp, offset, count, overrides, dtype in cases:
        opts = dict(DEFAULTS)
        opts.update(overrides)
        x = inputs[inp][offset:offset + count]
        assert len(x) == count, (name, len(x), count)
        if not opts["snip_edges"] and count < int(opts["sample_frequency"] * 0.001 * opts["frame_length_ms"]):
            feats = kaldi_reflected_fbank(x, opts, dtype)
        else:
            feats = torchaudio_fbank(x, opts, dtype)
        results[name] = feats.double()
        out = name + ".bin"
        feats.numpy().astype("<f4").tofile(os.path.join(OUT_DIR, out))
        meta.append({
            "name": name,
            "input": inp,
            "offset": offset,
            "num_samples": count,
            "options": opts,
            "output": out,
            "num_frames": int(feats.shape[0]),
            "dim": int(feats.shape[1]),
            "reference_dtype": str(dtype).replace("torch.", ""),
        })
        print(f"{name:30s} frames={feats.shape[0]:4d} dim={feats.shape[1]:3d} min={feats.min().item():.4f} "
              f"max={feats.max().item():.4f}")

    diff = (results["speech_default"] - results["speech_default_f32"]).abs().max().item()
    print(f"torchaudio float32 vs float64 on speech_default: max abs diff {diff:.3e}")
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump({"generator": "data-pipeline/src/test/python/make_fbank_golden.py",
                   "reference": f"torchaudio.compliance.kaldi.fbank (torch {torch.__version__})",
                   "cases": meta}, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n)) for n in os.listdir(OUT_DIR))
    print(f"wrote {len(meta)} cases to {OUT_DIR}, {total} bytes in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
