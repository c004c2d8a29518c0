#!/usr/bin/env python3
"""Merges per-domain JSON-lines manifests into one labelled training manifest (experiment.sh --train-mix).

    mix_manifest.py OUT DOMAIN=MANIFEST[,SOURCE] ...

Every row of MANIFEST becomes a row of OUT with:
  key             DOMAIN-<its key> (keys repeat across domains: each part was synthesized on its own)
  audio_filepath  its audio file, relative to OUT's folder (absolute paths stay absolute)
  text            its text
  domain          DOMAIN
  confidence, speaker, language (under the names the row uses): its own; where it lacks them and SOURCE is given
                  (the manifest its audio was made from, e.g. by `omnispark ood-sets`, whose rows carry only key,
                  wav and txt), the SOURCE row's with the same key. The duration is not kept: a tempo change alters it.
Field names are the data pipeline's (JsonLinesManifest): key/utt/utt_id/id, audio_filepath/wav/audio/path,
text/txt/transcript.

Refused, with the file and line: a row that is not a JSON object, no key or audio or text, a key repeated in the
output, a row whose key the SOURCE lacks, a domain name other than letters, digits, '_' and '.', an empty
MANIFEST. OUT is written whole or not at all (a temporary file renamed).
"""
import json
import os
import re
import sys

AUDIO_FIELDS = ("audio_filepath", "wav", "audio", "path")
TEXT_FIELDS = ("text", "txt", "transcript")
KEY_FIELDS = ("key", "utt", "utt_id", "id")
CARRIED = ("confidence", "score", "speaker", "spk", "language", "lang")
DOMAIN = re.compile(r"^[A-Za-z0-9_.]+$")


class MixError(Exception):
    """A manifest the mix refuses, with the reason."""


def read_rows(path):
    """The rows of a JSON-lines manifest (blank lines skipped), each with its line number."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                raise MixError("%s:%d: not JSON (%s)" % (path, number, e))
            if not isinstance(row, dict):
                raise MixError("%s:%d: not a JSON object" % (path, number))
            rows.append((number, row))
    return rows


def first(row, fields):
    for f in fields:
        if isinstance(row.get(f), str) and row[f]:
            return row[f]
    return None


def parse_part(spec):
    """DOMAIN=MANIFEST[,SOURCE] -> (domain, manifest, source or None)."""
    if "=" not in spec:
        raise MixError("a part must be DOMAIN=MANIFEST[,SOURCE], got %r" % spec)
    domain, files = spec.split("=", 1)
    if not DOMAIN.match(domain):
        raise MixError("domain %r: use letters, digits, '_' and '.' only (it prefixes every key)" % domain)
    manifest, _, source = files.partition(",")
    return domain, manifest, source or None


def mix(out, parts):
    """Writes OUT from the parts; returns {domain: rows}."""
    out_dir = os.path.dirname(os.path.abspath(out))
    seen = {}
    counts = {}
    lines = []
    for domain, manifest, source in parts:
        if domain in counts:
            raise MixError("domain %r is given twice" % domain)
        carried = {}
        if source is not None:
            for number, row in read_rows(source):
                if first(row, KEY_FIELDS) is not None:
                    carried[first(row, KEY_FIELDS)] = row
        rows = read_rows(manifest)
        if not rows:
            raise MixError("%s has no rows (domain %s)" % (manifest, domain))
        base = os.path.dirname(os.path.abspath(manifest))
        for number, row in rows:
            where = "%s:%d" % (manifest, number)
            key, audio, text = first(row, KEY_FIELDS), first(row, AUDIO_FIELDS), first(row, TEXT_FIELDS)
            if key is None or audio is None or text is None:
                raise MixError("%s: a row needs a key (%s), audio (%s) and text (%s), as the data pipeline reads them"
                               % (where, "/".join(KEY_FIELDS), "/".join(AUDIO_FIELDS), "/".join(TEXT_FIELDS)))
            mixed = domain + "-" + key
            if mixed in seen:
                raise MixError("%s: key %s repeats %s" % (where, mixed, seen[mixed]))
            seen[mixed] = where
            path = audio if os.path.isabs(audio) or "://" in audio else os.path.relpath(
                os.path.join(base, audio), out_dir)
            entry = {"key": mixed, "audio_filepath": path, "text": text, "domain": domain}
            if source is not None and key not in carried:
                raise MixError("%s: key %s is not in the source manifest %s" % (where, key, source))
            for f in CARRIED:  # the row's own, else its source row's
                if f in row:
                    entry[f] = row[f]
                elif source is not None and f in carried[key]:
                    entry[f] = carried[key][f]
            lines.append(json.dumps(entry, ensure_ascii=False))
        counts[domain] = len(rows)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, out)
    return counts


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) > 1 else 2
    try:
        counts = mix(argv[1], [parse_part(p) for p in argv[2:]])
    except (MixError, OSError) as e:
        print("mix_manifest: %s" % e, file=sys.stderr)
        return 1
    print("mixed %d rows into %s: %s" % (sum(counts.values()), argv[1],
                                         ", ".join("%s %d" % kv for kv in counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
