"""The model of bench/bridge.ts: a ReLU MLP with widths BENCH_SIZES (default 784,128,10) and
cross-entropy over BENCH_ROWS synthetic rows (default 2000), seeded, in the bridge's dtype."""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = [int(s) for s in os.environ.get('BENCH_SIZES', '784,128,10').split(',')]
ROWS = int(os.environ.get('BENCH_ROWS', '2000'))


def neumann_problem():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(ROWS, SIZES[0], generator=g)
    y = torch.randint(0, SIZES[-1], (ROWS,), generator=g)
    torch.manual_seed(1)
    layers = []
    for i in range(len(SIZES) - 1):
        layers.append(nn.Linear(SIZES[i], SIZES[i + 1]))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    return {
        'model': model,
        'train_loss': lambda m: F.cross_entropy(m(x), y),
        'val_loss': lambda m: F.cross_entropy(m(x[:200]), y[:200]),
        'train_size': ROWS,
        'val_size': 200,
    }
