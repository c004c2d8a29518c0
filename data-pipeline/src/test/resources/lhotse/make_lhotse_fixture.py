#!/usr/bin/env python3
"""Writes the Lhotse test fixture of LhotsePrepareTest (python3, standard library only).

Usage: python3 make_lhotse_fixture.py [OUT_DIR]   (default: the folder of this script)

The manifests follow Lhotse's own JSONL serialization (Recording.to_dict, AudioSource, SupervisionSegment.to_dict,
MonoCut.to_dict with "type" last, fields that are None left out), written by hand so that Lhotse is not needed.
The audio is real speech: ../audio/speech_22050.wav (0.5 s, 22050 Hz, 16-bit mono), as S; H is S at half amplitude
and Z silence. At 22050 Hz every time used below is a whole number of samples.

  audio/speech.wav    S                        0.5 s
  audio/rec-long.wav  S + Z(0.2 s) + H         1.2 s  (S at 0..0.5 s, H at 0.7..1.2 s)
  audio/split-ch0.wav Z                        0.5 s  (channel 0 of recording rec-split: one file per channel)
  audio/split-ch1.wav S                        0.5 s  (channel 1 of rec-split)
  audio/stereo.wav    S and H interleaved      0.5 s  (both channels of rec-stereo in one file)

fixture_cuts_dev.jsonl.gz, one cut per line (0-based):
  0 cut-two      rec-long, supervisions sup-a (0..0.5 s) and sup-b (0.7..1.2 s)
  1 cut-offset   rec-long from 0.4 s; sup-c starts 0.3 s into the cut: 0.7..1.2 s of the recording
  2 (malformed)  a line cut short
  3 cut-url      a 'url' source
  4 cut-empty    no supervisions
  5 cut-nosupid  speech.wav, its only supervision has no id (the row takes the cut's id)
  6 cut-split    channel 1 of rec-split (split-ch0.wav is channel 0, split-ch1.wav channel 1)
  7 cut-stereo   channel 1 of rec-stereo, whose two channels are one file
  8 cut-command  a 'command' source
  9 mix-1        a MixedCut
fixture_recordings_dev.jsonl (plain) + fixture_supervisions_dev.jsonl.gz, a RecordingSet + SupervisionSet pair:
  recordings   0 rec-pair-1 (speech.wav), 1 (malformed), 2 rec-pair-2 (rec-long.wav)
  supervisions 0 pair-a (rec-pair-1, 0..0.5 s), 1 pair-b (rec-pair-2, 0.7..1.2 s),
               2 pair-missing (recording rec-gone, not in the RecordingSet), 3 pair-bad (start is not a number)

Gzip files are written with mtime 0 and no file name, so the same zlib gives the same bytes.
"""
import gzip
import json
import os
import struct
import sys
import wave

RATE = 22050
HERE = os.path.dirname(os.path.abspath(__file__))


def read_speech():
    with wave.open(os.path.join(HERE, "..", "audio", "speech_22050.wav"), "rb") as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2 and w.getframerate() == RATE
        data = w.readframes(w.getnframes())
    return list(struct.unpack("<%dh" % (len(data) // 2), data))


def write_wav(path, channels):
    frames = len(channels[0])
    assert all(len(c) == frames for c in channels)
    interleaved = [c[i] for i in range(frames) for c in channels]
    with wave.open(path, "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack("<%dh" % len(interleaved), *interleaved))


def line(obj):
    return json.dumps(obj, ensure_ascii=False) + "\n"


def write_gz(path, text):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            gz.write(text.encode("utf-8"))


def recording(rec_id, sources, seconds):
    channel_ids = sorted({c for s in sources for c in s["channels"]})
    rec = {"id": rec_id, "sources": sources, "sampling_rate": RATE, "num_samples": round(seconds * RATE),
           "duration": seconds}
    if len(channel_ids) > 1:
        rec["channel_ids"] = channel_ids
    return rec


def file_source(path, channels=(0,)):
    return {"type": "file", "channels": list(channels), "source": path}


def supervision(sup_id, rec_id, start, duration, text, channel=0, speaker="spk1"):
    sup = {"id": sup_id, "recording_id": rec_id, "start": start, "duration": duration, "channel": channel,
           "text": text, "language": "English", "speaker": speaker}
    if sup_id is None:
        del sup["id"]
    return sup


def mono_cut(cut_id, start, duration, channel, supervisions, rec):
    return {"id": cut_id, "start": start, "duration": duration, "channel": channel, "supervisions": supervisions,
            "recording": rec, "type": "MonoCut"}


def main(out):
    os.makedirs(os.path.join(out, "audio"), exist_ok=True)
    s = read_speech()
    h = [x // 2 for x in s]
    z = [0] * len(s)
    write_wav(os.path.join(out, "audio", "speech.wav"), [s])
    write_wav(os.path.join(out, "audio", "rec-long.wav"), [s + [0] * round(0.2 * RATE) + h])
    write_wav(os.path.join(out, "audio", "split-ch0.wav"), [z])
    write_wav(os.path.join(out, "audio", "split-ch1.wav"), [s])
    write_wav(os.path.join(out, "audio", "stereo.wav"), [s, h])

    long_rec = recording("rec-long", [file_source("audio/rec-long.wav")], 1.2)
    speech_rec = recording("rec-speech", [file_source("audio/speech.wav")], 0.5)
    cuts = [
        mono_cut("cut-two", 0.0, 1.2, 0, [supervision("sup-a", "rec-long", 0.0, 0.5, "the first part"),
                                          supervision("sup-b", "rec-long", 0.7, 0.5, "the second part")], long_rec),
        mono_cut("cut-offset", 0.4, 0.8, 0, [supervision("sup-c", "rec-long", 0.3, 0.5, "an offset one")], long_rec),
        None,
        mono_cut("cut-url", 0.0, 0.5, 0, [supervision("sup-url", "rec-url", 0.0, 0.5, "from the web")],
                 recording("rec-url", [{"type": "url", "channels": [0], "source": "https://example.org/a.wav"}],
                           0.5)),
        mono_cut("cut-empty", 0.0, 0.5, 0, [], speech_rec),
        mono_cut("cut-nosupid", 0.0, 0.5, 0, [supervision(None, "rec-speech", 0.0, 0.5, "no id here")], speech_rec),
        mono_cut("cut-split", 0.0, 0.5, 1,
                 [supervision("sup-split", "rec-split", 0.0, 0.5, "the right channel", channel=1)],
                 recording("rec-split", [file_source("audio/split-ch0.wav", [0]),
                                         file_source("audio/split-ch1.wav", [1])], 0.5)),
        mono_cut("cut-stereo", 0.0, 0.5, 1,
                 [supervision("sup-stereo", "rec-stereo", 0.0, 0.5, "both in one", channel=1)],
                 recording("rec-stereo", [file_source("audio/stereo.wav", [0, 1])], 0.5)),
        mono_cut("cut-command", 0.0, 0.5, 0, [supervision("sup-cmd", "rec-cmd", 0.0, 0.5, "piped in")],
                 recording("rec-cmd", [{"type": "command", "channels": [0],
                                        "source": "sox audio/speech.wav -t wav -"}], 0.5)),
    ]
    text = "".join(line(c) if c is not None else '{"id": "cut-broken", "start": 0.0, "duration"\n' for c in cuts)
    text += line({"id": "mix-1", "tracks": [{"cut": cuts[5], "type": "MixedCutTrack"}], "type": "MixedCut"})
    write_gz(os.path.join(out, "fixture_cuts_dev.jsonl.gz"), text)

    recordings = (line(recording("rec-pair-1", [file_source("audio/speech.wav")], 0.5))
                  + "not json at all\n"
                  + line(recording("rec-pair-2", [file_source("audio/rec-long.wav")], 1.2)))
    with open(os.path.join(out, "fixture_recordings_dev.jsonl"), "w", encoding="utf-8") as f:
        f.write(recordings)
    sups = (line(supervision("pair-a", "rec-pair-1", 0.0, 0.5, "pair one"))
            + line(supervision("pair-b", "rec-pair-2", 0.7, 0.5, "pair two"))
            + line(supervision("pair-missing", "rec-gone", 0.0, 0.5, "nowhere"))
            + line(dict(supervision("pair-bad", "rec-pair-1", 0.0, 0.5, "bad start"), start="zero")))
    write_gz(os.path.join(out, "fixture_supervisions_dev.jsonl.gz"), sups)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
