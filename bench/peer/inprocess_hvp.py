"""The in-process peer of bench/bridge.ts: the bridge's own engine (neumann_lens.engine.LocalEngine,
the code a bridge H·v runs) called directly in Python on the same problem, so the difference to a
bridge H·v is the transport alone (framing, pipes, encoding). It waits on stdin so the benchmark
can alternate H·v by H·v between it and a bridge server over the same problem: each line `K` asks
for one H·v with v = sin(0.37 i + K) (the bridge child's vector; float64, then cast as the wire
does) and is answered with one JSON line `{"ms": …}`, the time of engine.hvp alone. The first
line it prints is `{"params": n}` once the problem is loaded.

  PYTHONPATH=python /usr/bin/python3 bench/peer/inprocess_hvp.py --problem bench/peer/mlp_problem.py
"""
import argparse
import json
import math
import sys
import time

import torch

from neumann_lens.engine import LocalEngine
from neumann_lens.problem import load_problem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--problem', required=True)
    args = ap.parse_args()
    dtype = torch.float32
    engine = LocalEngine(load_problem(args.problem, dtype, torch.device('cpu')), dtype, torch.device('cpu'))
    n = engine.count
    idx = torch.arange(n, dtype=torch.float64)
    print(json.dumps({'params': n}), flush=True)
    for line in sys.stdin:
        v = torch.sin(idx * 0.37 + float(line)).to(dtype)[None, :]
        t = time.perf_counter()
        out = engine.hvp(v)
        ms = (time.perf_counter() - t) * 1000
        if not math.isfinite(float(out.sum())):
            raise SystemExit('H·v is not finite')
        print(json.dumps({'ms': ms}), flush=True)


if __name__ == '__main__':
    main()
