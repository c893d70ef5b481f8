"""No orphans: a server whose parent died must not keep computing. Stdin EOF is the primary signal
(the read loop sees it between requests); this watch catches a parent that dies while the server is
inside a long computation, and SIGTERM ends the server wherever it is."""
import os
import signal
import threading
import time

from .errors import log


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists but belongs to someone else


def install(parent_pid, exit_code, interval=0.5):
    # The parent may have started us with SIGTERM ignored; the default action ends the process
    # even inside a C-level torch kernel, which a Python handler could not.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    initial_ppid = os.getppid()

    def watch():
        while True:
            time.sleep(interval)
            why = None
            if parent_pid is not None and not _alive(parent_pid):
                why = 'parent process %d is gone' % parent_pid
            elif os.getppid() != initial_ppid:
                why = 'reparented from %d to %d' % (initial_ppid, os.getppid())
            if why:
                try:
                    log('exiting: %s' % why)
                finally:
                    os._exit(exit_code)

    threading.Thread(target=watch, name='neumann-lens-orphan-watch', daemon=True).start()
