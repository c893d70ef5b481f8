"""Frames: u32le headerBytes | u32le payloadBytes | header (UTF-8 JSON) | payload."""
import json
import math
import struct

_PREFIX = struct.Struct('<II')


class StreamClosed(Exception):
    """The peer closed the stream (at a frame boundary or inside one)."""


class FrameError(Exception):
    """The stream cannot be read as frames any more (the caller closes it)."""


def read_exact(transport, n):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = transport.read_into(view[got:])
        if k == 0:
            raise StreamClosed('stream closed after %d of %d bytes' % (got, n))
        got += k
    return buf


def read_frame(transport, max_header_bytes):
    """(header bytes, payload bytearray). Raises StreamClosed at EOF, FrameError on a bad prefix."""
    header_bytes, payload_bytes = _PREFIX.unpack(bytes(read_exact(transport, _PREFIX.size)))
    if header_bytes > max_header_bytes:
        raise FrameError('frame header of %d bytes exceeds the limit of %d' % (header_bytes, max_header_bytes))
    header = read_exact(transport, header_bytes)
    payload = read_exact(transport, payload_bytes) if payload_bytes else bytearray()
    return bytes(header), payload


def _json_safe(value):
    # JSON has no NaN or ±Infinity; a loss that is one travels as the strings the schema allows.
    if isinstance(value, float) and not math.isfinite(value):
        return 'NaN' if math.isnan(value) else ('Infinity' if value > 0 else '-Infinity')
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def encode_header(header):
    return json.dumps(_json_safe(header), allow_nan=False, ensure_ascii=False, separators=(',', ':')).encode('utf-8')


def write_frame(transport, header, payload=b''):
    """One frame in one gathered write: the peer is woken once, not once for the header and again
    for the payload, and the payload (a view of a tensor's memory) is not copied to join them."""
    head = encode_header(header)
    transport.write(_PREFIX.pack(len(head), len(payload)) + head, payload)
