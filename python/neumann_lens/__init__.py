"""Neumann Lens's PyTorch bridge: serves a user's PyTorch problem (losses, gradients, Hessian-vector
products, SGD steps) to the Neumann Lens extension and CLI over a framed protocol on stdio or a
socket. Run as ``python -m neumann_lens serve --problem problem.py``; see ``python -m neumann_lens -h``.

Layers: transport.py (stdio | socket byte streams) / frames.py + protocol.py (frames, validation
against protocol.schema.json, dispatch) / engine.py (the user's problem). Only the standard library
and torch are used.
"""
