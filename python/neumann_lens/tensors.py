"""Vectors as raw little-endian payloads, to and from flat torch tensors, without numpy."""
import ctypes
import sys

import torch

WIRE_DTYPES = {'float64': torch.float64, 'float32': torch.float32}
_LITTLE = sys.byteorder == 'little'


def _swap(t):
    # Reverse the bytes of every element: big-endian host <-> little-endian wire.
    width = t.element_size()
    return t.contiguous().view(torch.uint8).view(-1, width).flip(1).contiguous().view(t.dtype).view(-1)


def from_payload(payload, dtype_name, count, length):
    """A (count, length) tensor of the wire dtype reading the payload's bytes (no copy on LE hosts)."""
    t = torch.frombuffer(payload, dtype=WIRE_DTYPES[dtype_name]) if len(payload) else torch.zeros(0, dtype=WIRE_DTYPES[dtype_name])
    if not _LITTLE:
        t = _swap(t)
    return t.view(count, length)


def to_payload(t, dtype_name):
    """The bytes of a tensor as little-endian values of the wire dtype: a read-only view of the
    tensor's own memory when it is already CPU, contiguous and of that dtype (no copy), which keeps
    the tensor alive for as long as the view is."""
    t = t.detach().to(device='cpu', dtype=WIRE_DTYPES[dtype_name]).contiguous().view(-1)
    if not _LITTLE:
        t = _swap(t)
    if t.numel() == 0:
        return b''
    raw = (ctypes.c_char * (t.numel() * t.element_size())).from_address(t.data_ptr())
    raw.owner = t
    return memoryview(raw).cast('B').toreadonly()
