#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: small valid files, and a few
edge cases next to them, from which libFuzzer's mutations start.

    make_corpus.py [CORPUS_DIR]     (default: tests/fuzz/corpus beside this script)

Writes CORPUS_DIR/safetensors/*.safetensors and CORPUS_DIR/idx/*, replacing
files of the same name and leaving others (such as crash inputs added as
regression seeds) alone. The output is deterministic (gzip without a time
stamp), so rerunning it leaves a clean git tree. Standard library only: the
files are laid out byte by byte as the formats describe them
(fixnet/io/safetensors.hpp, fixnet/data/idx.hpp).
"""

import gzip
import json
import os
import struct
import sys
import zlib

# --- safetensors -------------------------------------------------------------

# Element formats for struct, by dtype.
PACK = {"F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "I16": "h", "I8": "b",
        "U8": "B", "BOOL": "?"}


def pack(dtype, values):
    if dtype == "BF16":  # the top half of a float's bits
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    return struct.pack("<" + PACK[dtype] * len(values), *values)


def safetensors(tensors, metadata=None, crc=True, pad=True):
    """A safetensors file: tensors is [(name, dtype, shape, values)] in data
    order. With crc, the data's CRC-32 goes into the metadata as fixnet's
    Writer records it; with pad, the header is padded to a multiple of 8."""
    header, data = {}, b""
    meta = dict(metadata or {})
    for name, dtype, shape, values in tensors:
        raw = pack(dtype, values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if crc:
        meta["fixnet.crc32"] = f"{zlib.crc32(data):08x}"
    if meta:
        header = {"__metadata__": meta, **header}
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def raw_safetensors(header_text, data=b""):
    """A file with the given header text as is (for malformed headers)."""
    text = header_text.encode()
    return struct.pack("<Q", len(text)) + text + data


# The fuzz target's network: Mlp<Sigmoid, Softmax, 2, 4, 3>, whose tensors
# nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 3)) names.
def network_tensors(dtype="F32"):
    return [
        ("0.weight", dtype, [4, 2], [0.5, -0.25, 1.0, 0.0, -1.5, 2.0, 0.125, -0.75]),
        ("0.bias", dtype, [4], [0.0, 0.1, -0.1, 1.0]),
        ("2.weight", dtype, [3, 4], [0.25 * i - 1.0 for i in range(12)]),
        ("2.bias", dtype, [3], [-0.5, 0.0, 0.5]),
    ]


FIXNET_METADATA = {
    "format": "pt",
    "fixnet.version": "0.1.0",
    "fixnet.network": "Network<Dense<2, 4, Sigmoid>, Dense<4, 3, Softmax>>",
    "fixnet.layers": "Dense<2, 4, Sigmoid>; Dense<4, 3, Softmax>",
    "fixnet.scalar": "float",
}

STANDARDIZATION = [
    ("standardization.mean", "F32", [2], [0.5, -2.0]),
    ("standardization.stddev", "F32", [2], [1.5, 0.25]),
]


def safetensors_corpus():
    every_dtype = [
        ("f64", "F64", [2], [1.0, -1e300]),
        ("f32", "F32", [1, 2], [3.5, -0.0]),
        ("f16", "F16", [3], [1.0, 65504.0, 6e-8]),
        ("bf16", "BF16", [2], [1.0, -3.0]),
        ("i64", "I64", [], [-1234567890123]),
        ("i32", "I32", [1], [7]),
        ("i16", "I16", [2], [-2, 3]),
        ("i8", "I8", [2, 1], [-128, 127]),
        ("u8", "U8", [3], [0, 128, 255]),
        ("bool", "BOOL", [2], [True, False]),
        ("empty", "F32", [0, 3], []),
    ]
    return {
        # Loads into the fuzz target's network: as fixnet writes it, as
        # PyTorch writes it (no metadata, no CRC), with a standardization, and
        # in the other floating dtypes, which are converted.
        "network_fixnet.safetensors": safetensors(network_tensors(), FIXNET_METADATA),
        "network_pytorch.safetensors": safetensors(network_tensors(), crc=False),
        "network_standardization.safetensors": safetensors(network_tensors() + STANDARDIZATION, FIXNET_METADATA),
        "network_f16.safetensors": safetensors(network_tensors("F16"), crc=False),
        "network_bf16.safetensors": safetensors(network_tensors("BF16"), crc=False),
        "network_f64.safetensors": safetensors(network_tensors("F64"), crc=False),
        # Every dtype, a scalar, an empty tensor, metadata.
        "every_dtype.safetensors": safetensors(every_dtype, {"key": "value"}),
        # Edge cases, each refused for one reason.
        "empty_header.safetensors": raw_safetensors("{}"),
        "unpadded.safetensors": safetensors(network_tensors(), crc=False, pad=False),
        "bad_crc.safetensors": safetensors(network_tensors(), {"fixnet.crc32": "00000000"}, crc=False),
        "other_network.safetensors": safetensors(
            network_tensors(), dict(FIXNET_METADATA, **{"fixnet.layers": "Dense<2, 4, Tanh>; Dense<4, 3, Softmax>"})),
        "non_finite.safetensors": safetensors(
            [("0.weight", "F32", [4, 2], [float("nan")] * 8)] + network_tensors()[1:], crc=False),
        "overlap.safetensors": raw_safetensors(
            '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
            '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', bytes(12)),
        "past_the_end.safetensors": raw_safetensors(
            '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', bytes(8)),
        "huge_shape.safetensors": raw_safetensors(
            '{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', bytes(8)),
        "header_too_long.safetensors": struct.pack("<Q", 2**63) + b"{}",
    }


# --- IDX ---------------------------------------------------------------------


def idx(type_code, sizes, payload):
    """An IDX file: magic 0x00 0x00 <type> <dimensions>, big-endian sizes, payload."""
    return bytes([0, 0, type_code, len(sizes)]) + b"".join(struct.pack(">I", s) for s in sizes) + payload


def gz(data):
    return gzip.compress(data, mtime=0)


def idx_corpus():
    images = idx(0x08, [3, 2, 2], bytes(range(0, 240, 20)))  # three 2 x 2 images
    labels = idx(0x08, [3], bytes([3, 0, 9]))
    return {
        "images_2x2": images,
        "images_2x2.gz": gz(images),
        "labels": labels,
        "labels.gz": gz(labels),
        "images_2x3": idx(0x08, [2, 2, 3], bytes(range(12))),
        "images_none": idx(0x08, [0, 28, 28], b""),
        # Two gzip members back to back: gzread reads them as one stream.
        "images_2x2_two_members.gz": gz(images[:10]) + gz(images[10:]),
        # Edge cases, each refused for one reason.
        "images_truncated": images[:-1],
        "images_longer": images + b"\x00",
        "images_truncated.gz": gz(images)[:-6],
        "labels_out_of_range": idx(0x08, [2], bytes([1, 200])),
        "labels_float": idx(0x0D, [1], struct.pack(">f", 1.0)),
        "header_only": bytes([0, 0, 8, 3, 0, 0]),
        "huge_count": idx(0x08, [0xFFFFFFFF, 0xFFFF, 0xFFFF], b"\x01\x02"),
    }


def write(directory, files):
    os.makedirs(directory, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    print(f"{directory}: {len(files)} files")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    write(os.path.join(root, "safetensors"), safetensors_corpus())
    write(os.path.join(root, "idx"), idx_corpus())
    return 0


if __name__ == "__main__":
    sys.exit(main())
