"""Unit tests of submit/mix_manifest.py (run by MixManifestScriptTest): the labelled training mix of experiment.sh."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "submit"))
import mix_manifest  # noqa: E402


def write(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class MixTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        # an espeak-ng part (the recipe's training corpus) and a flite part made from its own source
        self.espeak = os.path.join(self.root, "corpus", "train", "manifest.jsonl")
        write(self.espeak, [
            {"key": "synth-train-000000", "audio_filepath": "audio/synth-train-000000.wav", "text": "a b",
             "confidence": 0.8, "duration": 1.5, "speaker": "en+croak", "language": "en"},
            {"key": "synth-train-000001", "audio_filepath": "audio/synth-train-000001.opus", "text": "c d",
             "confidence": 0.97, "speaker": "en-gb", "language": "en"}])
        self.source = os.path.join(self.root, "corpus", "mix", "flite-source", "manifest.jsonl")
        write(self.source, [
            {"key": "synth-train-000000", "audio_filepath": "audio/synth-train-000000.wav", "text": "e f",
             "confidence": 0.61, "duration": 2.0, "speaker": "en-us+m3", "language": "en"},
            {"key": "synth-train-000001", "audio_filepath": "audio/synth-train-000001.wav", "text": "g h",
             "confidence": 0.9, "speaker": "en-us+f2", "language": "en"}])
        self.flite = os.path.join(self.root, "corpus", "mix", "flite", "manifest.jsonl")
        write(self.flite, [
            {"key": "synth-train-000001", "wav": "synth-train-000001.wav", "txt": "g h"},
            {"key": "synth-train-000000", "wav": "/abs/synth-train-000000.wav", "txt": "e f"}])
        self.out = os.path.join(self.root, "corpus", "train_mix", "manifest.jsonl")
        os.makedirs(os.path.dirname(self.out))

    def tearDown(self):
        self.tmp.cleanup()

    def test_keys_domains_paths_and_carried_fields(self):
        counts = mix_manifest.mix(self.out, [("espeak", self.espeak, None), ("flite", self.flite, self.source)])
        self.assertEqual({"espeak": 2, "flite": 2}, counts)
        rows = read(self.out)
        self.assertEqual(["espeak-synth-train-000000", "espeak-synth-train-000001", "flite-synth-train-000001",
                          "flite-synth-train-000000"], [r["key"] for r in rows])
        self.assertEqual(["espeak", "espeak", "flite", "flite"], [r["domain"] for r in rows])
        # relative to the mix manifest's folder, and they name the same files
        self.assertEqual("../train/audio/synth-train-000000.wav", rows[0]["audio_filepath"])
        self.assertEqual("../mix/flite/synth-train-000001.wav", rows[2]["audio_filepath"])
        self.assertEqual("/abs/synth-train-000000.wav", rows[3]["audio_filepath"])
        for r in rows[:3]:
            self.assertTrue(os.path.isabs(r["audio_filepath"]) or os.path.normpath(os.path.join(
                os.path.dirname(self.out), r["audio_filepath"])).startswith(os.path.join(self.root, "corpus")))
        # the espeak part keeps its own fields (but not duration); flite's come from its source, by key
        self.assertEqual({"key", "audio_filepath", "text", "domain", "confidence", "speaker", "language"},
                         set(rows[0]))
        self.assertEqual((0.9, "en-us+f2", "g h"), (rows[2]["confidence"], rows[2]["speaker"], rows[2]["text"]))
        self.assertEqual(0.61, rows[3]["confidence"])
        self.assertNotIn("duration", rows[3])

    def test_refusals_name_the_file_and_line(self):
        cases = [
            ([("espeak", self.espeak, None), ("espeak", self.flite, None)], "given twice"),
            ([("flite", self.flite, self.espeak + ".missing")], "No such file"),
        ]
        def bad(n, rows):
            path = os.path.join(self.root, "bad%d.jsonl" % n)
            write(path, rows)
            return path
        cases += [
            ([("a", bad(1, [{"key": "k1", "wav": "a.wav", "txt": "x"}, "[1, 2]"]), None)],
             "bad1.jsonl:2: not a JSON object"),
            ([("a", bad(2, [{"key": "k1", "wav": "a.wav"}]), None)], "bad2.jsonl:1: a row needs"),
            ([("a", bad(3, [{"key": "k1", "wav": "a.wav", "txt": "x"}, {"key": "k1", "wav": "b.wav", "txt": "y"}]),
               None)], "bad3.jsonl:2: key a-k1 repeats"),
            ([("flite", bad(4, [{"key": "k9", "wav": "a.wav", "txt": "x"}]), self.source)],
             "key k9 is not in the source manifest"),
            ([("a", bad(5, []), None)], "has no rows"),
        ]
        for parts, message in cases:
            with self.assertRaises((mix_manifest.MixError, OSError)) as e:
                mix_manifest.mix(self.out, parts)
            self.assertIn(message, str(e.exception))
            self.assertFalse(os.path.exists(self.out), "nothing written when refused: " + message)

    def test_part_specs(self):
        self.assertEqual(("flite", "m.jsonl", "s.jsonl"), mix_manifest.parse_part("flite=m.jsonl,s.jsonl"))
        self.assertEqual(("noise10db", "m.jsonl", None), mix_manifest.parse_part("noise10db=m.jsonl"))
        for spec in ("m.jsonl", "a b=m.jsonl", "a-b=m.jsonl"):
            with self.assertRaises(mix_manifest.MixError):
                mix_manifest.parse_part(spec)

    def test_main_exit_codes(self):
        self.assertEqual(0, mix_manifest.main(["mix", self.out, "espeak=" + self.espeak]))
        self.assertEqual(2, len(read(self.out)))
        self.assertEqual(1, mix_manifest.main(["mix", self.out, "bad name=" + self.espeak]))
        self.assertEqual(2, mix_manifest.main(["mix"]))


if __name__ == "__main__":
    unittest.main()
