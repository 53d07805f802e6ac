#!/usr/bin/env python3
"""Reference decoder for the gate's camera benchmark: ZXing-C++ through the PyPI package
`zxing-cpp` (pip install zxing-cpp numpy pillow), on the images the benchmark wrote.

Usage: zxing_reference.py DIR [REPS]

DIR holds the PNGs and truth.tsv (file<TAB>payload). Each image is loaded into memory first;
only the read_barcodes() call is timed, in wall time and in thread CPU time: one untimed read
per image (which also decides success: the expected text is among the codes read), then REPS
timed reads whose median is the image's time. Prints the median and p99 over images and the
success count, then a machine-readable RESULT line and the names of the images it could not
read.
"""
import importlib.metadata
import math
import statistics
import sys
import time

import numpy as np
import zxingcpp
from PIL import Image


def percentile(values, p):
    values = sorted(values)
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def main():
    directory = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rows = [line.rstrip("\n").split("\t") for line in open(f"{directory}/truth.tsv", encoding="utf-8")][1:]
    images = [(name, payload, np.asarray(Image.open(f"{directory}/{name}").convert("L"))) for name, payload, *_ in rows]
    qr = zxingcpp.BarcodeFormat.QRCode
    wall, cpu, failed = [], [], []
    for name, payload, image in images:
        ok = any(code.text == payload for code in zxingcpp.read_barcodes(image, formats=qr))
        if not ok:
            failed.append(name)
        wall_runs, cpu_runs = [], []
        for _ in range(reps):
            start, start_cpu = time.perf_counter(), time.thread_time()
            zxingcpp.read_barcodes(image, formats=qr)
            cpu_runs.append((time.thread_time() - start_cpu) * 1e3)
            wall_runs.append((time.perf_counter() - start) * 1e3)
        wall.append(statistics.median(wall_runs))
        cpu.append(statistics.median(cpu_runs))
    n, ok = len(images), len(images) - len(failed)
    try:
        version = importlib.metadata.version("zxing-cpp")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    print(
        f"zxing-cpp {version} (PyPI): {ok}/{n} read; wall median {percentile(wall, 50):.2f} ms, p99 "
        f"{percentile(wall, 99):.2f} ms; CPU median {percentile(cpu, 50):.2f} ms, p99 {percentile(cpu, 99):.2f} ms"
    )
    print(
        f"RESULT version={version} ok={ok} n={n} wall_median_ms={percentile(wall, 50):.3f} "
        f"wall_p99_ms={percentile(wall, 99):.3f} cpu_median_ms={percentile(cpu, 50):.3f} cpu_p99_ms={percentile(cpu, 99):.3f}"
    )
    print("FAILED " + " ".join(failed))


if __name__ == "__main__":
    main()
