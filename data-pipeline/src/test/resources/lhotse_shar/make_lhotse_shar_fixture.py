#!/usr/bin/env python3
"""Writes the Lhotse Shar fixture of LhotseSharPrepareTest (python3, standard library only: tarfile, gzip, wave).

Usage: python3 make_lhotse_shar_fixture.py [OUT_DIR]   (default: the folder of this script)

Lhotse itself is not needed: the layout follows Lhotse's writers, read in lhotse-speech/lhotse at commit a79cc864
(lhotse/shar/writers/shar.py SharWriter.write, writers/audio.py AudioTarWriter.write, writers/tar.py TarWriter,
writers/cut.py JsonlShardWriter, lhotse/shar/utils.py to_shar_placeholder; the reader lhotse/shar/readers/lazy.py
and readers/tar.py). What they do:
  * shard N of a folder is cuts.N.jsonl.gz + recording.N.tar, N = "%06d" from 000000 (no ".N" without sharding);
    shards of the other fields (features.N.tar, ...) and .idx index files may sit beside them;
  * per cut, in cuts order, the tar gets <cut id>.<format> (the cut's audio ONLY, cut.load_audio(): its own
    channels, from the cut's start for its duration, in the field's format: wav, flac, mp3, opus) and then
    <cut id>.json (the placeholder recording below, one JSON line); a cut without a recording gets the empty members
    <cut id>.nodata + <cut id>.nometa. Tar members have mtime 0, uid/gid 0 (tarfile.TarInfo defaults);
  * the cut line is the cut with start 0 (its supervisions' starts, relative to the cut, are kept) and its recording
    replaced by a placeholder: the same id, sampling_rate, duration = the cut's, num_samples from that duration, ONE
    source {"type": "shar", "channels": <the cut's channels>, "source": ""}, channel_ids = the cut's channels, no
    transforms;
  * the reader pairs the i-th cuts file with the i-th recording tar (sorted names) and a cut with its members by
    name: the member's name without its extension is the cut id.

The audio comes from ../lhotse/audio (22050 Hz, 16-bit, made by ../lhotse/make_lhotse_fixture.py): S = speech.wav
(0.5 s), H = S at half amplitude, rec-long.wav = S + 0.2 s silence + H (1.2 s), stereo.wav = S and H as channels 0
and 1; F = ../tar/speech.flac (S in FLAC). Every time below is a whole number of samples at 22050 Hz.

shar/ (fields={"recording": "wav"}, shard_size=4):
  cuts.000000.jsonl.gz   recording.000000.tar (members, 0-based)
    0 shar-two     rec-long 0..1.2 s, supervisions shar-a (0..0.5 s) + shar-b (0.7..1.2 s)   0 shar-two.wav 1 .json
    1 shar-offset  rec-long from 0.4 s, 0.8 s long: shar-c 0.3..0.8 s into the cut (= H)     2 shar-offset.wav 3 .json
    2 shar-gone    rec-speech 0..0.5 s, shar-gone-sup: its two members are left out of the tar (an incomplete shard)
  cuts.000001.jsonl.gz   recording.000001.tar
    0 shar-ch1     channel 1 of rec-stereo (a MonoCut): member H, placeholder channels [1]   0 shar-ch1.wav 1 .json
    1 shar-norec   no recording (features only)                                              2 .nodata 3 .nometa
    2 shar-multi   MultiCut channels [0, 1] of rec-stereo, shar-multi-sup on channel 0: the member is S and H in
                   one stereo file                                                           4 shar-multi.wav 5 .json
    3 shar-cut     rec-speech 0..0.5 s, shar-cut-sup: the tar is cut 1000 bytes into its member's data
                   (6 shar-cut.wav: header at byte 71168, 22094 bytes of data from 71680; the file ends at 72680)
flac/ (fields={"recording": "flac"}, one shard): cuts.000000.jsonl.gz + recording.000000.tar
    0 shar-flac    rec-speech 0..0.5 s, supervision shar-flac-sup (0..0.5 s)                 0 shar-flac.flac 1 .json

Gzip files are written with mtime 0 and no file name, so the same zlib gives the same bytes.
"""
import gzip
import io
import json
import os
import sys
import tarfile
import wave

RATE = 22050
HERE = os.path.dirname(os.path.abspath(__file__))
AUDIO = os.path.join(HERE, "..", "lhotse", "audio")


def read_wav(name):
    with wave.open(os.path.join(AUDIO, name), "rb") as w:
        assert w.getsampwidth() == 2 and w.getframerate() == RATE
        return w.getnchannels(), w.readframes(w.getnframes())


def wav_bytes(channels, frames):
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return out.getvalue()


def channel_of(frames, channels, ch):
    """One channel of interleaved 16-bit frames."""
    width = 2 * channels
    return b"".join(frames[i + 2 * ch:i + 2 * ch + 2] for i in range(0, len(frames), width))


def seconds(frames, channels, start, duration):
    width = 2 * channels
    a = round(start * RATE) * width
    return frames[a:a + round(duration * RATE) * width]


def placeholder(rec_id, duration, channels):
    return {"id": rec_id, "sources": [{"type": "shar", "channels": channels, "source": ""}],
            "sampling_rate": RATE, "num_samples": round(duration * RATE), "duration": duration,
            "channel_ids": channels}


def supervision(sup_id, rec_id, start, duration, text, channel=0):
    return {"id": sup_id, "recording_id": rec_id, "start": start, "duration": duration, "channel": channel,
            "text": text, "language": "English", "speaker": "spk1"}


def cut(cut_id, duration, channel, sups, rec, kind="MonoCut"):
    c = {"id": cut_id, "start": 0, "duration": duration, "channel": channel, "supervisions": sups}
    if rec is not None:
        c["recording"] = rec
    c["type"] = kind
    return c


def write_gz(path, text):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(text.encode("utf-8"))


def write_shard(folder, n, cuts, members, cut_in=None):
    """cuts: the cut dicts; members: (name, bytes) in order; cut_in: cut the tar 1000 bytes into this member's data."""
    os.makedirs(folder, exist_ok=True)
    write_gz(os.path.join(folder, "cuts.%06d.jsonl.gz" % n), "".join(json.dumps(c) + "\n" for c in cuts))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w|") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    if cut_in is not None:
        member = tarfile.open(fileobj=io.BytesIO(data)).getmember(cut_in)
        print("%s: header at %d, data %d bytes at %d; cut at %d" % (cut_in, member.offset, member.size,
                                                                   member.offset_data, member.offset_data + 1000))
        data = data[:member.offset_data + 1000]
    with open(os.path.join(folder, "recording.%06d.tar" % n), "wb") as f:
        f.write(data)


def audio_members(cut_id, ext, audio, rec):
    return [(cut_id + "." + ext, audio), (cut_id + ".json", (json.dumps(rec) + "\n").encode("utf-8"))]


def main(out):
    _, s = read_wav("speech.wav")
    _, long = read_wav("rec-long.wav")
    _, stereo = read_wav("stereo.wav")
    shar = os.path.join(out, "shar")

    two_rec = placeholder("rec-long", 1.2, [0])
    off_rec = placeholder("rec-long", 0.8, [0])
    gone_rec = placeholder("rec-speech", 0.5, [0])
    cuts0 = [
        cut("shar-two", 1.2, 0, [supervision("shar-a", "rec-long", 0.0, 0.5, "the first part"),
                                 supervision("shar-b", "rec-long", 0.7, 0.5, "the second part")], two_rec),
        cut("shar-offset", 0.8, 0, [supervision("shar-c", "rec-long", 0.3, 0.5, "an offset one")], off_rec),
        cut("shar-gone", 0.5, 0, [supervision("shar-gone-sup", "rec-speech", 0.0, 0.5, "never written")], gone_rec),
    ]
    members0 = (audio_members("shar-two", "wav", wav_bytes(1, long), two_rec)
                + audio_members("shar-offset", "wav", wav_bytes(1, seconds(long, 1, 0.4, 0.8)), off_rec))
    write_shard(shar, 0, cuts0, members0)

    ch1_rec = placeholder("rec-stereo", 0.5, [1])
    multi_rec = placeholder("rec-stereo", 0.5, [0, 1])
    cut_rec = placeholder("rec-speech", 0.5, [0])
    cuts1 = [
        cut("shar-ch1", 0.5, 1, [supervision("shar-ch1-sup", "rec-stereo", 0.0, 0.5, "the right channel", 1)],
            ch1_rec),
        cut("shar-norec", 0.5, 0, [supervision("shar-norec-sup", "rec-x", 0.0, 0.5, "features only")], None),
        cut("shar-multi", 0.5, [0, 1], [supervision("shar-multi-sup", "rec-stereo", 0.0, 0.5, "left of two")],
            multi_rec, kind="MultiCut"),
        cut("shar-cut", 0.5, 0, [supervision("shar-cut-sup", "rec-speech", 0.0, 0.5, "cut off")], cut_rec),
    ]
    members1 = (audio_members("shar-ch1", "wav", wav_bytes(1, channel_of(stereo, 2, 1)), ch1_rec)
                + [("shar-norec.nodata", b""), ("shar-norec.nometa", b"")]
                + audio_members("shar-multi", "wav", wav_bytes(2, stereo), multi_rec)
                + audio_members("shar-cut", "wav", wav_bytes(1, s), cut_rec))
    write_shard(shar, 1, cuts1, members1, cut_in="shar-cut.wav")

    flac_rec = placeholder("rec-speech", 0.5, [0])
    with open(os.path.join(HERE, "..", "tar", "speech.flac"), "rb") as f:
        flac = f.read()
    write_shard(os.path.join(out, "flac"), 0,
                [cut("shar-flac", 0.5, 0, [supervision("shar-flac-sup", "rec-speech", 0.0, 0.5, "flac shar")],
                     flac_rec)],
                audio_members("shar-flac", "flac", flac, flac_rec))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
