#!/usr/bin/python3
"""Out-of-domain evaluation sets for the demo, made from an in-domain held-out manifest (the way the Omni-router
paper evaluates on unseen domains): the same sentences spoken by another synthesizer (flite, four voices), with
white noise added at 5 dB SNR, and sped up / slowed down (sox tempo 1.3 / 0.75, pitch kept).

Usage: /usr/bin/python3 submit/ood_sets.py IN_MANIFEST OUT_DIR
Writes OUT_DIR/{flite,noise5db,fast,slow}/manifest.jsonl (key, wav, txt) and their WAV files.
"""
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

FLITE_VOICES = ["kal", "slt", "rms", "awb"]


def rms(path):
    out = subprocess.run(["sox", path, "-n", "stat"], capture_output=True, text=True).stderr
    for line in out.splitlines():
        if line.startswith("RMS     amplitude"):
            return float(line.split(":")[1])
    raise RuntimeError("no RMS from sox stat for " + path)


def make(row, index, out_dir):
    key, wav, text = row["key"], row["wav"], row["txt"]
    made = {}
    flite = os.path.join(out_dir, "flite", key + ".wav")
    subprocess.run(["flite", "-voice", FLITE_VOICES[index % len(FLITE_VOICES)], "-t", text, "-o", flite],
                   check=True, capture_output=True)
    made["flite"] = flite
    noisy = os.path.join(out_dir, "noise5db", key + ".wav")
    noise = noisy + ".noise.wav"
    # uniform white noise of amplitude a has RMS a / sqrt(3): a = rms(speech) / 10^(5/20) * sqrt(3)
    amplitude = rms(wav) / (10 ** (5 / 20)) * 3 ** 0.5
    subprocess.run(["sox", "-R", wav, noise, "synth", "whitenoise", "vol", "%.6f" % amplitude], check=True)
    subprocess.run(["sox", "-R", "-m", wav, noise, noisy], check=True)
    os.remove(noise)
    made["noise5db"] = noisy
    for name, tempo in (("fast", "1.3"), ("slow", "0.75")):
        path = os.path.join(out_dir, name, key + ".wav")
        subprocess.run(["sox", "-R", wav, path, "tempo", tempo], check=True)
        made[name] = path
    return key, text, made


def main(manifest, out_dir):
    base = os.path.dirname(os.path.abspath(manifest))
    rows = []
    with open(manifest) as f:
        for line in f:
            r = json.loads(line)
            wav = r.get("audio_filepath") or r.get("wav")
            rows.append({"key": r["key"], "wav": wav if os.path.isabs(wav) else os.path.join(base, wav),
                         "txt": r.get("text") or r.get("txt")})
    sets = ["flite", "noise5db", "fast", "slow"]
    for s in sets:
        os.makedirs(os.path.join(out_dir, s), exist_ok=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda ir: make(ir[1], ir[0], out_dir), enumerate(rows)))
    for s in sets:
        with open(os.path.join(out_dir, s, "manifest.jsonl"), "w") as f:
            for key, text, made in results:
                f.write(json.dumps({"key": key, "wav": made[s], "txt": text}) + "\n")
    print("ood sets: %s, %d utterances each, in %s" % (", ".join(sets), len(rows), out_dir))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
