#!/usr/bin/env bash
# Regenerates the audio fixtures under data-pipeline/src/test/resources/audio/ used by AudioDecoderTest.
#
# Every PCM fixture holds the same synthetic, fully known signal so that the Java test can compute the exact
# expected sample values from a formula instead of trusting another decoder:
#
#   frame i in [0, 300), channel c in {0, 1}, bit depth b:
#     stored value  v_b(i, c) = ((i * P[c] + Q[c]) mod 2^b) - 2^(b-1)   with P = (7919, 104729), Q = (1, 12345)
#     8-bit WAV stores the unsigned byte v_8 + 128; float fixtures store v_16 / 32768 (exact in float32/64)
#
# The raw bytes are written by python (struct, little-endian) and only WRAPPED by sox/flac into a container in
# the SAME encoding, so no conversion, dither or rounding happens (sox is given -D anyway).
# speech_22050.wav is 0.5 s of espeak-ng speech, the input of the resampler golden test
# (see ../python/make_resample_golden.py, which must be re-run after this script).
#
# Needs: /usr/bin/python3, sox, flac, espeak-ng.  Run from anywhere:  bash make_audio_fixtures.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/audio"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp" <<'EOF'
import struct, sys
tmp = sys.argv[1]
N, P, Q = 300, (7919, 104729), (1, 12345)
def v(b, i, c):
    return ((i * P[c] + Q[c]) % (1 << b)) - (1 << (b - 1))
def write(name, channels, pack):
    with open(f"{tmp}/{name}", "wb") as f:
        for i in range(N):
            for c in range(channels):
                f.write(pack(i, c))
write("u8_2.raw", 2, lambda i, c: struct.pack("<B", v(8, i, c) + 128))
write("s16_1.raw", 1, lambda i, c: struct.pack("<h", v(16, i, c)))
write("s16_2.raw", 2, lambda i, c: struct.pack("<h", v(16, i, c)))
write("s24_1.raw", 1, lambda i, c: struct.pack("<i", v(24, i, c))[:3])
write("s24_2.raw", 2, lambda i, c: struct.pack("<i", v(24, i, c))[:3])
write("s32_1.raw", 1, lambda i, c: struct.pack("<i", v(32, i, c)))
write("f32_2.raw", 2, lambda i, c: struct.pack("<f", v(16, i, c) / 32768.0))
write("f64_1.raw", 1, lambda i, c: struct.pack("<d", v(16, i, c) / 32768.0))
EOF

wrap() {  # raw-file channels encoding bits output
  sox -D -t raw -r 16000 -c "$2" -e "$3" -b "$4" -L "$tmp/$1" "$5"
}
wrap u8_2.raw  2 unsigned-integer 8  "$out/pcm_u8_stereo.wav"
wrap s16_1.raw 1 signed-integer  16 "$out/pcm_s16_mono.wav"
wrap s16_2.raw 2 signed-integer  16 "$out/pcm_s16_stereo.wav"
wrap s24_2.raw 2 signed-integer  24 "$out/pcm_s24_stereo.wav"
wrap s32_1.raw 1 signed-integer  32 "$out/pcm_s32_mono.wav"
wrap f32_2.raw 2 floating-point  32 "$out/float32_stereo.wav"
wrap f64_1.raw 1 floating-point  64 "$out/float64_mono.wav"

# FLAC, encoded by the reference encoder from the same raw PCM (lossless: must decode to the same values).
flac -s -f --no-padding --no-seektable --force-raw-format --endian=little --sign=signed --channels=2 --bps=16 --sample-rate=16000 \
  -o "$out/flac_s16_stereo.flac" "$tmp/s16_2.raw"
flac -s -f --no-padding --no-seektable --force-raw-format --endian=little --sign=signed --channels=1 --bps=24 --sample-rate=16000 \
  -o "$out/flac_s24_mono.flac" "$tmp/s24_1.raw"

# Codecs OmniSpark rejects as UNSUPPORTED_AUDIO: real headers written by sox.
sox -D "$out/pcm_s16_mono.wav" -e a-law "$out/alaw_mono.wav"
sox -D "$out/pcm_s16_mono.wav" -e ima-adpcm "$out/ima_adpcm_mono.wav"

# Real speech for the resampler golden test: espeak-ng writes 22050 Hz 16-bit mono; keep 0.5 s of voiced speech.
espeak-ng -v en-us -s 160 -w "$tmp/speech.wav" "Resampling keeps the speech intact, she said."
sox -D "$tmp/speech.wav" -r 22050 -b 16 -c 1 "$out/speech_22050.wav" trim 0.2 0.5

ls -l "$out"
