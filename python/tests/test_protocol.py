"""The protocol layer with a stand-in engine (the real one is exercised end to end by the node
tests): a bug in the engine is an `internal` error reply with the traceback, and the connection
keeps serving."""
import json
import struct
import unittest

from neumann_lens import schema
from neumann_lens.protocol import Connection


class BuggyEngine:
    count = 2

    def info(self):
        return {'device': 'cpu', 'params': {'count': 2, 'tensors': [{'name': 'w', 'shape': [2]}]},
                'trainSize': None, 'valSize': None, 'minibatch': False}

    def loss(self, split):
        if split == 'train':
            return {}['missing']  # a bridge bug, not the user's
        return 0.25


def frame(header):
    head = json.dumps(header).encode()
    return struct.pack('<II', len(head), 0) + head


class Memory:
    peer = 'memory'

    def __init__(self, data):
        self.data = memoryview(data)
        self.out = bytearray()

    def read_into(self, view):
        n = min(len(view), len(self.data))
        view[:n] = self.data[:n]
        self.data = self.data[n:]
        return n

    def write(self, *parts):
        for part in parts:
            self.out += bytes(part)


def replies(raw):
    out = []
    while raw:
        h, p = struct.unpack('<II', raw[:8])
        out.append(json.loads(raw[8:8 + h]))
        raw = raw[8 + h + p:]
    return out


class ProtocolTest(unittest.TestCase):
    def test_an_engine_bug_is_an_internal_error_and_the_connection_goes_on(self):
        doc = schema.load_document()
        data = b''.join(frame(h) for h in (
            {'type': 'hello', 'id': 1, 'protocolVersion': doc['protocolVersion']},
            {'type': 'loss', 'id': 2, 'split': 'train'},
            {'type': 'loss', 'id': 3, 'split': 'val'},
        ))
        t = Memory(data)
        outcome = Connection(t, doc, BuggyEngine(), None, 'float64').run()
        self.assertEqual(outcome, 'closed')
        ready, err, ok = replies(bytes(t.out))
        self.assertEqual(ready['type'], 'ready')
        self.assertEqual(err['id'], 2)
        self.assertEqual(err['error']['code'], 'internal')
        self.assertIn("KeyError: 'missing'", err['error']['message'])
        self.assertIn('Traceback', err['error']['detail'])
        self.assertEqual(ok, {'type': 'lossValue', 'id': 3, 'value': 0.25})


if __name__ == '__main__':
    unittest.main()
