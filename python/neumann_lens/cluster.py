"""Serving from torch.distributed ranks (WORLD_SIZE > 1): what every rank does at start-up (join the
process group, open the control channel, load its shard, agree on one verdict), rank 0's engine for
the protocol, and the other ranks' command loop.

How ranks end. Orderly: rank 0 tells the others to exit when its client is done (they exit 0, also
after a load error rank 0 reported; a rank exits 2 only for its own input error before the group
formed, such as a device it does not have). Otherwise the first rank to see a loss ends everything: a worker whose control
connection closes (rank 0 is gone) exits rankLost at once, even mid-computation; rank 0, when a
worker's connection closes or a collective fails, logs why, tells a socket client (an `exited` error
naming the rank) and exits rankLost, which closes every worker's connection in turn. Over stdio the
parent started the ranks and names the lost rank and its signal itself, from their exit statuses."""
import os
import platform
import socket
import threading

from . import ranks
from .collective import CollectiveEngine, Group, GroupBroken, RankServer, ShardEngine, check_ranks
from .control import Hub, Spoke
from .errors import BridgeError, InputError, RanksLost, internal_error, log


class Ending:
    """Rank 0's way out when the group breaks (from the watch thread or the main thread, once)."""

    def __init__(self, code, tell_client):
        self.code = code
        self.tell_client = tell_client
        self.connection = None
        self._once = threading.Lock()

    def __call__(self, message, rank=None):
        self._once.acquire()  # a second caller waits here for the exit
        try:
            log(message)
            if self.tell_client and self.connection is not None:
                self.connection.abort(RanksLost(message, rank=rank))
        finally:
            os._exit(self.code)


def _device(args, env):
    from .problem import parse_device
    return parse_device(ranks.rank_device(env, args.device, args.backend))


def _join(args, env, device):
    try:
        ranks.init_group(env, args.backend, args.timeout, device)
        return None
    except Exception as e:  # noqa: BLE001 - the reason is torch's
        return 'cannot form the process group (%r, backend %s): %s' % (env, args.backend, str(e).strip())


def _load(args, env, group, dtype, device):
    """(engine, None, rank infos) once every rank has loaded its shard, or (None, error, None)."""
    from .problem import load_problem
    summary, error, engine = None, None, None
    try:
        problem = load_problem(args.problem, dtype, device, rank=env.rank, world_size=env.world_size)
        engine = ShardEngine(problem, dtype, device, group)
        info = engine.info()
        summary = {'tensors': info['params']['tensors'], 'minibatch': info['minibatch'], 'rank': env.rank,
                   'pid': os.getpid(), 'host': socket.gethostname(), 'device': str(device),
                   'trainSize': problem.train_size, 'valSize': problem.val_size}
    except BridgeError as e:
        error = e
    except Exception as e:  # noqa: BLE001
        error = internal_error(e)
    gathered = group.all_gather_object({'summary': summary, 'error': None if error is None else error.body()})
    verdict = check_ranks(gathered, env.world_size)
    if verdict is not None:
        return None, verdict, None
    engine.totals = {'train': sum(g['summary']['trainSize'] for g in gathered),
                     'val': sum(g['summary']['valSize'] for g in gathered)}
    # Every rank starts from rank 0's parameters, whatever seed each rank's model was built with.
    engine.set_params(group.broadcast(engine.get_params() if env.rank == 0 else None, (engine.count,)))
    keys = ('rank', 'pid', 'host', 'device', 'trainSize', 'valSize')
    return engine, None, [{k: g['summary'][k] for k in keys} for g in gathered]


def _dtype(args):
    import torch
    return torch.float64 if args.dtype == 'float64' else torch.float32


def start_rank0(args, env, lost):
    """(engine, load_error, hub) on rank 0 once every rank has loaded; lost(message) when the group cannot form."""
    import torch
    try:
        device = _device(args, env)
    except InputError as e:
        return None, e, None  # every rank fails alike and exits; the client is told by this one
    why = _join(args, env, device)
    if why:
        lost(why)
    dtype = _dtype(args)
    group = Group(env.rank, env.world_size, args.backend, device, dtype, args.timeout)
    try:
        hub = Hub(env.master_addr, env.world_size)
        group.broadcast_object([list(hub.address), hub.secret])
        hub.accept_all(args.timeout)
    except (GroupBroken, OSError) as e:
        lost('cannot open the control channel to the other ranks: %s' % e)
    hub.watch(lambda rank, pid, host: lost('rank %d (pid %s on %s) is gone: its process ended (killed, crashed or out of '
                                           'memory); stopping every rank' % (rank, pid, host), rank=rank))
    try:
        engine, verdict, rank_info = _load(args, env, group, dtype, device)
    except GroupBroken as e:
        lost(str(e))
    if verdict is not None:
        at = verdict.where
        log('cannot serve %s: %s%s' % (args.problem, '%s:%s: ' % (at['file'], at.get('line', '')) if at else '', verdict.message))
        return None, verdict, hub
    log('serving %s (%s, %s, %d parameters; %d ranks, %s, %d train / %d val examples; Python %s, torch %s)' % (
        args.problem, args.dtype, device, engine.count, env.world_size, args.backend, engine.totals['train'],
        engine.totals['val'], platform.python_version(), torch.__version__))
    return CollectiveEngine(RankServer(engine, group), hub, rank_info, args.backend, lost), None, hub


def serve_worker(args, env, codes):
    """A rank > 0: loads its shard, then runs rank 0's commands until told to exit."""
    def gone(message):
        log(message)
        os._exit(codes['rankLost'])

    try:
        device = _device(args, env)
    except InputError as e:
        log('rank %d: %s' % (env.rank, e.message))
        return codes['input']
    why = _join(args, env, device)
    if why:
        gone(why)
    dtype = _dtype(args)
    group = Group(env.rank, env.world_size, args.backend, device, dtype, args.timeout)
    try:
        address, secret = group.broadcast_object(None)
        spoke = Spoke(tuple(address), secret, env.rank, args.timeout,
                      on_lost=lambda: gone('rank %d: rank 0 is gone (its control connection closed); exiting' % env.rank))
        engine, verdict, _ = _load(args, env, group, dtype, device)
    except (GroupBroken, OSError) as e:
        gone('rank %d: %s' % (env.rank, e))
    if verdict is not None:
        while spoke.next()['op'] != 'exit':
            pass
        return codes['ok']  # rank 0 reported it; exit 2 stays the mark of a rank's own input error
    log('rank %d of %d: serving its shard of %s (%d train / %d val examples, %s)' % (
        env.rank, env.world_size, args.problem, engine.problem.train_size, engine.problem.val_size, device))
    server = RankServer(engine, group)
    while True:
        cmd = spoke.next()
        if cmd['op'] == 'exit':
            return codes['ok']
        try:
            server.run(cmd)
        except BridgeError:
            pass  # every rank raised it; rank 0 tells the client
        except GroupBroken as e:
            gone('rank %d: %s' % (env.rank, e))
        except Exception as e:  # noqa: BLE001 - a bridge bug here would leave the others waiting: end the group
            err = internal_error(e)
            log('rank %d: %s\n%s' % (env.rank, err.message, err.detail))
            os._exit(codes['internal'])
