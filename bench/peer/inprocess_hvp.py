"""The in-process peer of bench/bridge.ts: the bridge's own engine (neumann_lens.engine.LocalEngine,
the code a bridge HVP runs) called directly in Python on the same problem, so the difference to a
bridge HVP is the transport alone (framing, pipes, encoding). Same protocol as the bridge child: a
first HVP builds the double-backward graph at w, then the median of --reps HVPs at that w.

  PYTHONPATH=python /usr/bin/python3 bench/peer/inprocess_hvp.py --problem bench/peer/mlp_problem.py --reps 5
"""
import argparse
import json
import math
import statistics
import time

import torch

from neumann_lens.engine import LocalEngine
from neumann_lens.problem import load_problem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--problem', required=True)
    ap.add_argument('--reps', type=int, default=5)
    args = ap.parse_args()
    dtype = torch.float32
    engine = LocalEngine(load_problem(args.problem, dtype, torch.device('cpu')), dtype, torch.device('cpu'))
    n = engine.count
    # The same vectors as the bridge child: sin(0.37 i + k), in float64 then cast, as the wire does.
    idx = torch.arange(n, dtype=torch.float64)

    def vector(k):
        return torch.sin(idx * 0.37 + k).to(dtype)[None, :]

    t = time.perf_counter()
    engine.hvp(vector(0))
    first = (time.perf_counter() - t) * 1000
    times = []
    for k in range(1, args.reps + 1):
        t = time.perf_counter()
        out = engine.hvp(vector(k))
        times.append((time.perf_counter() - t) * 1000)
        assert math.isfinite(float(out.sum()))
    print(json.dumps({'params': n, 'firstHvpMs': first, 'hvpMs': statistics.median(times), 'hvps': times}))


if __name__ == '__main__':
    main()
