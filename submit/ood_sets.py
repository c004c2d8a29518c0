#!/usr/bin/python3
"""Out-of-domain evaluation sets made from an in-domain held-out manifest (the way the Omni-router paper evaluates
on unseen domains). Set names:
  flite      the same sentences spoken by another synthesizer (flite, four voices)
  noiseNdb   white noise added at N dB SNR (N an integer, may be negative: noise-5db)
  fast, slow sped up / slowed down (sox tempo 1.3 / 0.75, pitch kept)
  reverb     sox reverb (reverberance 50 %, room scale 100 %, wet and dry mixed)

Usage: /usr/bin/python3 submit/ood_sets.py IN_MANIFEST OUT_DIR [SET,SET,...]   (default: flite,noise5db,fast,slow)
Writes OUT_DIR/<set>/manifest.jsonl (key, wav relative to that folder, txt) and their WAV files.
"""
import json
import os
import re
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


def make(row, index, out_dir, sets):
    key, wav, text = row["key"], row["wav"], row["txt"]
    made = {}
    for name in sets:
        path = os.path.join(out_dir, name, key + ".wav")
        noise_db = re.fullmatch(r"noise(-?\d+)db", name)
        if name == "flite":
            subprocess.run(["flite", "-voice", FLITE_VOICES[index % len(FLITE_VOICES)], "-t", text, "-o", path],
                           check=True, capture_output=True)
        elif noise_db:
            noise = path + ".noise.wav"
            # uniform white noise of amplitude a has RMS a / sqrt(3): a = rms(speech) / 10^(snr/20) * sqrt(3)
            amplitude = rms(wav) / (10 ** (int(noise_db.group(1)) / 20)) * 3 ** 0.5
            subprocess.run(["sox", "-R", wav, noise, "synth", "whitenoise", "vol", "%.6f" % amplitude], check=True)
            # sox -m scales both inputs by 1/2: the SNR is kept
            subprocess.run(["sox", "-R", "-m", wav, noise, path], check=True)
            os.remove(noise)
        elif name in ("fast", "slow"):
            subprocess.run(["sox", "-R", wav, path, "tempo", "1.3" if name == "fast" else "0.75"], check=True)
        elif name == "reverb":
            # reverberance 50 %, HF damping 50 %, room scale 100 %; the tail is kept (pad 0.5 s)
            subprocess.run(["sox", "-R", "--guard", wav, path, "pad", "0", "0.5", "reverb", "50", "50", "100"],
                           check=True, capture_output=True)
        else:
            raise SystemExit("ood_sets: unknown set %r (flite, noiseNdb, fast, slow, reverb)" % name)
        made[name] = path
    return key, text, made


def main(manifest, out_dir, sets):
    base = os.path.dirname(os.path.abspath(manifest))
    rows = []
    with open(manifest) as f:
        for line in f:
            r = json.loads(line)
            wav = r.get("audio_filepath") or r.get("wav")
            rows.append({"key": r["key"], "wav": wav if os.path.isabs(wav) else os.path.join(base, wav),
                         "txt": r.get("text") or r.get("txt")})
    for s in sets:
        os.makedirs(os.path.join(out_dir, s), exist_ok=True)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda ir: make(ir[1], ir[0], out_dir, sets), enumerate(rows)))
    for s in sets:
        with open(os.path.join(out_dir, s, "manifest.jsonl"), "w") as f:
            for key, text, made in results:
                # relative to the manifest's folder, the way prepare resolves a relative path
                wav = os.path.relpath(made[s], os.path.join(out_dir, s))
                f.write(json.dumps({"key": key, "wav": wav, "txt": text}) + "\n")
    print("ood sets: %s, %d utterances each, in %s" % (", ".join(sets), len(rows), out_dir))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], (sys.argv[3] if len(sys.argv) == 4 else "flite,noise5db,fast,slow").split(","))
