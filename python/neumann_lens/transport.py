"""Byte streams the protocol runs over: the process's own stdio (a private pipe from the parent),
or a TCP connection accepted by a listener. Both offer read_into / write(*parts) / close, nothing
else, so the protocol layer does not know which it is on."""
import os
import socket
import stat
import sys

# What a stdio stream should hold in the kernel at once: a vector of a million float32 values and
# more, so a reply goes out in one write and the client reads it without this process having to be
# scheduled again between chunks (the default, ~200 KiB on a socketpair and 64 KiB on a pipe, takes
# one hand-over between the two processes per chunk: on a loaded machine, each can wait for a core).
STREAM_BUFFER_BYTES = 8 << 20
_F_SETPIPE_SZ = 1031  # Linux; fcntl.F_SETPIPE_SZ from Python 3.10


def widen_stream_buffer(fd, sending, size=STREAM_BUFFER_BYTES):
    """Asks the kernel for a larger buffer behind fd: the send buffer of a socket this process
    writes to (Node's stdio is a socketpair; capped by net.core.wmem_max; what the client sends is
    bounded by its own end's buffer, which only it could set), the capacity of a pipe in either
    direction (shared by both its ends; capped by fs.pipe-max-size for unprivileged processes).
    Best effort: a refusal keeps the default."""
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISSOCK(mode) and sending:
            s = socket.socket(fileno=os.dup(fd))
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
            finally:
                s.close()
        elif stat.S_ISFIFO(mode) and sys.platform.startswith('linux'):
            import fcntl
            op = getattr(fcntl, 'F_SETPIPE_SZ', _F_SETPIPE_SZ)
            for want in (size, 1 << 20):
                try:
                    fcntl.fcntl(fd, op, want)
                    break
                except OSError:
                    continue
    except OSError:
        pass


class StdioTransport:
    """Frames on duplicates of fd 0 and fd 1, taken before the user's code runs; fd 0 then reads
    /dev/null and fd 1 writes to stderr, so neither a user's input() nor a C-level printf can touch
    the frames."""

    def __init__(self):
        self._in = os.dup(0)
        self._out = os.dup(1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.stdout.flush()
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        sys.stdin = open(os.devnull)
        self.peer = 'stdio'
        widen_stream_buffer(self._out, sending=True)
        widen_stream_buffer(self._in, sending=False)

    def read_into(self, view):
        return os.readv(self._in, [view])

    def write(self, *parts):
        """Every part, in order, gathered into as few writes as the kernel's buffer allows."""
        views = [memoryview(p).cast('B') for p in parts if len(p)]
        while views:
            n = os.writev(self._out, views)
            while views and n >= len(views[0]):
                n -= len(views.pop(0))
            if views:
                views[0] = views[0][n:]

    def close(self):
        for fd in (self._in, self._out):
            try:
                os.close(fd)
            except OSError:
                pass


class SocketTransport:
    def __init__(self, conn, peer):
        self._conn = conn
        self.peer = peer

    def set_timeout(self, seconds):
        self._conn.settimeout(seconds)

    def read_into(self, view):
        return self._conn.recv_into(view)

    def write(self, *parts):
        for part in parts:
            if len(part):
                self._conn.sendall(part)

    def close(self):
        try:
            self._conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._conn.close()


def redirect_stdout_to_stderr():
    """Socket mode: stdout carries no frames, yet user prints still belong on stderr (the log);
    the real stdout is kept for the one line that announces the listening address."""
    out = os.dup(1)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def parse_address(text):
    """HOST:PORT, [IPv6]:PORT, or PORT alone: loopback (127.0.0.1) unless another address is named."""
    if text.isdigit():
        text = '127.0.0.1:' + text
    if text.startswith('['):
        host, sep, port = text[1:].partition(']:')
    else:
        host, sep, port = text.rpartition(':')
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError('--listen expects PORT (on 127.0.0.1) or HOST:PORT (e.g. 7777, 0.0.0.0:7777 or [::1]:7777), got %r' % text)
    return host, int(port)


class Listener:
    def __init__(self, host, port):
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, addr = infos[0]
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(addr)
        self._sock.listen(8)
        self.address = self._sock.getsockname()[:2]

    def accept(self):
        conn, addr = self._sock.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return SocketTransport(conn, '%s:%d' % (addr[0], addr[1]))

    def close(self):
        self._sock.close()
