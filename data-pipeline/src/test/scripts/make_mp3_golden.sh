#!/usr/bin/env bash
# Regenerates the MP3 parity fixtures under data-pipeline/src/test/resources/golden/mp3/ used by Mp3DecoderTest,
# Mp3PrepareTest and the fuzz seeds (FuzzSeeds).
#
# Two utterances of real speech (espeak-ng), kept as the source WAVs the MP3s were encoded from:
#   src_a_16k.wav   16 kHz mono
#   src_b_22k.wav   22.05 kHz mono (espeak-ng's own rate)
# Each MP3 is encoded by ffmpeg's libmp3lame (the LAME encoder every web corpus was made with) and decoded back by
# ffmpeg's own decoder (mp3float) into <name>.s16le: signed 16-bit little-endian, interleaved, the channels the MP3
# has. That is the reference OmniSpark's decoder is compared with; the Java test downmixes stereo itself.
#
#   name                       MPEG      rate   ch  mode         tags
#   a_16k_mono_cbr32_id3       2   L3   16000   1   CBR 32k      ID3v2.3 before, LAME/Info tag frame
#   a_16k_mono_vbr             2   L3   16000   1   VBR -q:a 4   no ID3, LAME/Xing tag frame
#   a_8k_mono_cbr16            2.5 L3    8000   1   CBR 16k      no ID3, LAME/Info tag frame
#   b_22k_stereo_cbr64         2   L3   22050   2   CBR 64k      no ID3, LAME/Info tag frame
#   b_44k_stereo_vbr_id3       1   L3   44100   2   VBR -q:a 2   ID3v2.4 before, ID3v1 after, LAME/Xing tag frame
#   b_44k_stereo_cbr128_noxing 1   L3   44100   2   CBR 128k     nothing: no tag frame, so no gapless information
#
# Stereo files hold L = 1.3 x, R = 0.7 x of the source, so their mean is the source again (channels differ, and the
# prepare test can compare them with the mono WAV). The 44.1 kHz files keep only the first 0.5 s (size).
#
# Needs: espeak-ng, sox, ffmpeg (with libmp3lame). Run from anywhere:  bash make_mp3_golden.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/golden/mp3"
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
noid3=(-id3v2_version 0 -write_id3v1 0)

ff -i "$out/src_a_16k.wav" -c:a libmp3lame -b:a 32k -id3v2_version 3 -metadata title="seven tigers" \
   -metadata artist="espeak-ng" "$out/a_16k_mono_cbr32_id3.mp3"
ff -i "$out/src_a_16k.wav" -c:a libmp3lame -q:a 4 "${noid3[@]}" "$out/a_16k_mono_vbr.mp3"
ff -i "$out/src_a_16k.wav" -ar 8000 -c:a libmp3lame -b:a 16k "${noid3[@]}" "$out/a_8k_mono_cbr16.mp3"
ff -i "$out/src_b_22k.wav" "${stereo[@]}" -c:a libmp3lame -b:a 64k "${noid3[@]}" "$out/b_22k_stereo_cbr64.mp3"
ff -i "$out/src_b_22k.wav" "${stereo[@]}" -ar 44100 -t 0.5 -c:a libmp3lame -q:a 2 -id3v2_version 4 -write_id3v1 1 \
   -metadata title="a brother" "$out/b_44k_stereo_vbr_id3.mp3"
ff -i "$out/src_b_22k.wav" "${stereo[@]}" -ar 44100 -t 0.5 -c:a libmp3lame -b:a 128k "${noid3[@]}" -write_xing 0 \
   "$out/b_44k_stereo_cbr128_noxing.mp3"

for f in "$out"/*.mp3; do
  ff -i "$f" -f s16le -c:a pcm_s16le "${f%.mp3}.s16le"
done
ffmpeg -version | head -1 > "$out/VERSION"
ls -l "$out"
