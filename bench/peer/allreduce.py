"""The collectives one HVP of bench/distributed.ts costs with 2 local ranks, alone: a broadcast of P
float64 values (the vector v) and an all-reduce of P + 1 (H·v and the error flag), over gloo on
loopback, like the bridge's own. Starts its other ranks itself; rank 0 prints one JSON line with the
medians (ms) over --runs, after one warm-up.

usage: python allreduce.py --world 2 --params 1060170 [--runs 10]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def rank_main(args):
    import datetime
    import torch
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method='env://', timeout=datetime.timedelta(seconds=120))
    v = torch.ones(args.params, dtype=torch.float64)
    r = torch.ones(args.params + 1, dtype=torch.float64)
    times = {'broadcastMs': [], 'allReduceMs': []}
    for i in range(args.runs + 1):
        dist.barrier()
        t = time.perf_counter()
        dist.broadcast(v, src=0)
        b = time.perf_counter()
        dist.all_reduce(r)
        a = time.perf_counter()
        if i:
            times['broadcastMs'].append((b - t) * 1e3)
            times['allReduceMs'].append((a - b) * 1e3)
    if dist.get_rank() == 0:
        print(json.dumps({'world': args.world, 'params': args.params, 'runs': args.runs,
                          **{k: statistics.median(x) for k, x in times.items()}}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--world', type=int, default=2)
    p.add_argument('--params', type=int, required=True)
    p.add_argument('--runs', type=int, default=10)
    args = p.parse_args()
    if 'RANK' in os.environ:
        return rank_main(args)
    env = dict(os.environ, MASTER_ADDR='127.0.0.1', MASTER_PORT=str(free_port()), WORLD_SIZE=str(args.world), OMP_NUM_THREADS='1')
    procs = [subprocess.Popen([sys.executable] + sys.argv, env=dict(env, RANK=str(r), LOCAL_RANK=str(r))) for r in range(args.world)]
    codes = [pr.wait() for pr in procs]
    return max(codes)


if __name__ == '__main__':
    sys.exit(main())
