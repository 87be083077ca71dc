"""Peer of bench/predict-throughput.ts: ResNet18 prediction with PyTorch + pydicom (Debian's
python3-torch, python3-torchvision, python3-pydicom; run with /usr/bin/python3).

  predict_pytorch.py e2e SIZE BATCH THREADS < file list   end to end over the files
  predict_pytorch.py model SIZE BATCH THREADS REPEATS     model only, random input

e2e reads each file with pydicom, converts to HU with the RSNA fix, stacks the brain/subdural/bone
windows, resizes (area), runs ResNet18 (6 outputs, sigmoid) in batches. Prints one JSON line:
seconds of the work (after imports and model construction), import+build seconds, images.
"""
import json
import sys
import time

started = time.perf_counter()
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402
from pydicom_windows import hu_of, windowed  # noqa: E402


def tensor_of(path, size):
    x = torch.from_numpy(np.stack(windowed(hu_of(pydicom.dcmread(path))))).unsqueeze(0)  # 1 x 3 x H x W
    return F.interpolate(x, size=(size, size), mode="area")[0]


def model_of():
    model = torchvision.models.resnet18(num_classes=6)
    model.eval()
    return model


def main():
    mode, size, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    model = model_of()
    ready = time.perf_counter()
    if mode == "e2e":
        files = [line.strip() for line in sys.stdin if line.strip()]
        t = time.perf_counter()
        out = []
        with torch.inference_mode():
            for i in range(0, len(files), batch):
                x = torch.stack([tensor_of(f, size) for f in files[i : i + batch]])
                out.append(torch.sigmoid(model(x)))
        seconds = time.perf_counter() - t
        probs = torch.cat(out)
        print(json.dumps({"images": len(files), "seconds": seconds, "startupSeconds": ready - started, "checksum": float(probs.sum())}))
        return
    repeats = int(sys.argv[5])
    x = torch.rand(batch, 3, size, size)
    with torch.inference_mode():
        for _ in range(2):  # warm-up
            torch.sigmoid(model(x))
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            torch.sigmoid(model(x))
            times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({"images": batch, "seconds": times[len(times) // 2], "startupSeconds": ready - started}))


main()
