#!/usr/bin/python3
"""Makes the golden files for org.omnispark.data.text tests (SentencePiece agreement).

Run from the repository root:  /usr/bin/python3 data-pipeline/src/test/scripts/make_text_golden.py
Needs spm_train, spm_encode and spm_normalize on the PATH (Debian/Ubuntu: apt-get install sentencepiece).

Writes into data-pipeline/src/test/resources/text/:
  spm_corpus.txt      deterministic synthetic training corpus (also used by the Java BPE trainer test)
  spm_rules.tsv       a tiny custom normalization rule set (compiled by spm_train into the unigram model's
                      precompiled_charsmap, so the Java double-array trie reader is exercised with a small file)
  unigram.model       spm_train --model_type=unigram, custom rules above
  bpe.model           spm_train --model_type=bpe, identity normalization
  spm_sentences.txt   sentences to encode (in-corpus, unseen words, unknown characters, odd whitespace,
                      characters the custom rules rewrite)
  {unigram,bpe}.{pieces,ids}.txt   spm_encode's output, one line per input sentence
  {unigram,bpe}.normalized.txt     spm_normalize --use_internal_normalization's output (with the "▁" marks)
"""
import os
import random
import subprocess
import sys
import tempfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "text")

WORDS = """the a of and to in is that it was for on are as with his they at be this from have or
by one had not but what all were when we there can an your which their said if do will each about
how up out them then she many some so these would other into has more her two like him see time could
no make than first been its who now people my made over did down only way find use may water long
little very after words called just where most know get through back much before go good new write
our used me man too any day same right look think also around another came come work three word must
because does part even place well such here take why help put different away again off went old
number great tell men say small every found still between name should home big give air line set own
under read last never us left end along while might next sound below saw something thought both few
those always looked show large often together asked house don't world going want school important until
form food keep children feet land side without boy once animals life enough took sometimes four head
above kind began almost live page got earth need far hand high year mother light parts country father
let's night following picture being study second eyes soon times story boys since white days ever paper
hard near sentence better best across during today others however sure means knew it's try told young
miles sun ways thing whole hear example heard several change answer room sea against top turned learn
point city play toward five using himself usually""".split()

RULES = (
    ["%X\t%X" % (c, c + 0x20) for c in range(0x41, 0x5B)]          # A-Z -> a-z
    + ["%X\t%X" % (c, c - 0xFF41 + 0x61) for c in range(0xFF41, 0xFF5B)]  # full-width a-z -> a-z
    + ["2019\t27",      # right single quotation mark -> apostrophe
       "9\t20",         # tab -> space
       "A0\t20",        # no-break space -> space
       "FB01\t66 69",   # fi ligature -> f i (one to many)
       "65 301\t65",    # e + combining acute -> e (many to one; longest match)
       "AD\t"]          # soft hyphen -> removed
)

SENTENCES = [
    "the people of the world",
    "we will go home before the sun",
    "it's a good day to learn something new",
    "don't tell me what you want",
    "the children found a big white house near the sea",
    "quixotic zephyrs jumbled",                 # unseen words (subword pieces)
    "hello world",
    "  leading and trailing spaces  ",
    "many    internal     spaces",
    "tab\tinside",
    "",
    "unknown ж characters жжж here",
    "straße and café",
    "digits 42 and 7",
    "euro € sign",
    "ＦＵＬＬ width ｔｅｘｔ",
    "ﬁne ligature",
    "THE UPPER CASE WORDS",
    "right’s quote",
    "soft\u00adhyphen and no\u00a0break",
    "cafe\u0301 combining",
    "a",
    "x y z q j",
    "the the the the the",
    "supercalifragilistic",
]


def run(cmd, cwd):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20250731)
    # Zipf-like word frequencies so that frequent words become whole pieces.
    weights = [1.0 / (i + 1) for i in range(len(WORDS))]
    corpus = []
    for _ in range(1200):
        n = rng.randint(3, 10)
        corpus.append(" ".join(rng.choices(WORDS, weights, k=n)))
    write_lines("spm_corpus.txt", corpus)
    write_lines("spm_rules.tsv", RULES)
    write_lines("spm_sentences.txt", SENTENCES)
    with tempfile.TemporaryDirectory() as tmp:
        # Relative paths inside a scratch folder: spm_train records its input and prefix in the model file,
        # and these keep the committed models free of machine paths (and byte-reproducible).
        for name in ("spm_corpus.txt", "spm_rules.tsv"):
            with open(os.path.join(OUT, name), "rb") as src, open(os.path.join(tmp, name), "wb") as dst:
                dst.write(src.read())
        common = ["--input=spm_corpus.txt", "--vocab_size=150", "--character_coverage=1.0",
                  "--num_threads=1", "--random_seed=7"]
        run(["spm_train", "--model_type=unigram", "--model_prefix=unigram",
             "--normalization_rule_tsv=spm_rules.tsv"] + common, tmp)
        run(["spm_train", "--model_type=bpe", "--model_prefix=bpe",
             "--normalization_rule_name=identity"] + common, tmp)
        for name in ("unigram", "bpe"):
            with open(os.path.join(tmp, name + ".model"), "rb") as src, \
                    open(os.path.join(OUT, name + ".model"), "wb") as dst:
                dst.write(src.read())
            model = os.path.join(OUT, name + ".model")
            sentences = os.path.join(OUT, "spm_sentences.txt")
            for fmt, suffix in (("piece", "pieces"), ("id", "ids")):
                out = subprocess.run(["spm_encode", "--model=" + model, "--output_format=" + fmt, sentences],
                                     check=True, capture_output=True).stdout
                with open(os.path.join(OUT, "%s.%s.txt" % (name, suffix)), "wb") as f:
                    f.write(out)
            with open(sentences, "rb") as f:
                out = subprocess.run(["spm_normalize", "--model=" + model, "--use_internal_normalization"],
                                     stdin=f, check=True, capture_output=True).stdout
            with open(os.path.join(OUT, name + ".normalized.txt"), "wb") as f:
                f.write(out)


def write_lines(name, lines):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
