"""Peer of bench/scale-dataset.ts: pydicom header-only reads of the same files (one process).

Reads a folder path from argv[1]; prints one JSON line {files, seconds, cpu}.
"""
import json
import os
import sys
import time

import pydicom

root = sys.argv[1]
wall, cpu = time.perf_counter(), time.process_time()
n = 0
with os.scandir(root) as entries:
    for entry in entries:
        if not entry.name.endswith(".dcm"):
            continue
        ds = pydicom.dcmread(entry.path, stop_before_pixels=True)
        # The fields ich index keeps.
        _ = (ds.get("PatientID"), ds.get("StudyInstanceUID"), ds.get("SeriesInstanceUID"), ds.get("SOPInstanceUID"), ds.get("Rows"), ds.get("Columns"),
             ds.get("BitsStored"), ds.get("PixelRepresentation"), ds.get("RescaleIntercept"), ds.get("RescaleSlope"), ds.get("WindowCenter"),
             ds.get("WindowWidth"), ds.get("PixelSpacing"), ds.get("SliceThickness"), ds.get("ImagePositionPatient"))
        n += 1
print(json.dumps({"files": n, "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
