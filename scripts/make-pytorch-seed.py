#!/usr/bin/python3
"""The motivating report's exact PyTorch run, exported for Neumann Lens, plus PyTorch's own answers.

Runs the report's snippet (torch.manual_seed(123), 1000 rows, 1-8-4-1 ReLU, SGD lr 0.01 with
weight_decay 0.1, batch 32, one epoch), then writes into examples/pytorch-seed/:
  weights.json    the trained state_dict as JSON (the format the report's users would save)
  train.csv, val.csv
  torch-reference.json  what PyTorch computes at those weights, in float64: all Hessian eigenvalues
                  of L_T = MSE + ½λ‖w‖² (torch.autograd.functional.hessian), ∇L_V, and the report's
                  Neumann loop (v ← v − Hv, 10 times) with v[:5] after each update.
The test test/session/pytorch-reference.test.ts holds Neumann Lens's numbers against these.
Needs Debian's python3-torch; the outputs are committed, so tests do not.
"""
import json, os
import torch
import torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader
import torch.optim as optim

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'examples', 'pytorch-seed')
os.makedirs(out, exist_ok=True)

# --- the report's snippet, verbatim in substance ---
torch.manual_seed(123)
n = 1000
x_train = torch.randn(n, 1)
y_train = 2 * x_train + 1 + torch.randn(n, 1) * 0.1
x_val = torch.randn(n, 1)
y_val = 2 * x_val + 1 + torch.randn(n, 1) * 0.1
train_loader = DataLoader(dataset=TensorDataset(x_train, y_train), shuffle=True, batch_size=32)
model = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1))
loss_fn = nn.MSELoss()
lam = 0.1
optimizer = optim.SGD(model.parameters(), lr=0.01, weight_decay=lam)
for x_batch, y_batch in train_loader:
    optimizer.zero_grad()
    loss = loss_fn(model(x_batch), y_batch)
    loss.backward()
    optimizer.step()

# --- exports ---
with open(os.path.join(out, 'weights.json'), 'w') as f:
    json.dump({k: v.tolist() for k, v in model.state_dict().items()}, f)
for name, xs, ys in (('train', x_train, y_train), ('val', x_val, y_val)):
    with open(os.path.join(out, f'{name}.csv'), 'w') as f:
        f.write('x,y\n')
        for a, b in zip(xs.view(-1).tolist(), ys.view(-1).tolist()):
            f.write(f'{a!r},{b!r}\n')

# --- PyTorch's answers in float64 at the trained weights ---
shapes = [p.shape for p in model.parameters()]
w0 = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).double()
X, Y, Xv, Yv = x_train.double(), y_train.double(), x_val.double(), y_val.double()

def forward(w, xb):
    i, h = 0, xb
    layers = []
    for s in shapes:
        k = int(torch.tensor(s).prod())
        layers.append(w[i:i + k].view(s)); i += k
    for l in range(0, len(layers), 2):
        h = h @ layers[l].T + layers[l + 1]
        if l < len(layers) - 2:
            h = torch.relu(h)
    return h

L_T = lambda w: ((forward(w, X) - Y) ** 2).mean() + 0.5 * lam * (w ** 2).sum()
L_V = lambda w: ((forward(w, Xv) - Yv) ** 2).mean()
H = torch.autograd.functional.hessian(L_T, w0)
eig = torch.linalg.eigvalsh(H)
w = w0.clone().requires_grad_(True)
b = torch.autograd.grad(L_V(w), w)[0]
v = b.clone()
heads = [v[:5].tolist()]
norms = [v.norm().item()]
for _ in range(10):
    v = v - H @ v
    heads.append(v[:5].tolist())
    norms.append(v.norm().item())
with open(os.path.join(out, 'torch-reference.json'), 'w') as f:
    json.dump({
        'torch': torch.__version__,
        'params': int(w0.numel()),
        'eigenvalues': eig.tolist(),
        'lambdaMin': eig[0].item(),
        'lambdaMax': eig[-1].item(),
        'gradValidationHead': b[:5].tolist(),
        'neumannAlpha': 1.0,
        'neumannTermHeads': heads,
        'neumannTermNorms': norms,
        'trainLoss': L_T(w0).item(),
        'validationLoss': L_V(w0).item(),
    }, f, indent=1)
print('lambda_min', eig[0].item(), 'lambda_max', eig[-1].item(), 'growth', norms[-1] / norms[-2])
