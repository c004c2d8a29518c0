#!/usr/bin/env bash
# Regenerates the Ogg parity fixtures under data-pipeline/src/test/resources/golden/ogg/ used by OpusDecoderTest,
# OggPrepareTest and the fuzz seeds (FuzzSeeds).
#
# Two utterances of real speech (espeak-ng), kept as the source WAVs the Ogg files were encoded from:
#   src_a_16k.wav   16 kHz mono
#   src_b_22k.wav   22.05 kHz mono (espeak-ng's own rate)
# Each Opus file is encoded by ffmpeg's libopus (the encoder web corpora use) and decoded back by ffmpeg with
# libopus's decoder at 48 kHz into <name>.s16le: signed 16-bit little-endian, interleaved, the channels the file has. That is the
# reference OmniSpark's decoder (Concentus) is compared with; the Java test downmixes stereo itself.
#
#   name                       codec   input rate  ch  bitrate   note
#   a_16k_mono_opus24          Opus    16000        1   24k       libopus resamples to 48 kHz; header says 16000
#   a_16k_mono_opus12_voip     Opus    16000        1   12k       -application voip (SILK/hybrid frames)
#   b_48k_stereo_opus64        Opus    48000        2   64k       CELT frames, 20 ms
#   b_44k_stereo_opus32_60ms   Opus    44100        2   32k       60 ms frames, 44.1 kHz resampled to 48 kHz by ffmpeg
#   a_16k_mono_vorbis          Vorbis  16000        1   -q 3      Vorbis: rejected as UNSUPPORTED_AUDIO for now
#
# Stereo files hold L = 1.3 x, R = 0.7 x of the source, so their mean is the source again. The stereo files keep only
# the first 0.6 s (size).
#
# Needs: espeak-ng, sox, ffmpeg (with libopus, libvorbis). Run from anywhere:  bash make_ogg_golden.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/golden/ogg"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

espeak-ng -v en-us -s 170 -w "$tmp/a.wav" "seven tigers bring the box"
espeak-ng -v en-us -s 170 -w "$tmp/b.wav" "a brother reads the map"
# -D: no dither, so the fixtures are reproducible; 0.6 x: headroom for the 1.3 x left channel
sox -D "$tmp/a.wav" -r 16000 -b 16 -c 1 "$out/src_a_16k.wav" vol 0.6 trim 0 1.2
sox -D "$tmp/b.wav" -r 22050 -b 16 -c 1 "$out/src_b_22k.wav" vol 0.6 trim 0 1.0

ff() { ffmpeg -hide_banner -loglevel error -y -fflags +bitexact "$@"; }
stereo=(-af "pan=stereo|c0=1.3*c0|c1=0.7*c0")
nometa=(-map_metadata -1)

ff -i "$out/src_a_16k.wav" -c:a libopus -b:a 24k "${nometa[@]}" "$out/a_16k_mono_opus24.opus"
ff -i "$out/src_a_16k.wav" -c:a libopus -b:a 12k -application voip "${nometa[@]}" "$out/a_16k_mono_opus12_voip.opus"
ff -i "$out/src_b_22k.wav" "${stereo[@]}" -ar 48000 -t 0.6 -c:a libopus -b:a 64k -page_duration 100000 "${nometa[@]}" \
   "$out/b_48k_stereo_opus64.opus"
# libopus takes 48 kHz (and 8/12/16/24) only: a 44.1 kHz stereo recording is resampled to 48 kHz by ffmpeg first
ff -i "$out/src_b_22k.wav" "${stereo[@]}" -ar 44100 -t 0.6 "$tmp/b_44k.wav"
ff -i "$tmp/b_44k.wav" -ar 48000 -c:a libopus -b:a 32k -frame_duration 60 "${nometa[@]}" \
   "$out/b_44k_stereo_opus32_60ms.opus"
ff -i "$out/src_a_16k.wav" -c:a libvorbis -q:a 3 "${nometa[@]}" "$out/a_16k_mono_vorbis.ogg"

for f in "$out"/*.opus; do
  # ffmpeg with libopus's decoder (the reference implementation, which Concentus ports) at 48 kHz, no resampling;
  # ffmpeg applies the pre-skip and the end trimming. (ffmpeg's native "opus" decoder is a separate float
  # implementation whose SILK path differs from libopus's by a 2-sample delay and more: not the reference.)
  ff -c:a libopus -i "$f" -ar 48000 -f s16le -c:a pcm_s16le "${f%.opus}.s16le"
done
ffmpeg -version | head -1 > "$out/VERSION"
ls -l "$out"
