"""The motivating report's model as a Neumann Lens PyTorch problem.

The report trains a 1-8-4-1 ReLU MLP for one epoch of SGD (lr 0.01, weight decay 0.1, batch 32) on
y = 2x + 1 + noise and then watches its Neumann terms explode. scripts/make-pytorch-seed.py ran that
snippet and exported the trained weights (weights.json, a state_dict as JSON) and the data
(train.csv, val.csv); this file serves exactly that model and data, so the bridge reproduces
PyTorch's own answers in torch-reference.json: in float64, λ_min = −1.749 and λ_max = 2.118 of the
Hessian of train_loss + ½·0.1·‖w‖² (Neumann Lens adds the decay from the experiment's weightDecay).

Run it with:  "pytorch": { "file": "problem.py", "dtype": "float64" }  and  "weightDecay": 0.1.
"""
import csv
import json
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))


def read_csv(name):
    with open(os.path.join(HERE, name), newline='') as f:
        rows = [(float(r['x']), float(r['y'])) for r in csv.DictReader(f)]
    x = torch.tensor([[a] for a, _ in rows])
    y = torch.tensor([[b] for _, b in rows])
    return x, y


def neumann_problem():
    x_train, y_train = read_csv('train.csv')
    x_val, y_val = read_csv('val.csv')
    model = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1))
    with open(os.path.join(HERE, 'weights.json')) as f:
        state = json.load(f)
    model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(123)

    return {
        'model': model,
        'train_loss': lambda m: loss_fn(m(x_train), y_train),
        'val_loss': lambda m: loss_fn(m(x_val), y_val),
        # The report's minibatches, for experiments that train further from these weights.
        'train_batches': lambda: DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True, generator=generator),
        'batch_loss': lambda m, batch: loss_fn(m(batch[0]), batch[1]),
        'train_size': len(x_train),
        'val_size': len(x_val),
    }
