"""The engine: the user's problem at the current parameters w. Serves the data part of the
objective only — train/val losses, their gradients, HVPs of train_loss — and SGD steps. Tensors in,
tensors out (flat, in the model's dtype, on its device); the protocol layer does the wire. What
protocol.py uses: count, info(), get_params(), set_params(w), loss(split), gradient(split),
hvp(rows), train(learning_rate, decay, steps|epochs), train_stream('mark'|'rewind').

A later collective engine (torch.distributed ranks over shards) keeps this interface: it
broadcasts each call to the other ranks, runs this engine on its own shard and all-reduces the
size-weighted results; training steps go through _training_gradient for the same reason."""
import math

import torch

from .errors import InputError, ProtocolError, from_user_exception, function_location


class LocalEngine:
    def __init__(self, problem, dtype, device):
        self.problem = problem
        self.dtype = dtype
        self.device = device
        self.model = problem.model
        named = [(name, p) for name, p in self.model.named_parameters() if p.requires_grad]
        self.names = [name for name, _ in named]
        self.params = [p for _, p in named]
        self.sizes = [p.numel() for p in self.params]
        self.count = sum(self.sizes)
        self._version = 0
        self._hvp_cache = None
        self._batches = None
        self._lookahead = _NONE
        self._current = None  # the batch of the step being taken
        self._tape = None  # the steps taken since train_stream('mark'), when marked
        self.epochs_completed = 0
        self.step_in_epoch = 0
        # Analysis runs in eval mode (dropout off, batch norm on running statistics), so every
        # HVP sees the same function; train() switches to train mode for its steps only.
        self.model.eval()
        self._check_parameters()
        self._check_differentiable('train_loss', problem.train_loss)
        self._check_differentiable('val_loss', problem.val_loss)

    # ------------------------------------------------------------------ metadata and parameters

    def info(self):
        """The engine's part of the ready reply (a collective engine reports global sizes here)."""
        return {
            'device': str(self.device),
            'params': {'count': self.count, 'tensors': [{'name': n, 'shape': list(p.shape)} for n, p in zip(self.names, self.params)]},
            'trainSize': self.problem.train_size,
            'valSize': self.problem.val_size,
            'minibatch': self.problem.batch_loss is not None,
        }

    def get_params(self):
        return torch.cat([p.detach().reshape(-1) for p in self.params])

    def set_params(self, flat):
        flat = flat.to(device=self.device, dtype=self.dtype)
        with torch.no_grad():
            for p, chunk in zip(self.params, flat.split(self.sizes)):
                p.copy_(chunk.view_as(p))
        self._changed()

    def _changed(self):
        self._version += 1
        self._hvp_cache = None

    # ------------------------------------------------------------------ losses and derivatives

    def loss(self, split):
        fn = self._loss_fn(split)
        return float(self._call_loss(fn, split + '_loss').detach())

    def gradient(self, split):
        if split == 'train' and self._hvp_cache is not None:
            loss, grads = self._hvp_cache[1], self._hvp_cache[2]
            return loss, self._flatten([None if g is None else g.detach() for g in grads])
        fn = self._loss_fn(split)
        value = self._call_loss(fn, split + '_loss')
        grads = torch.autograd.grad(value, self.params, allow_unused=True)
        return float(value.detach()), self._flatten(grads)

    def hvp(self, vectors):
        """∇²train_loss · v for each row v of vectors (k, n): one double-backward graph per w,
        then one backward per vector."""
        if self._hvp_cache is None or self._hvp_cache[0] != self._version:
            value = self._call_loss(self.problem.train_loss, 'train_loss')
            grads = torch.autograd.grad(value, self.params, create_graph=True, allow_unused=True)
            self._hvp_cache = (self._version, float(value.detach()), grads)
        grads = self._hvp_cache[2]
        live = [i for i, g in enumerate(grads) if g is not None and g.requires_grad]
        vectors = vectors.to(device=self.device, dtype=self.dtype)
        out = torch.zeros(vectors.shape[0], self.count, dtype=self.dtype, device=self.device)
        if not live:
            return out  # the gradient does not depend on w: the Hessian is zero
        for row in range(vectors.shape[0]):
            parts = vectors[row].split(self.sizes)
            hv = torch.autograd.grad([grads[i] for i in live], self.params,
                                     grad_outputs=[parts[i].view_as(self.params[i]) for i in live],
                                     retain_graph=True, allow_unused=True)
            out[row] = self._flatten(hv)
        return out

    # ------------------------------------------------------------------ training

    def train(self, learning_rate, decay, steps=None, epochs=None):
        """SGD steps w ← w − lr(∇loss + λ∘w) until `steps` steps or `epochs` more epochs are done.
        decay: a float or a flat tensor (one λ per parameter). Returns the data loss before each
        step, ½Σλw² at the same w, why it stopped early (a non-finite loss, step not applied) and
        the epoch counters."""
        decays = [decay] * len(self.params) if isinstance(decay, float) else \
            [d.view_as(p) for d, p in zip(decay.to(device=self.device, dtype=self.dtype).split(self.sizes), self.params)]
        target = self.epochs_completed + epochs if epochs is not None else None
        losses, penalties, stopped = [], [], None
        self.model.train()
        try:
            while (steps is None or len(losses) < steps) and (target is None or self.epochs_completed < target):
                value, grads = self._training_gradient()
                with torch.no_grad():
                    penalty = 0.5 * sum(float((lam * p * p).sum()) for lam, p in zip(decays, self.params))
                losses.append(value)
                penalties.append(penalty)
                if not math.isfinite(value):
                    stopped = 'non-finite-loss'
                    self._put_back()
                    break
                with torch.no_grad():
                    for p, g, lam in zip(self.params, grads, decays):
                        step = lam * p if g is None else g + lam * p
                        p.sub_(learning_rate * step)
                self._changed()
                self._advance()
        finally:
            self.model.eval()
        return {'losses': losses, 'penalties': penalties, 'stopped': stopped,
                'epochsCompleted': self.epochs_completed, 'stepInEpoch': self.step_in_epoch}

    def _training_gradient(self):
        if self.problem.batch_loss is None:
            value = self._call_loss(self.problem.train_loss, 'train_loss')
        else:
            batch = self._next_batch()
            value = self._call_loss(self.problem.batch_loss, 'batch_loss', batch)
        grads = torch.autograd.grad(value, self.params, allow_unused=True)
        return float(value.detach()), grads

    def train_stream(self, action):
        """'mark': remember where the stream of training batches stands and keep every step taken
        from here on; 'rewind': the next steps take those batches again, in order, from the marked
        position, and then go on where the stream had got to. The hyperparameter loop's compared
        runs start from one batch position this way, whatever train_batches() shuffles. The kept
        batches stay in memory until the next mark."""
        if action == 'mark':
            self._tape = _Tape(self.epochs_completed, self.step_in_epoch)
            return
        if self._tape is None:
            raise ProtocolError('trainStream rewind needs a trainStream mark first', field='action')
        self._tape.position = 0
        self.epochs_completed, self.step_in_epoch = self._tape.start

    def _replaying(self):
        return self._tape is not None and self._tape.position < len(self._tape.steps)

    def _advance(self):
        """Counts the applied step; an epoch ends after its last batch. A replayed step knows that
        from the tape; a live one by fetching one batch ahead (and is kept when a tape is marked)."""
        self.step_in_epoch += 1
        if self._replaying():
            batch, ended = self._tape.steps[self._tape.position]
            self._tape.position += 1
            if ended:
                self._count_epoch()  # the live iterator stays where the stream had got to
            return
        ended = self._epoch_ended()
        if self._tape is not None:
            self._tape.steps.append((self._current, ended))
            self._tape.position = len(self._tape.steps)
        if ended:
            self._end_epoch()

    def _epoch_ended(self):
        """Whether the batch just taken was its epoch's last (fetches the next one ahead)."""
        if self.problem.batch_loss is None:
            return True
        self._lookahead = self._fetch(fresh=False)
        return self._lookahead is _END

    def _put_back(self):
        """A step that was not applied leaves its batch to the next step."""
        if not self._replaying() and self.problem.batch_loss is not None:
            self._lookahead = self._current

    def _count_epoch(self):
        self.epochs_completed += 1
        self.step_in_epoch = 0

    def _end_epoch(self):
        self._count_epoch()
        self._batches = None
        self._lookahead = _NONE

    def _next_batch(self):
        if self._replaying():
            self._current = self._tape.steps[self._tape.position][0]
            return self._current
        batch, self._lookahead = self._lookahead, _NONE
        if batch is _NONE:
            batch = self._fetch(fresh=self._batches is None)
            if batch is _END:  # an earlier call stopped (an error) right at the end of an epoch
                self._end_epoch()
                batch = self._fetch(fresh=True)
        self._current = batch
        return batch

    def _fetch(self, fresh):
        fn = self.problem.train_batches
        if self._batches is None:
            try:
                self._batches = iter(fn())
            except Exception as e:  # noqa: BLE001
                raise from_user_exception(e, self.problem.path, 'train_batches() raised')
        try:
            return next(self._batches)
        except StopIteration:
            if fresh:
                self._batches = None
                raise InputError('train_batches() yielded no batches; it must return an iterable of batches '
                                 '(e.g. a DataLoader)', where=function_location(fn))
            return _END
        except Exception as e:  # noqa: BLE001
            raise from_user_exception(e, self.problem.path, 'iterating train_batches() raised')

    # ------------------------------------------------------------------ user code and checks

    def _loss_fn(self, split):
        return self.problem.train_loss if split == 'train' else self.problem.val_loss

    def _call_loss(self, fn, name, *extra):
        try:
            value = fn(self.model, *extra)
        except Exception as e:  # noqa: BLE001
            raise from_user_exception(e, self.problem.path, '%s(model%s) raised' % (name, ', batch' if extra else ''))
        return self._check_scalar(value, fn, name)

    def _check_scalar(self, value, fn, name):
        where = function_location(fn)
        if not isinstance(value, torch.Tensor):
            raise InputError('%s returned a %s; expected a scalar torch tensor' % (name, type(value).__name__), where=where)
        if value.numel() != 1:
            raise InputError('%s returned a tensor of shape %s; expected a scalar (reduce it, e.g. with .mean())'
                             % (name, list(value.shape)), where=where)
        if value.dtype != self.dtype:
            raise InputError('%s returned a %s tensor, but the bridge runs in %s; compute it from the model’s output '
                             'without casting (for float64, use dtype float64 in the experiment)'
                             % (name, str(value.dtype).replace('torch.', ''), str(self.dtype).replace('torch.', '')), where=where)
        if value.grad_fn is None:
            raise InputError('%s is not differentiable (its tensor has no grad_fn): compute it from model(...) without '
                             'torch.no_grad(), .detach(), .item() or numpy' % name, where=where)
        return value.reshape(())

    def _check_differentiable(self, name, fn):
        value = self._call_loss(fn, name)
        grads = torch.autograd.grad(value, self.params, allow_unused=True)
        if all(g is None for g in grads):
            raise InputError('%s does not depend on the model’s parameters: compute it from model(...) with the model '
                             'passed in, not from another model or fixed tensors' % name, where=function_location(fn))

    def _check_parameters(self):
        for name, p in zip(self.names, self.params):
            if p.dtype != self.dtype:
                raise InputError('parameter %s is %s after conversion to %s' % (name, p.dtype, self.dtype))
            if p.device != self.device:
                raise InputError('parameter %s is on %s, not %s' % (name, p.device, self.device))

    def _flatten(self, grads):
        return torch.cat([torch.zeros(p.numel(), dtype=self.dtype, device=self.device) if g is None else g.reshape(-1)
                          for g, p in zip(grads, self.params)])


class _Tape:
    """The steps taken since a mark: (batch, whether its epoch ended there) each, batch None for
    full-batch steps; `position` is the next step to replay (len(steps) when live)."""

    def __init__(self, epochs_completed, step_in_epoch):
        self.start = (epochs_completed, step_in_epoch)
        self.steps = []
        self.position = 0


_END = object()  # the batch iterator is exhausted
_NONE = object()  # no batch fetched ahead
