#!/usr/bin/env python3
"""What the recipes need from OmniSpark's own files, read from them rather than scraped from logs or YAML.

  read_report.py has-decoder MODEL_DIR           exit 0 when MODEL_DIR/model.json has an attention decoder
                                                 (decoder_conf.num_blocks > 0), else 1
  read_report.py value FIELD MODE REPORT...      FIELD (e.g. cer, wer, rtf) of MODE in each eval report.json,
                                                 in percent for cer and wer, one per report, space separated
  read_report.py rtf REPORT...                   "mode rtf" for every mode of each report.json

Standard library only (the recipes run it with /usr/bin/python3).
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv):
    if len(argv) >= 2 and argv[0] == "has-decoder":
        conf = load(argv[1] + "/model.json")["model_config"]
        return 0 if conf.get("decoder_conf", {}).get("num_blocks", 0) > 0 else 1
    if len(argv) >= 4 and argv[0] == "value":
        field, mode = argv[1], argv[2]
        out = []
        for report in argv[3:]:
            v = load(report)["modes"][mode][field]
            out.append("%.2f" % (100 * v) if field in ("cer", "wer") else "%.3f" % v)
        print(" ".join(out))
        return 0
    if len(argv) >= 2 and argv[0] == "rtf":
        out = []
        for report in argv[1:]:
            for mode, m in load(report)["modes"].items():
                out.append("%s %.3f" % (mode, m["rtf"]))
        print(" ".join(out))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
