"""The stdio transport's gathered write: every part arrives whole and in order even when the kernel
takes a few bytes per call (a signal, a full buffer), and a payload that views a tensor's memory
stays valid after the tensor's last other reference is gone."""
import gc
import os
import struct
import sys
import unittest
from unittest import mock

import torch

from neumann_lens import frames, tensors, transport


def stdio_over_pipes():
    """A StdioTransport whose fds 0 and 1 are pipes, with the real ones put back by the caller."""
    saved = os.dup(0), os.dup(1)
    r_in, w_in = os.pipe()
    r_out, w_out = os.pipe()
    os.dup2(r_in, 0)
    os.dup2(w_out, 1)
    for fd in (r_in, w_out):
        os.close(fd)
    t = transport.StdioTransport()
    return t, w_in, r_out, saved


def restore(saved):
    os.dup2(saved[0], 0)
    os.dup2(saved[1], 1)
    for fd in saved:
        os.close(fd)
    sys.stdout = sys.__stdout__
    sys.stdin.close()  # the transport's /dev/null
    sys.stdin = sys.__stdin__


def written(fd):
    """Everything in the pipe now (the write under test has returned), without waiting for more."""
    os.set_blocking(fd, False)
    out = bytearray()
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return bytes(out)
        out += chunk


class GatheredWriteTest(unittest.TestCase):
    def test_parts_arrive_whole_and_in_order_through_partial_writes(self):
        t, w_in, r_out, saved = stdio_over_pipes()
        try:
            real = os.writev
            calls = []

            def at_most_5(fd, buffers):
                # The kernel may take fewer bytes than asked: here never more than 5, across part borders.
                joined = b''.join(bytes(b) for b in buffers)[:5]
                calls.append(len(joined))
                return real(fd, [joined])

            parts = [b'head', b'', memoryview(bytes(range(23))), b'xy']
            with mock.patch.object(transport.os, 'writev', at_most_5):
                t.write(*parts)
            self.assertEqual(written(r_out), b'head' + bytes(range(23)) + b'xy')
            self.assertEqual(sum(calls), 29)
            self.assertGreater(len(calls), 3)
        finally:
            t.close()
            os.close(w_in)
            os.close(r_out)
            restore(saved)

    def test_a_frame_is_one_write_of_header_and_payload(self):
        t, w_in, r_out, saved = stdio_over_pipes()
        try:
            calls = []
            real = os.writev

            def counted(fd, buffers):
                calls.append(len(buffers))
                return real(fd, buffers)

            payload = tensors.to_payload(torch.arange(4, dtype=torch.float64), 'float64')
            with mock.patch.object(transport.os, 'writev', counted):
                frames.write_frame(t, {'type': 'x'}, payload)
            head = b'{"type":"x"}'
            self.assertEqual(written(r_out), struct.pack('<II', len(head), 32) + head + struct.pack('<4d', 0, 1, 2, 3))
            self.assertEqual(calls, [2])
        finally:
            t.close()
            os.close(w_in)
            os.close(r_out)
            restore(saved)


class PayloadViewTest(unittest.TestCase):
    def test_the_view_keeps_the_tensor_alive_and_is_read_only(self):
        view = tensors.to_payload(torch.full((1000,), 2.5, dtype=torch.float64), 'float64')
        gc.collect()
        torch.full((1000,), -1.0, dtype=torch.float64)  # would reuse freed memory
        self.assertEqual(bytes(view), struct.pack('<1000d', *([2.5] * 1000)))
        with self.assertRaises(TypeError):
            view[0] = 0


if __name__ == '__main__':
    unittest.main()
