"""The transport alone, for bench/bridge.ts and bench/profile/bridge-hvp.ts: the bridge's own stdio
transport and frames (neumann_lens.transport, neumann_lens.frames) answering each request with its
own payload (an hvp request with an hvpValue reply of the same vectors, hello with done). What a
bridge H·v costs beyond this round trip is the server's work, not the moving of bytes.

  PYTHONPATH=python /usr/bin/python3 bench/peer/echo_frames.py
"""
import json
import sys

from neumann_lens import frames, schema
from neumann_lens.transport import StdioTransport


def main():
    limit = schema.load_document()['maxHeaderBytes']
    t = StdioTransport()
    while True:
        try:
            head, payload = frames.read_frame(t, limit)
        except frames.StreamClosed:
            return 0
        h = json.loads(head)
        if h['type'] == 'hvp':
            frames.write_frame(t, {'type': 'hvpValue', 'id': h['id'], 'vectors': h['vectors']}, payload)
        else:
            frames.write_frame(t, {'type': 'done', 'id': h['id']})


if __name__ == '__main__':
    sys.exit(main())
