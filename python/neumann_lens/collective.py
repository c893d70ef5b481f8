"""The problem served by torch.distributed ranks, each over its shard of the data: every computing
request is run on every rank in lockstep and the results are combined into exact global means,
L = Σ_r n_r L_r / Σ_r n_r (gradients and HVPs likewise, n_r the rank's train_size or val_size), so
the numbers equal one process on the whole data set.

Three pieces: Group (the collectives, every torch.distributed failure turned into GroupBroken),
ShardEngine (LocalEngine on one rank's shard, with each result summed over the ranks) and
CollectiveEngine (rank 0's engine for the protocol layer: sends each command to the other ranks over
the control channel, then runs it itself). RankServer runs a command on any rank.

An exception in the user's code on one rank must not leave the others waiting in a collective, so
each sum carries one more value, the number of ranks that failed: every rank sees it, and all of
them gather the error bodies and raise the same error (rank 0 reports the lowest failing rank's)."""
import torch
import torch.distributed as dist

from .engine import _END, LocalEngine
from .errors import BridgeError, InputError, from_body, internal_error


class GroupBroken(Exception):
    """A collective failed (a rank is gone, the network broke, --timeout passed): the group is unusable."""


class _Failed(Exception):
    """Code raised on some rank inside a collective step; `error` is this rank's own (None elsewhere)."""

    def __init__(self, error):
        super().__init__('a rank failed')
        self.error = error


class Group:
    def __init__(self, rank, world_size, backend, device, dtype, timeout):
        self.rank = rank
        self.world_size = world_size
        self.backend = backend
        self.device = device
        self.dtype = dtype
        self.timeout = timeout
        # gloo reduces CPU tensors; nccl the rank's own CUDA device.
        self.comm = device if backend == 'nccl' else torch.device('cpu')

    def _call(self, what, fn):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - whatever torch.distributed raises, the group is gone
            raise GroupBroken('%s over %d ranks failed: %s (a rank is gone, the network failed, or a rank took longer '
                              'than --timeout %g s)' % (what, self.world_size, str(e).strip(), self.timeout))

    def broadcast(self, tensor, shape):
        """Rank 0's tensor on every rank (the others pass None)."""
        if self.rank == 0:
            buf = tensor.to(device=self.comm, dtype=self.dtype).contiguous()
        else:
            buf = torch.empty(shape, dtype=self.dtype, device=self.comm)
        self._call('broadcast', lambda: dist.broadcast(buf, src=0))
        return buf.to(self.device)

    def broadcast_object(self, obj):
        box = [obj]
        self._call('broadcast_object_list', lambda: dist.broadcast_object_list(box, src=0))
        return box[0]

    def all_gather_object(self, obj):
        out = [None] * self.world_size
        self._call('all_gather_object', lambda: dist.all_gather_object(out, obj))
        return out

    def collect(self, fn, length, scale=1.0):
        """Σ_r scale_r · fn_r() over the ranks (fn returns `length` values). If fn raised on any
        rank, every rank raises _Failed. A rank with scale 0 (an empty shard) does not call fn."""
        error = None
        local = None
        if scale != 0:
            try:
                local = fn().reshape(-1).to(device=self.comm, dtype=self.dtype) * scale
                if local.numel() != length:
                    raise RuntimeError('a rank computed %d values, expected %d' % (local.numel(), length))
            except BridgeError as e:
                error = e
            except Exception as e:  # noqa: BLE001 - told to the client as an internal error
                error = internal_error(e)
        if local is None or error is not None:
            local = torch.zeros(length, dtype=self.dtype, device=self.comm)
        flag = torch.tensor([0.0 if error is None else 1.0], dtype=self.dtype, device=self.comm)
        buf = torch.cat([local, flag])
        self._call('all_reduce', lambda: dist.all_reduce(buf, op=dist.ReduceOp.SUM))
        if float(buf[-1]) != 0:
            raise _Failed(error)
        return buf[:-1].to(self.device)


def _scalar(value, dtype):
    return torch.tensor([value], dtype=dtype)


class ShardEngine(LocalEngine):
    """One rank's shard. loss, gradient, hvp and train are collective: every rank calls them in the
    same order (RankServer.run), and each returns the global result."""

    def __init__(self, problem, dtype, device, group):
        super().__init__(problem, dtype, device)
        self.group = group
        self.totals = None  # {'train': Σ n_r, 'val': Σ n_r}, set once every rank has loaded

    def _share(self, split):
        size = self.problem.train_size if split == 'train' else self.problem.val_size
        return size / self.totals[split]

    def loss(self, split):
        return float(self.group.collect(lambda: _scalar(LocalEngine.loss(self, split), self.dtype), 1, self._share(split))[0])

    def gradient(self, split):
        def local():
            loss, grad = LocalEngine.gradient(self, split)
            return torch.cat([grad.reshape(-1), _scalar(loss, self.dtype).to(grad.device)])
        buf = self.group.collect(local, self.count + 1, self._share(split))
        return float(buf[-1]), buf[:-1]

    def hvp(self, vectors):
        k = int(vectors.shape[0])
        return self.group.collect(lambda: LocalEngine.hvp(self, vectors), k * self.count, self._share('train')).view(k, self.count)

    def _training_gradient(self):
        # Full batch: the step is the exact global mean gradient. Minibatches: the mean of the ranks'
        # batch gradients, as DistributedDataParallel takes it (one process on the union of the
        # ranks' batches when they are of equal size, e.g. with DistributedSampler).
        def local():
            value, grads = LocalEngine._training_gradient(self)
            flat = self._flatten(grads)
            return torch.cat([flat, _scalar(value, self.dtype).to(flat.device)])
        share = self._share('train') if self.problem.batch_loss is None else 1.0 / self.group.world_size
        buf = self.group.collect(local, self.count + 1, share)
        grads = [g.view_as(p) for g, p in zip(buf[:-1].split(self.sizes), self.params)]
        return float(buf[-1]), grads

    def _epoch_ended(self):
        # Every rank fetches ahead, and they agree on the epoch's end. (Replayed steps after a
        # trainStream rewind do not come here: each rank's tape holds the same ends.)
        if self.problem.batch_loss is None:
            return True

        def local():
            self._lookahead = self._fetch(fresh=False)
            return _scalar(1.0 if self._lookahead is _END else 0.0, self.dtype)
        ended = int(round(float(self.group.collect(local, 1)[0])))
        if ended and ended != self.group.world_size:
            steps = self.step_in_epoch
            self._end_epoch()  # every rank starts the next epoch afresh, so they stay in step
            raise InputError('train_batches() ran out after %d batches on %d of %d ranks but not on the others; every rank '
                             'must yield the same number of batches per epoch (e.g. torch.utils.data.DistributedSampler '
                             'with drop_last=True, or shards of equal size); the epoch was ended there'
                             % (steps, ended, self.group.world_size))
        return ended == self.group.world_size


class RankServer:
    """Runs one command on this rank; rank 0 passes the tensors it broadcasts (the others None)."""

    def __init__(self, engine, group):
        self.engine = engine
        self.group = group

    def run(self, cmd, data=None):
        try:
            return self._run(cmd, data)
        except _Failed as f:
            bodies = self.group.all_gather_object(None if f.error is None else f.error.body())
            raise first_error(bodies)

    def _run(self, cmd, data):
        op, e, g = cmd['op'], self.engine, self.group
        if op == 'setParams':
            e.set_params(g.broadcast(data, (e.count,)))
            return None
        if op == 'loss':
            return e.loss(cmd['split'])
        if op == 'gradient':
            return e.gradient(cmd['split'])
        if op == 'hvp':
            return e.hvp(g.broadcast(data, (cmd['k'], e.count)))
        if op == 'train':
            decay = cmd['weightDecay']
            decay = g.broadcast(data, (e.count,)) if decay == 'perParameter' else float(decay)
            return e.train(float(cmd['learningRate']), decay, steps=cmd['steps'], epochs=cmd['epochs'])
        if op == 'trainStream':
            return e.train_stream(cmd['action'])
        raise GroupBroken('rank %d got an unknown command %r' % (g.rank, op))


def first_error(bodies):
    """The lowest failing rank's error, its message prefixed with the rank (bodies: one per rank, None = ok)."""
    failed = [r for r, b in enumerate(bodies) if b is not None]
    r, others = failed[0], failed[1:]
    also = ''
    if others:
        same = all(bodies[o]['message'] == bodies[r]['message'] for o in others)
        also = ' (%s on rank%s %s)' % ('the same' if same else 'failing too', 's' if len(others) > 1 else '', ', '.join(map(str, others)))
    return from_body(bodies[r], message='rank %d: %s%s' % (r, bodies[r]['message'], also), rank=r)


LOSS_GRACE_SECONDS = 3.0


class CollectiveEngine:
    """Rank 0's engine (the interface protocol.py uses, see engine.py). `lost(message)` ends the
    server when the group breaks; it does not return."""

    def __init__(self, server, hub, ranks, backend, lost):
        self.server = server
        self.hub = hub
        self.ranks = ranks
        self.backend = backend
        self.lost = lost
        self.count = server.engine.count

    def info(self):
        out = self.server.engine.info()
        totals = self.server.engine.totals
        out.update(trainSize=totals['train'], valSize=totals['val'],
                   distributed={'worldSize': len(self.ranks), 'backend': self.backend, 'ranks': self.ranks})
        return out

    def get_params(self):
        return self.server.engine.get_params()  # the same on every rank

    def set_params(self, flat):
        self._run({'op': 'setParams'}, flat)

    def loss(self, split):
        return self._run({'op': 'loss', 'split': split})

    def gradient(self, split):
        return self._run({'op': 'gradient', 'split': split})

    def hvp(self, vectors):
        if vectors.shape[0] == 0:
            return torch.zeros(0, self.count, dtype=self.server.engine.dtype)
        return self._run({'op': 'hvp', 'k': int(vectors.shape[0])}, vectors)

    def train(self, learning_rate, decay, steps=None, epochs=None):
        per_parameter = not isinstance(decay, float)
        cmd = {'op': 'train', 'learningRate': learning_rate, 'weightDecay': 'perParameter' if per_parameter else decay,
               'steps': steps, 'epochs': epochs}
        return self._run(cmd, decay if per_parameter else None)

    def train_stream(self, action):
        return self._run({'op': 'trainStream', 'action': action})

    def _run(self, cmd, data=None):
        try:
            try:
                self.hub.send(cmd)
            except OSError as e:
                raise GroupBroken('sending %s to the other ranks failed: %s' % (cmd['op'], e))
            return self.server.run(cmd, data)
        except GroupBroken as e:
            # A killed rank breaks the collective on rank 0 a moment before its control connection is
            # seen closing; wait briefly so the watch thread can name the rank (it ends the process).
            self.hub.wait_for_loss(LOSS_GRACE_SECONDS)
            self.lost(str(e))
        except BridgeError:
            raise  # raised alike on every rank: the ranks are still in step
        except Exception as e:  # noqa: BLE001 - a bridge bug on rank 0 alone: the others may wait in a collective
            err = internal_error(e)
            self.lost('rank 0: %s\n%s' % (err.message, err.detail))
        raise AssertionError('lost() returned')


def check_ranks(gathered, world_size):
    """The verdict every rank reaches from what all of them loaded (so they agree): None, or the error."""
    bodies = [g['error'] for g in gathered]
    if any(b is not None for b in bodies):
        return first_error(bodies)
    first = gathered[0]['summary']
    for r, g in enumerate(gathered[1:], start=1):
        s = g['summary']
        if s['tensors'] != first['tensors']:
            return InputError('rank %d’s model has the parameters %s, rank 0’s %s; every rank must build the same model '
                              '(only the data is sharded)' % (r, _shapes(s['tensors']), _shapes(first['tensors'])), rank=r)
        if s['minibatch'] != first['minibatch']:
            return InputError('rank %d %s train_batches/batch_loss but rank 0 %s; every rank must return the same keys'
                              % (r, 'returns' if s['minibatch'] else 'does not return', 'does' if first['minibatch'] else 'does not'),
                              rank=r)
    for key, split in (('trainSize', 'train_size'), ('valSize', 'val_size')):
        if sum(g['summary'][key] for g in gathered) == 0:
            return InputError('the %d ranks’ %s add up to 0; each returns the number of examples in its shard' % (world_size, split))
    return None


def _shapes(tensors):
    text = ', '.join('%s%s' % (t['name'], t['shape']) for t in tensors)
    return text if len(text) < 200 else text[:197] + '...'
