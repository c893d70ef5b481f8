#!/usr/bin/python3
"""PyTorch peer of bench/hvp.ts: the same MLP, data size and loss, timed the way a user would write it.

Gradient: one torch.autograd.grad of L_T. HVP: reverse-over-reverse (grad with create_graph, then a
second grad with grad_outputs=v), forward pass included, as in the motivating snippet. Prints one JSON
object with the medians over --reps calls after two warm-up calls of each.

  /usr/bin/python3 bench/peer/torch_hvp.py --sizes 784,128,10 --rows 2000 --loss cross-entropy --reps 10
"""
import argparse
import json
import statistics
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--loss", choices=["mse", "cross-entropy"], required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(",")]
    x = torch.randn(args.rows, sizes[0])
    if args.loss == "mse":
        y = torch.randn(args.rows, sizes[-1])
    else:
        y = torch.randint(0, sizes[-1], (args.rows,))
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params += [(torch.randn(b, a) * (1 / a) ** 0.5).requires_grad_(), torch.zeros(b).requires_grad_()]
    lam = args.weight_decay

    def loss():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i < len(params) - 2:
                h = torch.relu(h)
        data = ((h - y) ** 2).mean() if args.loss == "mse" else torch.nn.functional.cross_entropy(h, y)
        return data + 0.5 * lam * sum((p ** 2).sum() for p in params)

    v = [torch.randn_like(p) for p in params]

    def grad():
        return torch.autograd.grad(loss(), params)

    def hvp():
        g = torch.autograd.grad(loss(), params, create_graph=True)
        return torch.autograd.grad(g, params, grad_outputs=v)

    for f in (grad, hvp, grad, hvp):
        f()
    times = {"grad": [], "hvp": []}
    for _ in range(args.reps):
        for name, f in (("grad", grad), ("hvp", hvp)):
            t = time.perf_counter()
            f()
            times[name].append((time.perf_counter() - t) * 1000)
    g, h = statistics.median(times["grad"]), statistics.median(times["hvp"])
    print(json.dumps({"params": sum(p.numel() for p in params), "gradMs": round(g, 3), "hvpMs": round(h, 3),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
