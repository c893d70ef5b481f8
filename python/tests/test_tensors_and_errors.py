"""Payload <-> tensor conversion (and the byte swap a big-endian host would use), and where an
exception in user code is reported."""
import os
import struct
import sys
import tempfile
import unittest

import torch

from neumann_lens import tensors
from neumann_lens.errors import from_user_exception


class TensorsTest(unittest.TestCase):
    def test_round_trip_and_little_endian_bytes(self):
        t = torch.tensor([1.0, -2.5, 3.141592653589793], dtype=torch.float64)
        b = tensors.to_payload(t, 'float64')
        self.assertEqual(b, struct.pack('<3d', 1.0, -2.5, 3.141592653589793))
        back = tensors.from_payload(bytearray(b), 'float64', 1, 3)
        self.assertEqual(back.tolist(), [[1.0, -2.5, 3.141592653589793]])
        self.assertEqual(tensors.to_payload(t, 'float32'), struct.pack('<3f', 1.0, -2.5, 3.141592653589793))
        self.assertEqual(tensors.to_payload(torch.zeros(0), 'float64'), b'')

    def test_swap_reverses_each_element(self):
        t = torch.tensor([1.0, 2.0], dtype=torch.float64)
        swapped = tensors._swap(t)
        raw = bytes(tensors.to_payload(swapped, 'float64')) if sys.byteorder == 'little' else None
        if raw is not None:
            self.assertEqual(raw, struct.pack('>2d', 1.0, 2.0))
        self.assertEqual(tensors._swap(swapped).tolist(), [1.0, 2.0])


class UserLocationTest(unittest.TestCase):
    def test_innermost_user_frame_is_reported_not_torch_or_the_bridge(self):
        folder = tempfile.mkdtemp()
        helper = os.path.join(folder, 'helper.py')
        with open(helper, 'w') as f:
            f.write('import torch\n\ndef bad():\n    return torch.zeros(2) @ torch.zeros(3)\n')
        problem = os.path.join(folder, 'problem.py')
        sys.path.insert(0, folder)
        try:
            import helper as h  # noqa: E402
            try:
                h.bad()
            except RuntimeError as e:
                err = from_user_exception(e, problem, 'train_loss(model) raised')
        finally:
            sys.path.remove(folder)
            sys.modules.pop('helper', None)
        self.assertEqual(err.code, 'input')
        self.assertEqual(err.where, {'kind': 'file', 'file': helper, 'line': 4})
        self.assertTrue(err.message.startswith('train_loss(model) raised: RuntimeError: '))
        self.assertNotIn('neumann_lens', err.detail)

    def test_syntax_error_location(self):
        folder = tempfile.mkdtemp()
        bad = os.path.join(folder, 'p.py')
        with open(bad, 'w') as f:
            f.write('x = 1\ny = (\n')
        with open(bad) as f:
            source = f.read()
        try:
            compile(source, bad, 'exec')
        except SyntaxError as e:
            err = from_user_exception(e, bad, 'importing p.py raised')
        self.assertEqual(err.where['line'], 2)
        self.assertEqual(err.where['file'], bad)


if __name__ == '__main__':
    unittest.main()
