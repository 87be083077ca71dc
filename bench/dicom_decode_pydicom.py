"""Peer of bench/dicom-decode.ts: the same pipeline with Debian's pydicom + numpy.

Reads file paths (one per line) from stdin; usage: dicom_decode_pydicom.py PASSES HEADER_PASSES. Runs
  (a) decode -> HU (RSNA fix) -> brain/subdural/bone windows -> 256x256x3 float32 tensor
  (b) header-only read (stop_before_pixels=True) of the key fields
and prints one JSON line with wall-clock and CPU seconds of each, slice count and a tensor checksum.
"""
import json
import sys
import time

import numpy as np
import pydicom
from pydicom_windows import hu_of, windowed

SIZE = 256


def resize(img, size):
    rows, cols, channels = img.shape
    if rows % size == 0 and cols % size == 0:
        fy, fx = rows // size, cols // size
        return img.reshape(size, fy, size, fx, channels).mean(axis=(1, 3), dtype=np.float32)
    ys = np.linspace(0, rows - 1, size)
    xs = np.linspace(0, cols - 1, size)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, rows - 1)
    x1 = np.minimum(x0 + 1, cols - 1)
    wy = (ys - y0)[:, None, None]
    wx = (xs - x0)[None, :, None]
    top = img[y0][:, x0] * (1 - wx) + img[y0][:, x1] * wx
    bottom = img[y1][:, x0] * (1 - wx) + img[y1][:, x1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def tensor_of(path):
    ds = pydicom.dcmread(path)
    return resize(np.stack(windowed(hu_of(ds)), axis=-1), SIZE)


def header_of(path):
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    return (ds.Rows, ds.Columns, ds.get("SOPInstanceUID"), ds.get("SeriesInstanceUID"), ds.get("ImagePositionPatient"),
            ds.get("RescaleIntercept"), ds.get("RescaleSlope"), ds.get("WindowCenter"), ds.get("BitsStored"))


def main():
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    header_passes = int(sys.argv[2]) if len(sys.argv) > 2 else passes * 10
    files = [line.strip() for line in sys.stdin if line.strip()]
    for path in files:  # untimed warm-up pass per phase, as on the Node side
        header_of(path)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(header_passes):
        for path in files:
            header_of(path)
    header_seconds, header_cpu = time.perf_counter() - start, time.process_time() - cpu
    for path in files:
        tensor_of(path)
    checksum = 0.0
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(passes):
        for path in files:
            checksum += float(tensor_of(path)[SIZE // 2, SIZE // 2, 0])
    decode_seconds, decode_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"decode_seconds": decode_seconds, "decode_cpu_seconds": decode_cpu, "header_seconds": header_seconds,
                      "header_cpu_seconds": header_cpu, "slices": passes * len(files), "checksum": checksum,
                      "pydicom": pydicom.__version__, "numpy": np.__version__}))


if __name__ == "__main__":
    main()
