#!/usr/bin/python3
"""Independent reader of TensorBoard event files, standard library only (no tensorboard / protobuf package).

Usage: /usr/bin/python3 read_tfevents.py EVENT_FILE
Parses the TFRecord framing (uint64 LE length, masked CRC32C of the length bytes, data, masked CRC32C of the data),
checks both CRCs of every record (CRC32C = Castagnoli, reflected polynomial 0x82F63B78; mask = rotate right by 15 plus
0xa282ead8), decodes each Event protobuf (wall_time=1 double, step=2 int64, file_version=3 string, summary=5 with
repeated value=1 {tag=1 string, simple_value=2 float}) and prints one JSON object per event:
{"wall_time": .., "step": .., "file_version": "..", "scalars": {"tag": value, ...}}.
Exits with status 1 and a message on any CRC or format error. Used by TensorBoardWriterTest.
"""
import json
import struct
import sys


def _table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = _table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, pos):
    result, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(buf):
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        yield field, wire, value


def decode_event(buf):
    event = {"wall_time": 0.0, "step": 0, "file_version": "", "scalars": {}}
    for field, wire, value in fields(buf):
        if field == 1 and wire == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif field == 2 and wire == 0:
            event["step"] = value
        elif field == 3 and wire == 2:
            event["file_version"] = value.decode("utf-8")
        elif field == 5 and wire == 2:
            for f, w, v in fields(value):
                if f == 1 and w == 2:
                    tag, simple = None, None
                    for f2, w2, v2 in fields(v):
                        if f2 == 1 and w2 == 2:
                            tag = v2.decode("utf-8")
                        elif f2 == 2 and w2 == 5:
                            simple = struct.unpack("<f", v2)[0]
                    event["scalars"][tag] = simple
    return event


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    pos, events = 0, []
    while pos < len(data):
        header = data[pos:pos + 8]
        length = struct.unpack("<Q", header)[0]
        if struct.unpack("<I", data[pos + 8:pos + 12])[0] != masked(header):
            raise ValueError("record %d: length CRC mismatch" % len(events))
        payload = data[pos + 12:pos + 12 + length]
        if len(payload) != length:
            raise ValueError("record %d: truncated" % len(events))
        if struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])[0] != masked(payload):
            raise ValueError("record %d: data CRC mismatch" % len(events))
        events.append(decode_event(payload))
        pos += 16 + length
    return events


if __name__ == "__main__":
    assert crc32c(b"123456789") == 0xE3069283, "CRC32C check value"
    try:
        for e in read(sys.argv[1]):
            print(json.dumps(e, sort_keys=True))
    except (ValueError, IndexError, struct.error) as err:
        print("error: %s" % err, file=sys.stderr)
        sys.exit(1)
