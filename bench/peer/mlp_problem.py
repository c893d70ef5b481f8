"""The model of bench/bridge.ts: a ReLU MLP with widths BENCH_SIZES (default 784,128,10) and
cross-entropy over BENCH_ROWS rows (default 2000), in the bridge's dtype. The rows are seeded
Gaussian features with random labels, or, with BENCH_DATA=FILE, the rows the TF.js contestant uses
(FILE: rows×features float32 features, then rows float32 labels, little-endian), so that both
compute the same Hessian once the client has set the same weights."""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = [int(s) for s in os.environ.get('BENCH_SIZES', '784,128,10').split(',')]
ROWS = int(os.environ.get('BENCH_ROWS', '2000'))


def _rows():
    path = os.environ.get('BENCH_DATA')
    if not path:
        g = torch.Generator().manual_seed(0)
        return torch.randn(ROWS, SIZES[0], generator=g), torch.randint(0, SIZES[-1], (ROWS,), generator=g)
    with open(path, 'rb') as f:
        raw = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
    if raw.numel() != ROWS * (SIZES[0] + 1):
        raise ValueError('%s holds %d float32 values, expected %d×(%d+1)' % (path, raw.numel(), ROWS, SIZES[0]))
    return raw[:ROWS * SIZES[0]].view(ROWS, SIZES[0]), raw[ROWS * SIZES[0]:].long()


def neumann_problem():
    x, y = _rows()
    x = x.to(torch.get_default_dtype())
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
