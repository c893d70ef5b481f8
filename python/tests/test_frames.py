"""Frame reading over a transport that returns one byte per read, EOF inside a frame, the header
limit, and headers with non-finite numbers."""
import json
import struct
import unittest

from neumann_lens import frames


class ByteAtATime:
    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.written = bytearray()

    def read_into(self, view):
        if self.pos >= len(self.data):
            return 0
        view[0] = self.data[self.pos]
        self.pos += 1
        return 1

    def write(self, *parts):
        for part in parts:
            self.written += bytes(part)


def frame(header, payload=b''):
    head = json.dumps(header).encode()
    return struct.pack('<II', len(head), len(payload)) + head + payload


class FramesTest(unittest.TestCase):
    def test_frames_read_back_byte_by_byte(self):
        t = ByteAtATime(frame({'type': 'a', 'id': 1}) + frame({'type': 'b'}, b'\x01\x02\x03'))
        head, payload = frames.read_frame(t, 1 << 20)
        self.assertEqual(json.loads(head), {'type': 'a', 'id': 1})
        self.assertEqual(payload, b'')
        head, payload = frames.read_frame(t, 1 << 20)
        self.assertEqual(bytes(payload), b'\x01\x02\x03')
        with self.assertRaises(frames.StreamClosed):
            frames.read_frame(t, 1 << 20)

    def test_eof_inside_a_frame_is_stream_closed(self):
        with self.assertRaises(frames.StreamClosed):
            frames.read_frame(ByteAtATime(frame({'x': 1}, b'12345')[:-2]), 1 << 20)

    def test_header_past_the_limit(self):
        with self.assertRaisesRegex(frames.FrameError, 'exceeds the limit of 16'):
            frames.read_frame(ByteAtATime(frame({'long': 'x' * 20})), 16)

    def test_written_frames_have_the_layout_and_no_bare_nan(self):
        t = ByteAtATime(b'')
        frames.write_frame(t, {'value': float('nan'), 'rows': [float('inf'), -float('inf'), 1.5], 'name': 'é'}, b'\xff')
        n_head, n_payload = struct.unpack('<II', bytes(t.written[:8]))
        header = json.loads(bytes(t.written[8:8 + n_head]).decode('utf-8'))
        self.assertEqual(header, {'value': 'NaN', 'rows': ['Infinity', '-Infinity', 1.5], 'name': 'é'})
        self.assertEqual(n_payload, 1)
        self.assertEqual(bytes(t.written[8 + n_head:]), b'\xff')


if __name__ == '__main__':
    unittest.main()
