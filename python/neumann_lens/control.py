"""The control channel of a collective server: rank 0 tells the other ranks what to compute over one
plain TCP connection per rank (JSON lines), while the tensors go through torch.distributed.

Why not a collective for the commands as well: a rank waiting for the next command would sit in a
collective whose timeout ends it when the client is merely quiet; a socket read waits as long as it
must and still sees its peer die at once (EOF when the kernel closes a dead process's sockets).
That is how every rank learns that another one is gone, even in the middle of a computation: rank 0
watches every worker's connection, every worker watches rank 0's, and the first EOF ends them all.

Workers prove they belong to this group with a secret that rank 0 hands out through the process group
itself (broadcast_object_list right after init_process_group)."""
import hmac
import json
import os
import queue
import secrets
import select
import socket
import threading

from .errors import log

_LINE_LIMIT = 1 << 16


def _keepalive(sock):
    # A node that loses power sends no FIN; keepalive probes notice it within ~15 s.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (('TCP_KEEPIDLE', 5), ('TCP_KEEPINTVL', 2), ('TCP_KEEPCNT', 4)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _read_line(reader, limit=_LINE_LIMIT):
    line = reader.readline(limit + 1)
    if not line.endswith(b'\n'):
        raise ConnectionError('connection closed' if len(line) <= limit else 'line too long')
    return json.loads(line.decode('utf-8'))


def _send_line(sock, obj):
    sock.sendall((json.dumps(obj, separators=(',', ':')) + '\n').encode('utf-8'))


class Hub:
    """Rank 0's end: listens beside the rendezvous address, accepts one connection per other rank."""

    def __init__(self, host, world_size):
        self.world_size = world_size
        self.secret = secrets.token_hex(16)
        self.peers = {}  # rank -> (socket, {'pid', 'host'})
        self.closing = False
        self._lost = threading.Event()
        self._sock = self._listen(host)
        self.address = (host, self._sock.getsockname()[1])

    @staticmethod
    def _listen(host):
        # Bind where the workers reach rank 0 (MASTER_ADDR); a name that is not a local address
        # (a DNS alias, NAT) falls back to every interface, still guarded by the secret.
        for bind in (host, ''):
            try:
                family = socket.getaddrinfo(bind or None, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
                sock = socket.socket(family, socket.SOCK_STREAM)
                sock.bind((bind, 0))
                sock.listen(64)
                return sock
            except OSError:
                if bind == '':
                    raise
        raise OSError('cannot listen for the other ranks')

    def accept_all(self, timeout):
        self._sock.settimeout(timeout)
        try:
            while len(self.peers) < self.world_size - 1:
                conn, addr = self._sock.accept()
                conn.settimeout(timeout)
                try:
                    with conn.makefile('rb') as reader:
                        hello = _read_line(reader)
                except (OSError, ValueError) as e:
                    log('control: dropped a connection from %s: %s' % (addr[0], e))
                    conn.close()
                    continue
                rank = hello.get('rank') if isinstance(hello, dict) else None
                given = hello.get('secret') if isinstance(hello, dict) else None
                if (not isinstance(given, str) or not hmac.compare_digest(given.encode(), self.secret.encode())
                        or not isinstance(rank, int) or not 0 < rank < self.world_size or rank in self.peers):
                    log('control: refused a connection from %s (not a rank of this group)' % addr[0])
                    conn.close()
                    continue
                conn.settimeout(None)
                _keepalive(conn)
                self.peers[rank] = (conn, {'pid': hello.get('pid'), 'host': hello.get('host')})
        finally:
            self._sock.close()

    def send(self, command):
        for rank in sorted(self.peers):
            _send_line(self.peers[rank][0], command)

    def watch(self, on_lost):
        """A daemon thread: on_lost(rank, pid, host) when a worker's connection ends before close()."""
        def run():
            socks = {conn: rank for rank, (conn, _) in self.peers.items()}
            while socks:
                try:
                    ready, _, _ = select.select(list(socks), [], [])
                except (OSError, ValueError):  # close() closed a socket under us
                    if self.closing:
                        return
                    raise
                for conn in ready:
                    try:
                        data = conn.recv(1)
                    except OSError:
                        data = b''
                    if data:
                        continue  # workers send nothing after hello; ignore noise
                    rank = socks.pop(conn)
                    if not self.closing:
                        self._lost.set()
                        info = self.peers[rank][1]
                        on_lost(rank, info.get('pid'), info.get('host'))
                        return
        threading.Thread(target=run, name='neumann-lens-rank-watch', daemon=True).start()

    def wait_for_loss(self, seconds):
        """Blocks until the watch thread has seen a worker's connection end, or `seconds` pass."""
        return self._lost.wait(seconds)

    def close(self):
        """Tells the workers to exit (orderly end); their connections closing is then no loss."""
        self.closing = True
        for conn, _ in self.peers.values():
            try:
                _send_line(conn, {'op': 'exit'})
            except OSError:
                pass
        for conn, _ in self.peers.values():
            conn.close()


class Spoke:
    """A worker's end: connects to rank 0 and receives commands. A reader thread owns the socket, so
    rank 0's death is seen even while this rank computes; on_lost() is called then."""

    def __init__(self, address, secret, rank, timeout, on_lost):
        host, port = address
        self._sock = socket.create_connection((host, port), timeout=timeout)
        _keepalive(self._sock)
        _send_line(self._sock, {'rank': rank, 'secret': secret, 'pid': os.getpid(), 'host': socket.gethostname()})
        self._sock.settimeout(None)
        self._reader = self._sock.makefile('rb')
        self._commands = queue.Queue()
        self._on_lost = on_lost
        threading.Thread(target=self._read, name='neumann-lens-control', daemon=True).start()

    def _read(self):
        while True:
            try:
                command = _read_line(self._reader)
            except (OSError, ValueError):
                self._on_lost()
                return
            self._commands.put(command)
            if command.get('op') == 'exit':
                return

    def next(self):
        return self._commands.get()

    def close(self):
        self._reader.close()
        self._sock.close()
