#!/usr/bin/python3
"""Golden S/D/I counts for org.omnispark.trainer.metrics.ErrorRateCalculatorTest, produced by NIST sclite.

Run from the repository root (needs Debian's sctk):  /usr/bin/python3 trainer/src/test/python/make_sclite_golden.py
Writes trainer/src/test/resources/golden/metrics/{ref.trn, hyp.trn, golden.json}.

sclite is run case-sensitively (-s) on UTF-8 text (-e utf-8), once on words and once on characters (-c: every
word split into characters; spaces do not count), with the per-utterance alignment report (-o pralign) parsed for
each utterance's (#C #S #D #I), and the summary report (-o sum) parsed for the totals.
"""
import json
import os
import re
import subprocess
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "metrics")

# (reference, hypothesis): substitutions, deletions, insertions, empty hypothesis, empty reference, ties.
PAIRS = [
    ("the cat sat on the mat", "the cat sat on the mat"),          # all correct
    ("the cat sat on the mat", "the bat sat on the mat"),          # one substitution
    ("the cat sat on the mat", "the cat on the mat"),              # one deletion
    ("the cat sat on the mat", "the cat sat down on the mat"),     # one insertion
    ("the cat sat on the mat", ""),                                # empty hypothesis: all deletions
    ("", "hello there"),                                           # empty reference: all insertions
    ("", ""),                                                      # both empty
    ("a b", "b c"),                                                # D + I cheaper than 2 S with sclite weights
    ("a b c", "c x y"),                                            # tie: 3 S or 2 D + 2 I (same cost 12)
    ("a b c d", "d c x y"),                                        # mixed
    ("a a a a", "a a"),                                            # repeated words, deletions
    ("a b a b a b", "b a b a b a"),                                # shifted sequence
    ("The Cat", "the cat"),                                        # case differs (case-sensitive scoring)
    ("one two three four five", "five four three two one"),       # reversed
    ("speech recognition is hard", "speech wreck a nice beach is hard"),
    ("it is easy to recognize speech", "it is easy to wreck a nice beach"),
    ("please call stella", "please call stellar ask her"),
    ("we are here", "were here"),
    ("new york city", "newark city"),
    ("to be or not to be", "to be or not to bee"),
    ("x", "y"),                                                    # single substitution
    ("x", "x x x"),                                                # insertions around a match
    ("x y z", "z"),                                                # two deletions
    ("the quick brown fox jumps over the lazy dog", "a quick brown box jumped over lazy dogs"),
    ("café crème brûlée", "cafe creme brûlée"),                    # UTF-8 characters
    ("naïve résumé", "naive resume"),
    ("alpha beta gamma delta", "alpha gamma beta delta"),          # swap
    ("hello world", "helloworld"),                                 # word split lost: characters all correct
    ("good morning everyone", "good  morning   everyone"),         # extra spaces are not words
    ("a b c d e f g h", "a c e g i"),                              # many errors, longer
    ("zero", "zero zero zero zero"),                               # insertions after the reference
    ("i saw the man with the telescope", "i saw a man with a telescope too"),
]


def write_trn(path, texts):
    with open(path, "w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            words = " ".join(text.split())
            f.write((words + " " if words else "") + "(utt%02d)\n" % i)


def run_sclite(ref, hyp, chars):
    args = ["sctk", "sclite", "-r", ref, "trn", "-h", hyp, "trn", "-i", "wsj", "-s", "-e", "utf-8"]
    if chars:
        args.append("-c")
    pralign = subprocess.run(args + ["-o", "pralign", "stdout"], check=True, capture_output=True, text=True).stdout
    per_utt = {}
    current = None
    for line in pralign.splitlines():
        m = re.match(r"id: \((\S+)\)", line)
        if m:
            current = m.group(1)
        m = re.match(r"Scores: \(#C #S #D #I\) (\d+) (\d+) (\d+) (\d+)", line)
        if m:
            c, s, d, i = (int(x) for x in m.groups())
            per_utt[current] = {"C": c, "S": s, "D": d, "I": i}
    summary = subprocess.run(args + ["-o", "sum", "stdout"], check=True, capture_output=True, text=True).stdout
    total = None
    for line in summary.splitlines():
        if "Sum/Avg" in line:
            fields = [x for x in re.split(r"[|\s]+", line) if x]
            # | Sum/Avg | #Snt #Wrd | Corr Sub Del Ins Err S.Err |  (rates in percent)
            total = {"sentences": int(fields[1]), "N": int(fields[2]), "corr_pct": float(fields[3]),
                     "sub_pct": float(fields[4]), "del_pct": float(fields[5]), "ins_pct": float(fields[6]),
                     "err_pct": float(fields[7])}
    return per_utt, total, summary


def main():
    os.makedirs(OUT, exist_ok=True)
    ref = os.path.join(OUT, "ref.trn")
    hyp = os.path.join(OUT, "hyp.trn")
    write_trn(ref, [r for r, _ in PAIRS])
    write_trn(hyp, [h for _, h in PAIRS])
    # sclite writes nothing next to the inputs with "stdout", but run it on copies to be safe.
    with tempfile.TemporaryDirectory() as tmp:
        r, h = os.path.join(tmp, "ref.trn"), os.path.join(tmp, "hyp.trn")
        for src, dst in ((ref, r), (hyp, h)):
            with open(src, encoding="utf-8") as fi, open(dst, "w", encoding="utf-8") as fo:
                fo.write(fi.read())
        words, words_total, words_sum = run_sclite(r, h, chars=False)
        chars, chars_total, chars_sum = run_sclite(r, h, chars=True)
    if len(words) != len(PAIRS) or len(chars) != len(PAIRS):
        raise SystemExit("sclite reported %d/%d utterances, expected %d" % (len(words), len(chars), len(PAIRS)))
    usage = subprocess.run(["sctk", "sclite"], capture_output=True, text=True)
    version = [l for l in (usage.stdout + usage.stderr).splitlines() if "Version" in l][0].strip()
    golden = {"tool": version, "command": "sctk sclite -r ref.trn trn -h hyp.trn trn -i wsj -s -e utf-8 [-c] "
              "-o pralign|sum stdout", "words": words, "words_total": words_total, "characters": chars,
              "characters_total": chars_total}
    with open(os.path.join(OUT, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1, ensure_ascii=False, sort_keys=True)
    print(words_sum)
    print(chars_sum)


if __name__ == "__main__":
    main()
