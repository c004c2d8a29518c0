#!/usr/bin/python3
"""Golden outputs of torchaudio.functional.resample for ResamplerGoldenTest.

Input: data-pipeline/src/test/resources/audio/speech_22050.wav (0.5 s of espeak-ng speech, 16-bit mono, written by
../scripts/make_audio_fixtures.sh), read with the standard-library `wave` module and scaled as int16 / 32768.

For each configuration below it writes resources/golden/resample/<name>.f32: the resampled signal as raw
little-endian float32, computed by torchaudio 0.13 (Debian bookworm's python3-torchaudio) on a float64 copy of the input (float64 filter taps and
convolution, then rounded to float32). It also prints how far torchaudio's default float32 computation lies from
that: up to ~8e-6, because torchaudio evaluates the sinc argument in float32; the float64 result is the sharper
reference.

Run with Debian's torch/torchaudio:  /usr/bin/python3 make_resample_golden.py
"""
import os
import struct
import wave

import torch
import torchaudio
import torchaudio.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
AUDIO = os.path.join(HERE, "..", "resources", "audio", "speech_22050.wav")
OUT = os.path.join(HERE, "..", "resources", "golden", "resample")

# name -> (orig_freq, new_freq, lowpass_filter_width, rolloff, resampling_method)
# The speed-perturbation case resamples as if the 22050 Hz signal were at 22050 * 1.1 = 24255 Hz, back to 22050 Hz:
# the definition of Resampler.speedPerturb(samples, 22050, 1.1).
CONFIGS = {
    "hann_22050_16000_w6_r0.99": (22050, 16000, 6, 0.99, "sinc_interpolation"),
    "hann_22050_8000_w16_r0.945": (22050, 8000, 16, 0.945, "sinc_interpolation"),
    "kaiser_22050_16000_w6_r0.99": (22050, 16000, 6, 0.99, "kaiser_window"),
    "hann_22050_24000_w6_r0.99": (22050, 24000, 6, 0.99, "sinc_interpolation"),
    "speed1.1_hann_24255_22050_w6_r0.99": (24255, 22050, 6, 0.99, "sinc_interpolation"),
    # Odd rates (the same samples taken to be at that rate): a header that says 16035 Hz, a 1 Hz drift up and down
    # from common rates (gcd 1: 16000 phases), a low rate, and a wide filter at a 1 Hz drift. torchaudio's kernel takes
# new x orig values after the gcd, so rates near 384 kHz with gcd 1 do not fit in memory here; ResamplerGoldenTest
# checks those against the Java polyphase filter, itself checked against these files.
    "hann_16035_16000_w6_r0.99": (16035, 16000, 6, 0.99, "sinc_interpolation"),
    "hann_16090_16000_w6_r0.99": (16090, 16000, 6, 0.99, "sinc_interpolation"),
    "hann_44101_16000_w6_r0.99": (44101, 16000, 6, 0.99, "sinc_interpolation"),
    "hann_7999_16000_w6_r0.99": (7999, 16000, 6, 0.99, "sinc_interpolation"),
    "hann_1001_16000_w6_r0.99": (1001, 16000, 6, 0.99, "sinc_interpolation"),
    "hann_16001_16000_w16_r0.945": (16001, 16000, 16, 0.945, "sinc_interpolation"),
}


def read_wav(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, "expected 16-bit mono"
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    samples = struct.unpack("<%dh" % (len(raw) // 2), raw)
    return torch.tensor(samples, dtype=torch.float32) / 32768.0, rate


def main():
    x, rate = read_wav(AUDIO)
    assert rate == 22050, rate
    os.makedirs(OUT, exist_ok=True)
    print("torch", torch.__version__, "torchaudio", torchaudio.__version__, "input samples", x.numel())
    for name, (orig, new, width, rolloff, method) in CONFIGS.items():
        y = F.resample(x, orig, new, lowpass_filter_width=width, rolloff=rolloff, resampling_method=method)
        y64 = F.resample(x.double(), orig, new, lowpass_filter_width=width, rolloff=rolloff,
                         resampling_method=method)
        with open(os.path.join(OUT, name + ".f32"), "wb") as f:
            f.write(struct.pack("<%df" % y64.numel(), *y64.tolist()))
        print("%-36s %5d -> %5d width %2d rolloff %.3f %-18s out %5d  max|y| %.4f  torchaudio max|f32-f64| %.2e"
              % (name, orig, new, width, rolloff, method, y.numel(), y.abs().max().item(),
                 (y.double() - y64).abs().max().item()))


if __name__ == "__main__":
    main()
