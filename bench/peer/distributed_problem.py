"""The model of bench/distributed.ts: a 64-1024-960-10 tanh MLP (1,060,170 parameters) with
cross-entropy over BENCH_ROWS synthetic rows (default 20,000), sharded over the ranks like a user's
problem would be: every rank builds the same data from a fixed seed and keeps its tensor_split slice."""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

ROWS = int(os.environ.get('BENCH_ROWS', '20000'))


def neumann_problem(rank=0, world_size=1):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(ROWS, 64, generator=g)
    y = torch.randint(0, 10, (ROWS,), generator=g)
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 1024), nn.Tanh(), nn.Linear(1024, 960), nn.Tanh(), nn.Linear(960, 10))
    mine = torch.tensor_split(torch.arange(ROWS), world_size)[rank]
    xs, ys = x[mine], y[mine]
    return {
        'model': model,
        'train_loss': lambda m: F.cross_entropy(m(xs), ys),
        'val_loss': lambda m: F.cross_entropy(m(xs[:100]), ys[:100]),
        'train_size': len(mine),
        'val_size': min(100, len(mine)),
    }
