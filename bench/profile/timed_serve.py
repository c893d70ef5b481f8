"""`python -m neumann_lens serve` with every stage of a request timestamped (bench/profile/bridge-hvp.ts).
Wraps, without changing them, the functions the server calls: frames.read_exact (when the prefix
and the payload of a request have arrived), tensors.from_payload, LocalEngine.hvp,
tensors.to_payload, frames.write_frame and os.write/os.writev (the transport's system calls).
After each reply it prints one `PROFILE {json}` line on stderr with time.monotonic_ns() stamps,
the clock Node's hrtime reads.

  PYTHONPATH=python /usr/bin/python3 bench/profile/timed_serve.py serve --problem P --dtype float32
  PYTHONPATH=python /usr/bin/python3 bench/profile/timed_serve.py echo    (bench/peer/echo_frames.py, stamped)
"""
import json
import os
import sys
import time

from neumann_lens import cli, engine, frames, tensors

now = time.monotonic_ns
marks = {}
reads = []
reads_done = []


def wrap(owner, name, before=None, after=None):
    inner = getattr(owner, name)

    def timed(*args, **kwargs):
        if before:
            marks[before] = now()
        out = inner(*args, **kwargs)
        if after:
            marks[after] = now()
        return out

    setattr(owner, name, timed)


_read_exact = frames.read_exact


def read_exact(transport, n):
    inner_read = transport.read_into

    def counted(view):
        k = inner_read(view)
        reads.append(k)
        return k

    transport.read_into = counted
    try:
        out = _read_exact(transport, n)
    finally:
        del transport.read_into
    marks[('prefixIn', 'headerIn', 'payloadIn')[min(len(reads_done), 2)]] = now()
    reads_done.append(n)
    return out


frames.read_exact = read_exact
_read_frame = frames.read_frame


def read_frame(transport, max_header_bytes):
    # The server is idle from here until the prefix arrives.
    marks.clear()
    reads.clear()
    reads_done.clear()
    marks['waitStart'] = now()
    return _read_frame(transport, max_header_bytes)


frames.read_frame = read_frame
wrap(tensors, 'from_payload', 'decodeStart', 'decodeEnd')
wrap(engine.LocalEngine, 'hvp', 'hvpStart', 'hvpEnd')
wrap(tensors, 'to_payload', 'encodeStart', 'encodeEnd')
_write_frame = frames.write_frame


def write_frame(transport, header, payload=b''):
    marks['writeStart'] = now()
    writes.clear()
    _write_frame(transport, header, payload)
    marks['writeEnd'] = now()
    if header.get('type') == 'hvpValue':
        sys.stderr.write('PROFILE ' + json.dumps({'marks': marks, 'reads': reads, 'writes': list(writes)}) + '\n')


def count_writes(name):
    # Every write system call the transport makes (bytes each), to see how the reply is split.
    inner = getattr(os, name)

    def counted(fd, data):
        n = inner(fd, data)
        writes.append(n)
        return n

    setattr(os, name, counted)


writes = []
count_writes('write')
if hasattr(os, 'writev'):
    count_writes('writev')
frames.write_frame = write_frame

if __name__ == '__main__':
    if sys.argv[1:] == ['echo']:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'peer'))
        import echo_frames
        sys.exit(echo_frames.main())
    sys.exit(cli.main(sys.argv[1:]))
