#!/usr/bin/env python3
"""Writes the Hugging Face Parquet fixture (hf/) with the `datasets` library itself, as the Hub serves audio datasets.

An `Audio` column is stored by `datasets` as struct<bytes: binary, path: string> (bytes = the encoded file, path = its
original name; a row may hold only a path, relative to where the data sits), with the features in the file's
`huggingface` schema metadata; `Dataset.to_parquet` writes it (see datasets/features/audio.py, `pa_type`, and
datasets/io/parquet.py). Audio comes in as bytes so no decoder (torchcodec) is needed: a pyarrow table cast to
`Audio()`.

Layout (data/<split>-NNNNN-of-NNNNN.parquet is how the Hub's Parquet conversion and `push_to_hub` name shards):
  data/train-00000-of-00002.parquet  rows with WAV, FLAC, MP3 and Ogg Opus bytes, Common Voice's column names
                                     (`sentence`, `client_id`, `locale`), a path-only row, and damaged rows; row
                                     groups of 2 rows, so a file holds several
  data/train-00001-of-00002.parquet  GigaSpeech-like columns (`segment_id`, `text`, `speaker`), no `sentence`
  data/clips/path_only.wav           the file the path-only row names

Run from this folder (needs `pip install datasets pyarrow`): python3 make_hf_fixture.py
Version: datasets 5.0.1, pyarrow 25.0.1.
"""
import os
import shutil

import pyarrow as pa
from datasets import Audio, Dataset

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.dirname(HERE)


def read(rel):
    with open(os.path.join(RES, rel), "rb") as f:
        return f.read()


def audio_table(columns, audio):
    struct = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
    data = dict(columns)
    data["audio"] = pa.array(audio, type=struct)
    return pa.table(data)


def main():
    data = os.path.join(HERE, "data")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(os.path.join(data, "clips"))
    shutil.copy(os.path.join(RES, "tar/loose/speech.wav"), os.path.join(data, "clips/path_only.wav"))
    os.chdir(data)  # datasets sizes path-only rows by opening them, relative to the working folder

    # Common Voice-like: path (file name) + sentence; key column 'id' is absent, so rows are keyed by file and row.
    cv = audio_table({
        "client_id": ["c1", "c2", "c3", "c4", "c5", "c6", "c7"],
        "sentence": ["hello from a wav", "a flac clip", "an mp3 clip", "an opus clip", "only a path",
                     "damaged bytes", None],
        "locale": ["en"] * 7,
    }, [
        {"bytes": read("tar/loose/speech.wav"), "path": "cv_1.wav"},
        {"bytes": read("tar/loose/speech.flac"), "path": "cv_2.flac"},
        {"bytes": read("golden/mp3/a_16k_mono_vbr.mp3"), "path": "cv_3.mp3"},
        {"bytes": read("golden/ogg/a_16k_mono_opus24.opus"), "path": "cv_4.opus"},
        {"bytes": None, "path": "clips/path_only.wav"},
        {"bytes": b"not audio at all" * 8, "path": "cv_6.mp3"},
        {"bytes": read("tar/loose/half.wav"), "path": "cv_7.wav"},
    ])
    Dataset(cv).cast_column("audio", Audio(sampling_rate=16000)).to_parquet(
        "train-00000-of-00002.parquet", batch_size=2)

    giga = audio_table({
        "segment_id": ["POD0001_S1", "POD0001_S2", "POD0001_S3"],
        "speaker": ["N/A", "spk2", "spk3"],
        "text": ["a giga wav", "a giga mp3", "no audio at all"],
        "begin_time": [0.0, 1.5, 3.0],
    }, [
        {"bytes": read("golden/mp3/src_a_16k.wav"), "path": "POD0001_S1.wav"},
        {"bytes": read("golden/mp3/b_22k_stereo_cbr64.mp3"), "path": None},
        None,
    ])
    Dataset(giga).cast_column("audio", Audio(sampling_rate=16000)).to_parquet(
        "train-00001-of-00002.parquet")


if __name__ == "__main__":
    main()
