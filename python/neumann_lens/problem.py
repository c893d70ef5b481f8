"""The user's problem file: imported, its neumann_problem() called, and what it returned checked,
so every mistake is an InputError at the user's file:line before anything is served."""
import importlib.util
import inspect
import os
import sys

import torch

from .errors import InputError, file_location, from_user_exception, function_location

REQUIRED = ('model', 'train_loss', 'val_loss')
OPTIONAL = ('train_batches', 'batch_loss', 'train_size', 'val_size')
#: keywords neumann_problem() may accept; passed only when its signature takes them.
KEYWORDS = ('rank', 'world_size', 'device')


class Problem:
    def __init__(self, path, model, train_loss, val_loss, train_batches, batch_loss, train_size, val_size):
        self.path = path
        self.model = model
        self.train_loss = train_loss
        self.val_loss = val_loss
        self.train_batches = train_batches
        self.batch_loss = batch_loss
        self.train_size = train_size
        self.val_size = val_size


def parse_device(text):
    try:
        device = torch.device(text)
    except (RuntimeError, ValueError) as e:
        raise InputError('device %r is not a torch device (%s); use cpu, cuda or cuda:N' % (text, e))
    if device.type == 'cpu':
        return device
    if device.type != 'cuda':
        raise InputError('device %r is not supported; use cpu, cuda or cuda:N' % text)
    if not torch.cuda.is_available():
        built = torch.version.cuda
        why = 'this torch was built without CUDA' if built is None else 'no CUDA device is visible (torch built for CUDA %s)' % built
        raise InputError('device %r asked for, but CUDA is not available: %s (torch %s); use device cpu' % (text, why, torch.__version__))
    index = device.index if device.index is not None else torch.cuda.current_device()
    if index >= torch.cuda.device_count():
        raise InputError('device %r asked for, but only %d CUDA device(s) are visible' % (text, torch.cuda.device_count()))
    return torch.device('cuda', index)


def import_user_file(path):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise InputError('problem file not found: %s' % path, where=file_location(path))
    folder = os.path.dirname(path)
    # The user's sibling modules import as they would when the file is run directly.
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location('neumann_lens_user_problem', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - anything the user's file raises is the user's error
        raise from_user_exception(e, path, 'importing %s raised' % os.path.basename(path))
    return module


def _keywords_for(fn, values):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return dict(values)
    return {k: v for k, v in values.items() if k in params}


def _check_shard_keywords(fn, world_size):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    missing = [k for k in ('rank', 'world_size') if k not in params]
    if missing:
        raise InputError('neumann_problem() takes no %s keyword, but %d ranks serve it: define it as '
                         'neumann_problem(rank=0, world_size=1, ...) and return the shard of the data that rank `rank` of '
                         '`world_size` holds, with its sizes in "train_size" and "val_size"'
                         % (' or '.join(repr(m) for m in missing), world_size), where=function_location(fn))


def _check_shard_sizes(problem, fn, world_size):
    for key in ('train_size', 'val_size'):
        if getattr(problem, key) is None:
            raise InputError('neumann_problem() returned no %r, but %d ranks serve it: return "train_size" and "val_size", '
                             'the number of examples in this rank’s shard, so the bridge can form the exact global means '
                             '(Σ size·loss / Σ size)' % (key, world_size), where=function_location(fn))


def load_problem(path, dtype, device, rank=0, world_size=1):
    """Imports the file (with the default dtype already set), calls neumann_problem() and checks it.
    With world_size > 1, neumann_problem() must take rank and world_size and return its shard's sizes."""
    torch.set_default_dtype(dtype)
    module = import_user_file(path)
    path = os.path.abspath(path)
    fn = getattr(module, 'neumann_problem', None)
    if fn is None:
        raise InputError('%s defines no neumann_problem(); add a function neumann_problem() that returns a dict with '
                         'keys model, train_loss, val_loss' % os.path.basename(path), where=file_location(path))
    if not callable(fn):
        raise InputError('neumann_problem in %s is a %s, not a function' % (os.path.basename(path), type(fn).__name__),
                         where=file_location(path))
    if world_size > 1:
        _check_shard_keywords(fn, world_size)
    kwargs = _keywords_for(fn, {'rank': rank, 'world_size': world_size, 'device': device})
    try:
        result = fn(**kwargs)
    except Exception as e:  # noqa: BLE001
        raise from_user_exception(e, path, 'neumann_problem() raised')
    problem = check_result(result, fn, path, dtype, device)
    if world_size > 1:
        _check_shard_sizes(problem, fn, world_size)
    return problem


def check_result(result, fn, path, dtype, device):
    where = function_location(fn) or file_location(path)
    if not isinstance(result, dict):
        raise InputError('neumann_problem() returned %s; expected a dict with keys %s' % (type(result).__name__, ', '.join(REQUIRED)),
                         where=where)
    for key in REQUIRED:
        if key not in result:
            raise InputError("neumann_problem() returned no %r; expected keys %s (optional: %s)" % (key, ', '.join(REQUIRED), ', '.join(OPTIONAL)),
                             where=where)
    for key in result:
        if key not in REQUIRED and key not in OPTIONAL:
            raise InputError("neumann_problem() returned an unknown key %r; the keys are %s (optional: %s)" % (key, ', '.join(REQUIRED), ', '.join(OPTIONAL)),
                             where=where)
    model = result['model']
    if not isinstance(model, torch.nn.Module):
        raise InputError("neumann_problem()['model'] is a %s; expected a torch.nn.Module" % type(model).__name__, where=where)
    for key in ('train_loss', 'val_loss', 'train_batches', 'batch_loss'):
        if key in result and not callable(result[key]):
            raise InputError("neumann_problem()[%r] is a %s; expected a function" % (key, type(result[key]).__name__), where=where)
    if ('train_batches' in result) != ('batch_loss' in result):
        given, missing = ('train_batches', 'batch_loss') if 'train_batches' in result else ('batch_loss', 'train_batches')
        raise InputError('neumann_problem() returned %r but not %r; minibatch training needs both '
                         '(train_batches() -> iterable of batches, batch_loss(model, batch) -> scalar)' % (given, missing), where=where)
    sizes = {}
    for key in ('train_size', 'val_size'):
        v = result.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0):
            raise InputError("neumann_problem()[%r] is %r; expected a non-negative int (examples in the set)" % (key, v), where=where)
        sizes[key] = v
    model.to(device=device, dtype=dtype)
    if not any(p.requires_grad for p in model.parameters()):
        raise InputError('the model has no parameters with requires_grad=True; there is nothing to differentiate', where=where)
    return Problem(path, model, result['train_loss'], result['val_loss'], result.get('train_batches'),
                   result.get('batch_loss'), sizes['train_size'], sizes['val_size'])
