#!/usr/bin/python3
"""Times numpy's float32 x @ W.T (W stored [n, k], as engine/linalg.Linear) on
the shapes of BenchmarkLinear, for comparison with the Go kernels.

Run with Debian's python and OpenBLAS, with the OpenBLAS tuning variables
that may be set in this environment removed (they can pick a slow core type):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 \
        /usr/bin/python3 scripts/bench/sgemm_numpy.py [--repeat 5]

and compare with

    go test ./engine/linalg/ -run XXX -bench Linear

It prints the BLAS core OpenBLAS chose (threadpoolctl when installed,
otherwise openblas_get_corename/openblas_get_config via ctypes) and, per
shape m×k×n, the best of --repeat timings in GFLOP/s (2·m·n·k per call, wall
clock) and GFLOP/cpu-s (per second of process CPU time, all threads; note
OpenBLAS threads may spin while waiting). The machine is shared, so take the
best of several runs.
"""
import argparse
import ctypes
import ctypes.util
import os
import time

import numpy as np

SHAPES = [(1024, 1024, 4096), (128, 1024, 4096), (1, 1024, 4096), (1728, 1024, 4096)]


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return "; ".join(f"{d.get('internal_api')} {d.get('version')} core={d.get('architecture')} "
                         f"threads={d.get('num_threads')}" for d in threadpool_info())
    except ImportError:
        pass
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if "blas" in path and path.endswith((".so", ".so.0", ".so.3")):
            lib = ctypes.CDLL(path)
            try:
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                threads = lib.openblas_get_num_threads()
                return (f"{path}: core={lib.openblas_get_corename().decode()} "
                        f"config={lib.openblas_get_config().decode()} threads={threads}")
            except AttributeError:
                return f"{path} (not OpenBLAS)"
    return "unknown BLAS"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print("OPENBLAS_CORETYPE=%r OPENBLAS_L2_SIZE=%r OPENBLAS_NUM_THREADS=%r" % (
        os.environ.get("OPENBLAS_CORETYPE"), os.environ.get("OPENBLAS_L2_SIZE"),
        os.environ.get("OPENBLAS_NUM_THREADS")))
    rng = np.random.default_rng(1)
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)  # load BLAS
    print("BLAS:", blas_info())
    for m, k, n in SHAPES:
        x = rng.standard_normal((m, k), dtype=np.float32)
        w = rng.standard_normal((n, k), dtype=np.float32)
        y = np.empty((m, n), np.float32)
        np.matmul(x, w.T, out=y)  # warm up
        calls = max(1, int(2e10 / (2 * m * n * k)))  # ~20 GFLOP a timing
        best, best_cpu = float("inf"), float("inf")
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            for _ in range(calls):
                np.matmul(x, w.T, out=y)
            best = min(best, (time.perf_counter() - t) / calls)
            best_cpu = min(best_cpu, (time.process_time() - c) / calls)
        flop = 2 * m * n * k
        print(f"numpy {m}x{k}x{n}: {best * 1e3:9.3f} ms/op {flop / best / 1e9:8.1f} GFLOP/s "
              f"{flop / best_cpu / 1e9:8.1f} GFLOP/cpu-s")


if __name__ == "__main__":
    main()
