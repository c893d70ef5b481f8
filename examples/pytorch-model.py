"""A PyTorch model for Neumann Lens: edit this file to diagnose your own model.

Neumann Lens imports this file with the interpreter you choose ("pytorch.python" in the
experiment, the setting neumannLens.python.interpreter, the Python extension's environment, or
--python on the command line) and calls neumann_problem(). It needs torch >= 1.13, nothing else.

The returned dict:
  model        a torch.nn.Module; its parameters (named_parameters(), requires_grad only) are w
  train_loss   f(model) -> scalar tensor: the data part of the training objective, on the whole
               training set. Neumann Lens adds the experiment's weightDecay: L_T = train_loss + ½λ‖w‖²
  val_loss     f(model) -> scalar tensor: L_V, whose gradient is the right-hand side b
  (optional) train_batches  f() -> iterable of batches, and batch_loss  f(model, batch) -> scalar:
               the minibatches of SGD when the experiment has "training"; without them training is
               full-batch gradient descent on train_loss

print() goes to the Output channel (or the CLI's stderr), never into the protocol. Build the data
here, once: the losses are called many times (every Hessian-vector product uses train_loss).
"""
import torch
import torch.nn as nn


def neumann_problem():
    # Everything seeded, so every run diagnoses the same model. With "dtype": "float64" in the
    # experiment, torch's default dtype is float64 before this function runs, so these tensors are too.
    g = torch.Generator().manual_seed(0)
    x_train = torch.randn(256, 4, generator=g)
    x_val = torch.randn(128, 4, generator=g)
    true_w = torch.tensor([[1.0], [-2.0], [0.5], [0.0]])

    def target(x):
        return torch.sin(x @ true_w) + 0.1 * torch.randn(x.shape[0], 1, generator=g)

    y_train, y_val = target(x_train), target(x_val)

    # Anything torch can differentiate twice: convolutions, LayerNorm, GELU, attention, custom losses.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.LayerNorm(16), nn.GELU(), nn.Linear(16, 1))
    loss_fn = nn.MSELoss()

    return {
        'model': model,
        'train_loss': lambda m: loss_fn(m(x_train), y_train),
        'val_loss': lambda m: loss_fn(m(x_val), y_val),
        'train_batches': lambda: torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(x_train, y_train), batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(1)
        ),
        'batch_loss': lambda m, batch: loss_fn(m(batch[0]), batch[1]),
    }
