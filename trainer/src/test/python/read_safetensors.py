#!/usr/bin/python3
"""An independent reader of a safetensors file (the format's spec, with the standard library only), for
SafetensorsExportTest: prints one JSON object with the metadata and, per tensor, its dtype, shape, the sum of its
values and its first and last values.

Usage: /usr/bin/python3 read_safetensors.py model.safetensors
"""
import json
import struct
import sys


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len].decode("utf-8"))
    body = data[8 + header_len:]
    out = {"metadata": header.pop("__metadata__", {}), "tensors": {}}
    end_of_data = 0
    for name, t in header.items():
        assert t["dtype"] == "F32", (name, t["dtype"])
        begin, end = t["data_offsets"]
        count = 1
        for d in t["shape"]:
            count *= d
        assert end - begin == 4 * count, (name, begin, end, t["shape"])
        values = struct.unpack("<%df" % count, body[begin:end])
        out["tensors"][name] = {"shape": t["shape"], "sum": sum(values), "first": list(values[:4]),
                                "last": values[-1]}
        end_of_data = max(end_of_data, end)
    assert end_of_data == len(body), ("bytes after the last tensor", end_of_data, len(body))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
