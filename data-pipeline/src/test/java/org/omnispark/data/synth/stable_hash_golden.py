#!/usr/bin/python3
"""Independent reference for org.omnispark.data.synth.StableHash (FNV-1a 64 over UTF-8, then SplitMix64's
finalizer). Prints the golden values that StableHashTest asserts. Run: python3 stable_hash_golden.py"""
M = (1 << 64) - 1


def fnv1a64(data: bytes) -> int:
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & M
    return h


def mix64(z: int) -> int:
    z &= M
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)


def signed(x: int) -> int:
    return x - (1 << 64) if x >= 1 << 63 else x


for text in ["", "a", "sentence:the big dog", "voice:en-us+m3", "caf\u00e9"]:
    h = mix64(fnv1a64(text.encode("utf-8")))
    unit = (h >> 11) / float(1 << 53)
    print(f"{text!r}\t{signed(h)}L\t{unit!r}")
