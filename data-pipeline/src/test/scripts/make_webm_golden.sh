#!/usr/bin/env bash
# Regenerates the Matroska/WebM parity fixtures under data-pipeline/src/test/resources/golden/webm/ used by
# WebmDecoderTest, WebmRejectTest, VorbisDecoderTest and the fuzz seeds (FuzzSeeds), from the speech WAVs that
# make_ogg_golden.sh made (golden/ogg/src_a_16k.wav, src_b_22k.wav), with the ffmpeg that made golden/ogg (VERSION).
#
#   name                          container          codec   ch  note
#   a_16k_mono_opus24.webm        WebM (seekable)    Opus    1   as golden/ogg/a_16k_mono_opus24.opus: Duration, Cues,
#                                                                 DiscardPadding on the last block
#   a_16k_mono_opus24_live.webm   WebM (to a pipe)   Opus    1   what a live writer leaves: unknown-size Segment, no
#                                                                 Duration, no Cues
#   b_48k_stereo_opus64.mka       Matroska           Opus    2   L = 1.3 x, R = 0.7 x, CRC-32 elements, 0.6 s
#   a_16k_mono_vorbis.webm        WebM               Vorbis  1   libvorbis -q 3 (decoded by ffmpeg, ExternalDecoder)
#
# Each file's reference decoding is <file>.s16le: ffmpeg's, at the file's own rate (48 kHz for Opus, with libopus's
# decoder as in make_ogg_golden.sh; 16 kHz for Vorbis), signed 16-bit little-endian, interleaved, the channels the
# file has; ffmpeg applies the pre-skip and the DiscardPadding. golden/ogg/a_16k_mono_vorbis.ogg gets its
# reference here too (a_16k_mono_vorbis.ogg.s16le).
#
# ffmpeg's Matroska muxer writes neither lacing nor unknown-size Clusters for audio (nor does libwebm); the tests make
# those by rewriting these files (WebmFixtures).
#
# Needs: ffmpeg (with libopus, libvorbis). Run from anywhere:  bash make_webm_golden.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../resources/golden/ogg"
out="$here/../resources/golden/webm"
mkdir -p "$out"

ff() { ffmpeg -hide_banner -loglevel error -y -fflags +bitexact "$@"; }
stereo=(-af "pan=stereo|c0=1.3*c0|c1=0.7*c0")
nometa=(-map_metadata -1)

ff -i "$src/src_a_16k.wav" -c:a libopus -b:a 24k "${nometa[@]}" "$out/a_16k_mono_opus24.webm"
ff -i "$src/src_a_16k.wav" -c:a libopus -b:a 24k "${nometa[@]}" -f webm - | cat > "$out/a_16k_mono_opus24_live.webm"
ff -i "$src/src_b_22k.wav" "${stereo[@]}" -ar 48000 -t 0.6 -c:a libopus -b:a 64k "${nometa[@]}" -f matroska \
   "$out/b_48k_stereo_opus64.mka"
ff -i "$src/src_a_16k.wav" -c:a libvorbis -q:a 3 "${nometa[@]}" "$out/a_16k_mono_vorbis.webm"

for f in "$out"/*.webm "$out"/*.mka; do
  case "$f" in
    *opus*) ff -c:a libopus -i "$f" -f s16le -c:a pcm_s16le "$f.s16le" ;;
    *) ff -i "$f" -f s16le -c:a pcm_s16le "$f.s16le" ;;
  esac
done
ff -i "$src/a_16k_mono_vorbis.ogg" -f s16le -c:a pcm_s16le "$out/a_16k_mono_vorbis.ogg.s16le"
ffmpeg -version | head -1 > "$out/VERSION"
ls -l "$out"
