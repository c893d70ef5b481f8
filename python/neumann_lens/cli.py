"""python -m neumann_lens {probe, serve}: argument parsing and the order things happen in. stdio
is taken over before torch or the user's file is imported, so nothing they print reaches the frames.
Under a launcher's WORLD_SIZE > 1 (cluster.py), rank 0 serves the protocol and the other ranks
compute their shards; --listen, --token-file and --keep then concern rank 0 only."""
import argparse
import json
import os
import platform
import sys

from . import schema
from .errors import BridgeError, InputError, internal_error, log

MIN_TORCH = (1, 13)


def _parser():
    p = argparse.ArgumentParser(prog='python -m neumann_lens', description='Neumann Lens PyTorch bridge')
    sub = p.add_subparsers(dest='command', required=True)
    sub.add_parser('probe', help='print one JSON line: this interpreter, its torch version (or why torch does not import)')
    s = sub.add_parser('serve', help='serve a problem file over stdio (default) or a TCP socket')
    s.add_argument('--problem', required=True, help='the .py file that defines neumann_problem()')
    s.add_argument('--dtype', choices=('float32', 'float64'), default='float32')
    s.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N')
    s.add_argument('--listen', metavar='[HOST:]PORT',
                   help='serve one TCP client at a time instead of stdio, on 127.0.0.1 unless HOST is named (port 0: any free port)')
    s.add_argument('--token-file', help='with --listen: a file holding the token every client must present')
    s.add_argument('--keep', action='store_true', help='with --listen: keep serving after a client disconnects')
    s.add_argument('--hello-timeout', type=float, default=10.0, metavar='SECONDS',
                   help='with --listen: drop a client that has not sent hello within this time (default 10)')
    s.add_argument('--parent-pid', type=int, help='exit when this process is gone')
    s.add_argument('--backend', choices=('gloo', 'nccl'), default='gloo',
                   help='with WORLD_SIZE > 1: the torch.distributed backend (nccl: one CUDA device per rank, cuda:LOCAL_RANK)')
    s.add_argument('--timeout', type=float, default=1800.0, metavar='SECONDS',
                   help='with WORLD_SIZE > 1: how long a rank waits for the others in a collective or at start-up (default 1800)')
    # Local ranks started by Neumann Lens: rank 0 leads a new process group and the others join it.
    s.add_argument('--process-group', help=argparse.SUPPRESS)
    return p


def _torch_version(version):
    parts = []
    for piece in version.split('+')[0].split('.')[:2]:
        digits = ''.join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def probe():
    out = {'python': {'executable': sys.executable, 'version': platform.python_version()}, 'torch': None, 'torchError': None}
    try:
        import torch
        out['torch'] = {'version': torch.__version__, 'cuda': torch.cuda.is_available()}
        if _torch_version(torch.__version__) < MIN_TORCH:
            out['torchError'] = 'torch %s is older than %d.%d' % ((torch.__version__,) + MIN_TORCH)
    except Exception as e:  # noqa: BLE001 - any import failure means "no usable torch"
        out['torchError'] = '%s: %s' % (type(e).__name__, e)
    sys.stdout.write(json.dumps(out) + '\n')
    return 0


def _import_torch(codes):
    try:
        import torch
    except Exception as e:  # noqa: BLE001
        log('torch is not importable from %s (Python %s): %s: %s. Choose an interpreter that has torch >= 1.13 '
            '(e.g. /usr/bin/python3 with Debian python3-torch, or a virtualenv with pip install torch).'
            % (sys.executable, platform.python_version(), type(e).__name__, e))
        sys.exit(codes['noTorch'])
    if _torch_version(torch.__version__) < MIN_TORCH:
        log('torch %s at %s is older than %d.%d; choose an interpreter with torch >= 1.13.'
            % ((torch.__version__, sys.executable) + MIN_TORCH))
        sys.exit(codes['noTorch'])
    return torch


def _load(args, torch):
    """(engine, None) or (None, BridgeError): a problem that cannot load is told to the client."""
    from .engine import LocalEngine
    from .problem import load_problem, parse_device
    try:
        dtype = torch.float64 if args.dtype == 'float64' else torch.float32
        device = parse_device(args.device)
        problem = load_problem(args.problem, dtype, device)
        engine = LocalEngine(problem, dtype, device)
        log('serving %s (%s, %s, %d parameters; Python %s, torch %s)' % (
            args.problem, args.dtype, device, engine.count, platform.python_version(), torch.__version__))
        return engine, None
    except BridgeError as e:
        where = e.where
        at = '%s:%s: ' % (where['file'], where.get('line', '')) if where else ''
        log('cannot serve %s: %s%s' % (args.problem, at, e.message))
        return None, e
    except Exception as e:  # noqa: BLE001
        err = internal_error(e)
        log(err.message + '\n' + err.detail)
        return None, err


def _read_token(path):
    try:
        with open(path, encoding='utf-8') as f:
            token = f.read().strip()
    except OSError as e:
        raise InputError('cannot read --token-file %s: %s' % (path, e.strerror))
    if not token:
        raise InputError('--token-file %s is empty; put a random secret in it' % path)
    if os.name == 'posix' and os.stat(path).st_mode & 0o077:
        log('warning: token file %s is readable by other users (chmod 600 it)' % path)
    return token


def serve(args, doc):
    from .protocol import Connection
    from .transport import StdioTransport, redirect_stdout_to_stderr
    from . import orphan, ranks
    codes = doc['exitCodes']
    if args.process_group:
        ranks.join_process_group(args.process_group)
    if args.listen is None and (args.token_file or args.keep):
        log('--token-file and --keep go with --listen')
        return codes['input']
    if args.listen is not None and not args.token_file:
        log('--listen needs --token-file FILE: every client must present the token in it')
        return codes['input']
    try:
        env = ranks.from_environ()
    except InputError as e:
        log(e.message)
        return codes['input']
    if env is not None and env.rank > 0:
        os.close(redirect_stdout_to_stderr())
        orphan.install(args.parent_pid, codes['orphaned'])
        _import_torch(codes)
        from .cluster import serve_worker
        return serve_worker(args, env, codes)
    stdio = StdioTransport() if args.listen is None else None
    real_stdout = None if stdio is not None else redirect_stdout_to_stderr()
    orphan.install(args.parent_pid, codes['orphaned'])
    torch = _import_torch(codes)
    hub, ending = None, None
    if env is None:
        def load():
            return _load(args, torch)
    else:
        from .cluster import Ending, start_rank0
        ending = Ending(codes['rankLost'], tell_client=stdio is None)

        def load():
            nonlocal hub
            engine, load_error, hub = start_rank0(args, env, ending)
            return engine, load_error
    try:
        if stdio is not None:
            engine, load_error = load()
            outcome = Connection(stdio, doc, engine, load_error, args.dtype).run()
            return {'load-error': codes['input'], 'frame-error': codes['protocol']}.get(outcome, codes['ok'])
        return _serve_socket(args, doc, load, real_stdout, ending)
    finally:
        if hub is not None:
            hub.close()


def _serve_socket(args, doc, load, real_stdout, ending):
    from .protocol import Connection
    from .transport import Listener, parse_address
    codes = doc['exitCodes']
    try:
        token = _read_token(args.token_file)
        host, port = parse_address(args.listen)
    except (InputError, ValueError) as e:
        log(str(e))
        return codes['input']
    engine, load_error = load()
    try:
        listener = Listener(host, port)
    except OSError as e:
        log('cannot listen on %s: %s' % (args.listen, e.strerror or e))
        return codes['input']
    address = '%s:%d' % listener.address if ':' not in listener.address[0] else '[%s]:%d' % listener.address
    os.write(real_stdout, (json.dumps({'listening': address}) + '\n').encode())
    log('listening on %s' % address)
    while True:
        conn = listener.accept()
        log('connection from %s' % conn.peer)
        # One client at a time, so a client that connects and says nothing must not hold the server.
        conn.set_timeout(args.hello_timeout)
        session = Connection(conn, doc, engine, load_error, args.dtype, token=token)
        if ending is not None:
            ending.connection = session
        try:
            outcome = session.run(on_ready=lambda: conn.set_timeout(None))
        except OSError as e:  # includes the hello timeout
            log('connection from %s ended: %s' % (conn.peer, e))
            outcome = 'refused' if not session.authenticated else 'closed'
        if ending is not None:
            ending.connection = None
        conn.close()
        log('connection from %s ended (%s)' % (conn.peer, outcome))
        if outcome == 'load-error':
            return codes['input']
        if not session.authenticated:
            continue
        if not args.keep:
            return codes['protocol'] if outcome == 'frame-error' else codes['ok']


def main(argv):
    args = _parser().parse_args(argv)
    if args.command == 'probe':
        return probe()
    doc = schema.load_document()
    try:
        return serve(args, doc)
    except KeyboardInterrupt:
        return 130
