"""The protocol layer: reads frames from a transport, validates each header against
protocol.schema.json, checks payloads against their `vectors` blocks, dispatches to the engine and
writes exactly one reply per request (an `error` reply naming the field for anything malformed)."""
import hmac
import json
import os
import platform
import sys
import threading

from . import frames, schema
from .errors import AuthError, BridgeError, InputError, ProtocolError, internal_error, log

_WIDTH = {'float64': 8, 'float32': 4}


class Connection:
    """One client connection. run() returns why it ended: 'closed' (EOF), 'shutdown', 'refused'
    (handshake failed), 'load-error' (the problem could not be loaded; the client was told) or
    'frame-error' (the stream broke)."""

    def __init__(self, transport, doc, engine, load_error, dtype_name, token=None):
        self.t = transport
        self.doc = doc
        self.engine = engine
        self.load_error = load_error
        self.dtype_name = dtype_name
        self.token = token
        self.authenticated = False
        # abort() may write from another thread (a collective server's rank watch).
        self._write_lock = threading.Lock()

    def run(self, on_ready=None):
        while True:
            try:
                head, payload = frames.read_frame(self.t, self.doc['maxHeaderBytes'])
            except frames.StreamClosed:
                return 'closed'
            except frames.FrameError as e:
                self._reply_error(None, ProtocolError(str(e), field='(frame)'))
                return 'frame-error'
            header = None
            try:
                header = self._decode(head)
                self._validate(header)
                outcome = self._handle(header, payload)
            except BridgeError as e:
                self._reply_error(_id_of(header), e)
                outcome = 'refused' if isinstance(e, AuthError) else None
            except Exception as e:  # noqa: BLE001 - a bridge bug is answered, not fatal
                self._reply_error(_id_of(header), internal_error(e))
                outcome = None
            if outcome == 'ready' and on_ready:
                on_ready()
            elif outcome in ('shutdown', 'refused', 'load-error'):
                return outcome

    # ------------------------------------------------------------------ validation

    @staticmethod
    def _decode(head):
        try:
            return json.loads(head.decode('utf-8'))
        except (UnicodeDecodeError, ValueError) as e:
            raise ProtocolError('frame header is not UTF-8 JSON: %s' % e, field='(header)')

    def _validate(self, header):
        if not isinstance(header, dict):
            raise ProtocolError('frame header must be a JSON object', field='(header)')
        kind = header.get('type')
        requests = self.doc['requests']
        if not isinstance(kind, str):
            raise ProtocolError('missing message type (expected one of %s)' % ', '.join(requests), field='type')
        if kind not in requests:
            raise ProtocolError('unknown message type %r (expected one of %s)' % (kind, ', '.join(requests)), field='type')
        err = schema.check(requests[kind], header)
        if err:
            raise ProtocolError('%s: %s: %s' % (kind, err[0], err[1]), field=err[0])

    def _vectors(self, header, payload, count=None, length=None):
        block = header.get('vectors')
        if block is None:
            raise ProtocolError('%s needs a vectors block for its payload' % header['type'], field='vectors')
        if count is not None and block['count'] != count:
            raise ProtocolError('expected %d vector(s), got %d' % (count, block['count']), field='vectors.count')
        if length is not None and block['length'] != length:
            raise ProtocolError('expected vectors of length %d (the parameter count), got %d' % (length, block['length']),
                                field='vectors.length')
        need = block['count'] * block['length'] * _WIDTH[block['dtype']]
        if len(payload) != need:
            raise ProtocolError('payload has %d bytes; vectors %d×%d %s need %d' % (len(payload), block['count'], block['length'],
                                                                                 block['dtype'], need), field='vectors')
        from .tensors import from_payload
        return from_payload(payload, block['dtype'], block['count'], block['length'])

    # ------------------------------------------------------------------ dispatch

    def _handle(self, h, payload):
        kind = h['type']
        if kind == 'hello':
            return self._hello(h, payload)
        if not self.authenticated:
            if self.token is not None:
                log('refused %s: %s before hello' % (self.t.peer, kind))
                raise AuthError('send hello with the token before any other message')
            raise ProtocolError('the first message must be hello, got %s' % kind, field='type')
        if kind not in ('setParams', 'hvp', 'train') and len(payload):
            raise ProtocolError('%s carries no payload, got %d bytes' % (kind, len(payload)), field='(payload)')
        handler = getattr(self, '_op_' + kind)
        return handler(h, payload)

    def _hello(self, h, payload):
        if self.authenticated:
            raise ProtocolError('hello was already received on this connection', field='type')
        if self.token is not None:
            given = h.get('token')
            if given is None:
                log('refused %s: no token' % self.t.peer)
                raise AuthError('a token is required: hello.token must hold the token file’s content')
            if not hmac.compare_digest(given.encode('utf-8'), self.token.encode('utf-8')):
                log('refused %s: wrong token' % self.t.peer)
                raise AuthError('token rejected')
        if h['protocolVersion'] != self.doc['protocolVersion']:
            raise ProtocolError('protocol version %d asked for; this server speaks %d (use the neumann_lens package shipped '
                                'with the same Neumann Lens)' % (h['protocolVersion'], self.doc['protocolVersion']),
                                field='protocolVersion')
        if len(payload):
            raise ProtocolError('hello carries no payload, got %d bytes' % len(payload), field='(payload)')
        self.authenticated = True
        if self.load_error is not None:
            self._reply_error(h['id'], self.load_error)
            return 'load-error'
        self._send({'type': 'ready', 'id': h['id'], **self._ready_info()})
        return 'ready'

    def _ready_info(self):
        import torch
        return {
            'protocolVersion': self.doc['protocolVersion'],
            'pid': os.getpid(),
            'python': {'executable': sys.executable, 'version': platform.python_version()},
            'torch': {'version': torch.__version__},
            'dtype': self.dtype_name,
            **self.engine.info(),
        }

    def _op_getParams(self, h, payload):
        self._send_vectors('params', h['id'], self.engine.get_params().unsqueeze(0))

    def _op_setParams(self, h, payload):
        w = self._vectors(h, payload, count=1, length=self.engine.count)[0]
        if not bool(w.isfinite().all()):
            raise ProtocolError('setParams payload holds non-finite values', field='(payload)')
        self.engine.set_params(w)
        self._send({'type': 'done', 'id': h['id']})

    def _op_loss(self, h, payload):
        self._send({'type': 'lossValue', 'id': h['id'], 'value': self.engine.loss(h['split'])})

    def _op_gradient(self, h, payload):
        loss, grad = self.engine.gradient(h['split'])
        self._send_vectors('gradientValue', h['id'], grad.unsqueeze(0), loss=loss)

    def _op_hvp(self, h, payload):
        vs = self._vectors(h, payload, length=self.engine.count)
        self._send_vectors('hvpValue', h['id'], self.engine.hvp(vs))

    def _op_train(self, h, payload):
        if ('steps' in h) == ('epochs' in h):
            raise ProtocolError('train needs exactly one of steps and epochs', field='steps')
        if h['weightDecay'] == 'perParameter':
            decay = self._vectors(h, payload, count=1, length=self.engine.count)[0]
            if not bool((decay.isfinite() & (decay >= 0)).all()):
                raise ProtocolError('per-parameter weight decay must be finite and ≥ 0', field='(payload)')
        else:
            if 'vectors' in h or len(payload):
                raise ProtocolError('a payload goes with weightDecay "perParameter" only', field='vectors')
            decay = float(h['weightDecay'])
        r = self.engine.train(float(h['learningRate']), decay, steps=h.get('steps'), epochs=h.get('epochs'))
        import torch
        rows = torch.tensor([r['losses'], r['penalties']], dtype=torch.float64)
        self._send_vectors('trained', h['id'], rows, wire='float64', steps=len(r['losses']), epochsCompleted=r['epochsCompleted'],
                           stepInEpoch=r['stepInEpoch'], stopped=r['stopped'])

    def _op_trainStream(self, h, payload):
        self.engine.train_stream(h['action'])
        self._send({'type': 'done', 'id': h['id']})

    def _op_shutdown(self, h, payload):
        self._send({'type': 'done', 'id': h['id']})
        return 'shutdown'

    # ------------------------------------------------------------------ replies

    def _send(self, header, payload=b''):
        with self._write_lock:
            frames.write_frame(self.t, header, payload)

    def abort(self, err):
        """From any thread, when the server is about to exit: an error with id null, which ends the
        client's session. Waits a little for a frame being written to finish, so the stream stays whole."""
        if not self._write_lock.acquire(timeout=2):
            return
        try:
            frames.write_frame(self.t, {'type': 'error', 'id': None, 'error': err.body()})
        except OSError:
            pass

    def _send_vectors(self, kind, rid, rows, wire=None, **fields):
        from .tensors import to_payload
        wire = wire or self.dtype_name
        header = {'type': kind, 'id': rid, **fields,
                  'vectors': {'dtype': wire, 'count': int(rows.shape[0]), 'length': int(rows.shape[1]) if rows.dim() == 2 else 0}}
        self._send(header, to_payload(rows, wire))

    def _reply_error(self, rid, err):
        try:
            self._send({'type': 'error', 'id': rid, 'error': err.body()})
        except OSError:
            pass  # the peer is gone; the connection ends on the next read


def _id_of(header):
    rid = header.get('id') if isinstance(header, dict) else None
    return rid if isinstance(rid, int) and not isinstance(rid, bool) and rid >= 0 else None
