"""The errors the server answers with, and where in the user's code an exception came from."""
import os
import sys
import sysconfig
import traceback

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class BridgeError(Exception):
    """An error the server reports as an ``error`` reply (code, message, where, field, detail, rank)."""

    code = 'internal'

    def __init__(self, message, where=None, field=None, detail=None, rank=None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.field = field
        self.detail = detail
        self.rank = rank

    def body(self):
        out = {'code': self.code, 'message': self.message}
        if self.where is not None:
            out['where'] = self.where
        if self.field is not None:
            out['field'] = self.field
        if self.detail:
            out['detail'] = self.detail
        if self.rank is not None:
            out['rank'] = self.rank
        return out


class InputError(BridgeError):
    """The user's problem file or its code (the CLI's exit 2)."""

    code = 'input'


class ProtocolError(BridgeError):
    """A malformed or unexpected message; ``field`` names the header field."""

    code = 'protocol'


class AuthError(BridgeError):
    """A socket client without the right token."""

    code = 'auth'


class RanksLost(BridgeError):
    """A collective server lost a rank or its collective failed; the server is exiting."""

    code = 'exited'


_CLASSES = {c.code: c for c in (BridgeError, InputError, ProtocolError, AuthError, RanksLost)}


def from_body(body, **changes):
    """The BridgeError a body() describes (how an error travels between ranks), with changes applied."""
    fields = {k: body.get(k) for k in ('message', 'where', 'field', 'detail', 'rank')}
    fields.update(changes)
    return _CLASSES.get(body['code'], BridgeError)(**fields)


def internal_error(exc):
    return BridgeError('bridge internal error: %s: %s' % (type(exc).__name__, exc),
                       detail=''.join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def file_location(path, line=None):
    where = {'kind': 'file', 'file': os.path.abspath(path)}
    if line is not None and line >= 1:
        where['line'] = int(line)
    return where


def function_location(fn):
    """Where a user's function is defined (for errors about what it returned)."""
    code = getattr(fn, '__code__', None) or getattr(getattr(fn, '__call__', None), '__code__', None)
    if code is None:
        return None
    return file_location(code.co_filename, code.co_firstlineno)


def _library_roots():
    roots = {_PACKAGE_DIR}
    for key in ('stdlib', 'platstdlib', 'purelib', 'platlib'):
        p = sysconfig.get_paths().get(key)
        if p:
            roots.add(os.path.abspath(p))
    return roots


def _is_user_file(path, problem_dir):
    if not path or path.startswith('<'):
        return False
    path = os.path.abspath(path)
    if any(path == r or path.startswith(r + os.sep) for r in _library_roots()):
        return False
    parts = path.split(os.sep)
    if 'site-packages' in parts or 'dist-packages' in parts:
        return False
    return path.startswith(problem_dir + os.sep)


def user_frames(exc, problem_file):
    """The traceback frames that are the user's code: files under the problem file's folder that are
    neither a library nor this package."""
    problem_dir = os.path.dirname(os.path.abspath(problem_file))
    frames = traceback.extract_tb(exc.__traceback__)
    return [f for f in frames if _is_user_file(f.filename, problem_dir)]


def from_user_exception(exc, problem_file, doing):
    """An InputError for an exception raised by the user's code: the innermost user frame's
    file:line, the exception text, and the user-code part of the traceback as detail."""
    text = '%s: %s' % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename:
        line = exc.lineno
        return InputError('%s: %s' % (doing, text), where=file_location(exc.filename, line))
    frames = user_frames(exc, problem_file)
    if not frames:
        problem = os.path.abspath(problem_file)
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) == problem]
    where = file_location(frames[-1].filename, frames[-1].lineno) if frames else file_location(problem_file)
    detail = ''.join(traceback.format_list(frames)) + text if frames else None
    return InputError('%s: %s' % (doing, text), where=where, detail=detail)


def log(message):
    """One line on stderr (the caller forwards stderr lines to its log)."""
    try:
        sys.stderr.write('neumann_lens: %s\n' % message)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr is gone with the parent that read it; the log is no reason to fail
