#!/usr/bin/env python3
"""Writes the tar-shard fixture of TarPrepareTest (python3, standard library only: tarfile, wave, json).

Usage: python3 make_tar_fixture.py [OUT_DIR]   (default: the folder of this script)

The audio is real speech: S = ../lhotse/audio/speech.wav (0.5 s, 22050 Hz, 16-bit mono), H = S at half amplitude,
M = ../golden/mp3/a_16k_mono_vbr.mp3 (1.2 s, 16 kHz), F = speech.flac beside this script (S encoded to FLAC once, by
`ffmpeg -i ../lhotse/audio/speech.wav -c:a flac -sample_fmt s16 speech.flac`; checked in because the standard library
writes no FLAC). Every tar is written with mtime 0 and uid/gid 0, so the same Python writes the same bytes.

wenet/data.list names shards/shard_000000.tar and shards/shard_000001.tar (relative to the list). Members, 0-based:
  shard_000000.tar  0 w-speech.wav S   1 w-speech.txt "hello wenet"
                    2 w-half.wav H     3 w-half.txt "half as loud"
                    4 w-notext.wav S                            (audio, no text)
                    5 w-noaudio.txt "lonely text"               (text, no audio)
                    6 w.dots.key.wav S 7 w.dots.key.txt "dots in the key"   (WeNet: key before the LAST dot)
  shard_000001.tar  0 w-mp3.mp3 M      1 w-mp3.txt "an mp3 member"
                    2 w-flac.flac F    3 w-flac.txt "a flac member"
                    4 w-two.wav S      5 w-two.flac F   6 w-two.txt "two audios"   (two audio members)
                    7 w-speech.wav S   8 w-speech.txt "again"   (key used in shard_000000: a duplicate)
webdataset/shard-{000000..000001}.tar:
  shard-000000.tar  0 d-a.flac F       1 d-a.json {"text": "flac with json"}
                    2 d-b.seg.wav S    3 d-b.txt "first dot splits"   (WebDataset: key before the FIRST dot)
                    4 d-c.wav S        5 d-c.json {"sentence": "no text field"}
  shard-000001.tar  0 d-d.mp3 M        1 d-d.txt "mp3 in webdataset"
                    2 d-e.wav S        3 d-e.txt "cut off"   -- the file is cut 1000 bytes into d-e.wav's data
nemo/ (a NeMo tarred dataset, as convert_to_tarred_audio_dataset.py lays it out):
  audio_0.tar  0 n-speech.wav S     1 extra.wav S (named by no manifest line)
  audio_1.tar  0 n-mp3.mp3 M
  tarred_audio_manifest.json  0 n-speech.wav "nemo speech"   1 n-mp3.mp3 "nemo mp3"
                              2 gone.wav (in no tar)          3 a line cut short (not JSON)
loose/: S, H, M, F as plain files (speech.wav, half.wav, a.mp3, speech.flac) and loose.jsonl naming them (keys
l-speech, l-half, l-mp3, l-flac): the same audio read as loose files, whose features the tar members must equal.
"""
import io
import json
import os
import shutil
import struct
import sys
import tarfile
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.dirname(HERE)


def half(wav_bytes):
    with wave.open(io.BytesIO(wav_bytes)) as w:
        params = w.getparams()
        frames = w.readframes(w.getnframes())
    n = len(frames) // 2
    samples = struct.unpack("<%dh" % n, frames)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes(struct.pack("<%dh" % n, *[int(s / 2) for s in samples]))
    return out.getvalue()


def write_tar(path, members):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    read = lambda p: open(p, "rb").read()
    s = read(os.path.join(RES, "lhotse", "audio", "speech.wav"))
    h = half(s)
    m = read(os.path.join(RES, "golden", "mp3", "a_16k_mono_vbr.mp3"))
    f = read(os.path.join(HERE, "speech.flac"))
    t = lambda text: text.encode("utf-8")

    write_tar(os.path.join(out, "wenet", "shards", "shard_000000.tar"), [
        ("w-speech.wav", s), ("w-speech.txt", t("hello wenet\n")),
        ("w-half.wav", h), ("w-half.txt", t("half as loud")),
        ("w-notext.wav", s),
        ("w-noaudio.txt", t("lonely text")),
        ("w.dots.key.wav", s), ("w.dots.key.txt", t("dots in the key"))])
    write_tar(os.path.join(out, "wenet", "shards", "shard_000001.tar"), [
        ("w-mp3.mp3", m), ("w-mp3.txt", t("an mp3 member")),
        ("w-flac.flac", f), ("w-flac.txt", t("a flac member")),
        ("w-two.wav", s), ("w-two.flac", f), ("w-two.txt", t("two audios")),
        ("w-speech.wav", s), ("w-speech.txt", t("again"))])
    with open(os.path.join(out, "wenet", "data.list"), "w") as lst:
        lst.write("shards/shard_000000.tar\nshards/shard_000001.tar\n")

    write_tar(os.path.join(out, "webdataset", "shard-000000.tar"), [
        ("d-a.flac", f), ("d-a.json", t(json.dumps({"text": "flac with json"}))),
        ("d-b.seg.wav", s), ("d-b.txt", t("first dot splits")),
        ("d-c.wav", s), ("d-c.json", t(json.dumps({"sentence": "no text field"})))])
    cut = os.path.join(out, "webdataset", "shard-000001.tar")
    write_tar(cut, [("d-d.mp3", m), ("d-d.txt", t("mp3 in webdataset")),
                    ("d-e.wav", s), ("d-e.txt", t("cut off"))])
    with tarfile.open(cut) as tar:
        e = tar.getmember("d-e.wav")
        keep = e.offset_data + 1000
    with open(cut, "r+b") as fh:
        fh.truncate(keep)
    print("shard-000001.tar cut at byte", keep, "; d-e.wav header at", e.offset)

    nemo = os.path.join(out, "nemo")
    write_tar(os.path.join(nemo, "audio_0.tar"), [("n-speech.wav", s), ("extra.wav", s)])
    write_tar(os.path.join(nemo, "audio_1.tar"), [("n-mp3.mp3", m)])
    with open(os.path.join(nemo, "tarred_audio_manifest.json"), "w") as fh:
        fh.write(json.dumps({"audio_filepath": "n-speech.wav", "text": "nemo speech", "duration": 0.5,
                             "shard_id": 0}) + "\n")
        fh.write(json.dumps({"audio_filepath": "n-mp3.mp3", "text": "nemo mp3", "duration": 1.2, "shard_id": 1}) + "\n")
        fh.write(json.dumps({"audio_filepath": "gone.wav", "text": "not in a tar", "duration": 1.0,
                             "shard_id": 1}) + "\n")
        fh.write('{"audio_filepath": "cut.wav", "te\n')

    loose = os.path.join(out, "loose")
    os.makedirs(loose, exist_ok=True)
    for name, data in [("speech.wav", s), ("half.wav", h), ("a.mp3", m), ("speech.flac", f)]:
        with open(os.path.join(loose, name), "wb") as fh:
            fh.write(data)
    with open(os.path.join(loose, "loose.jsonl"), "w") as fh:
        for key, name, text in [("l-speech", "speech.wav", "hello wenet"), ("l-half", "half.wav", "half as loud"),
                                ("l-mp3", "a.mp3", "an mp3 member"), ("l-flac", "speech.flac", "a flac member")]:
            fh.write(json.dumps({"key": key, "wav": name, "txt": text}) + "\n")


if __name__ == "__main__":
    main()
