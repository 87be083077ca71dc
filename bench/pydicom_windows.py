"""The pydicom side of the benchmarks' shared pipeline: HU with the RSNA fix and the
brain/subdural/bone windows, as src/core/dicom/modality.ts and src/shared/window.ts compute them.
Imported by dicom_decode_pydicom.py and predict_pytorch.py (run from this folder's scripts)."""
import numpy as np

WINDOWS = [(80.0, 40.0), (254.0, 100.0), (2800.0, 600.0)]  # (width, level): brain, subdural, bone


def window_transform(width, level):
    # DICOM linear VOI scaled to [0, 1], as src/shared/window.ts
    return level - 0.5 - (width - 1) / 2, 1.0 / (width - 1)


def hu_of(ds):
    stored = ds.pixel_array.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1))
    intercept = float(getattr(ds, "RescaleIntercept", 0))
    if ds.BitsStored == 12 and ds.PixelRepresentation == 0 and intercept > -100:
        stored = stored + 1000
        stored[stored >= 4096] -= 4096
        intercept = -1000.0
    return stored * slope + intercept


def windowed(hu):
    """The three windows of an HU image, each clipped to [0, 1]."""
    channels = []
    for width, level in WINDOWS:
        offset, scale = window_transform(width, level)
        channels.append(np.clip((hu - offset) * scale, 0.0, 1.0))
    return channels
