"""Where this process stands among torch.distributed ranks: the launcher's environment (the variables
torchrun sets, and that the Neumann Lens bridge sets for local ranks), the device of each rank and
joining the process group. WORLD_SIZE unset or 1 means one process serves the whole problem."""
import datetime
import os
import time

from .errors import InputError, log

VARIABLES = ('RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')
_HOW = ('a launcher (torchrun, or srun with RANK=$SLURM_PROCID WORLD_SIZE=$SLURM_NTASKS LOCAL_RANK=$SLURM_LOCALID) '
        'sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT for every rank')


class RankEnv:
    def __init__(self, rank, world_size, local_rank, master_addr, master_port):
        self.rank = rank
        self.world_size = world_size
        self.local_rank = local_rank
        self.master_addr = master_addr
        self.master_port = master_port

    def __repr__(self):
        return 'rank %d of %d (local rank %d, rendezvous %s:%d)' % (
            self.rank, self.world_size, self.local_rank, self.master_addr, self.master_port)


def _integer(environ, name, minimum, default=None):
    text = environ.get(name)
    if text is None or text == '':
        if default is not None:
            return default
        raise InputError('WORLD_SIZE=%s but %s is not set; %s' % (environ.get('WORLD_SIZE'), name, _HOW))
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise InputError('%s=%r is not an integer >= %d; %s' % (name, text, minimum, _HOW))
    return value


def from_environ(environ=None):
    """The RankEnv of this process, or None when one process serves everything (WORLD_SIZE unset or 1)."""
    environ = os.environ if environ is None else environ
    if environ.get('WORLD_SIZE', '') in ('', '1'):
        return None
    world_size = _integer(environ, 'WORLD_SIZE', 1)
    rank = _integer(environ, 'RANK', 0)
    if rank >= world_size:
        raise InputError('RANK=%d is not below WORLD_SIZE=%d; ranks are 0 … WORLD_SIZE−1' % (rank, world_size))
    local_rank = _integer(environ, 'LOCAL_RANK', 0, default=rank if 'LOCAL_RANK' not in environ else None)
    addr = environ.get('MASTER_ADDR')
    if not addr:
        raise InputError('WORLD_SIZE=%d but MASTER_ADDR is not set (the host rank 0 runs on); %s' % (world_size, _HOW))
    port = _integer(environ, 'MASTER_PORT', 1)
    if port > 65535:
        raise InputError('MASTER_PORT=%d is not a TCP port' % port)
    return RankEnv(rank, world_size, local_rank, addr, port)


def rank_device(env, requested, backend):
    """The device text of this rank: `cuda` means cuda:LOCAL_RANK (one device per rank); nccl needs CUDA."""
    if requested == 'cuda':
        requested = 'cuda:%d' % env.local_rank
    if backend == 'nccl' and not requested.startswith('cuda'):
        raise InputError('backend nccl communicates CUDA tensors: use device cuda (cuda:LOCAL_RANK on every rank) '
                         'or backend gloo for the CPU')
    return requested


def init_group(env, backend, timeout, device):
    """Joins the process group; raises RuntimeError (with torch's reason) when the ranks cannot meet."""
    import torch
    import torch.distributed as dist
    if not dist.is_available():
        raise RuntimeError('this torch was built without torch.distributed')
    if device.type == 'cuda':
        torch.cuda.set_device(device)  # nccl's object collectives use the current device
    dist.init_process_group(backend, init_method='env://', rank=env.rank, world_size=env.world_size,
                            timeout=datetime.timedelta(seconds=timeout))


def join_process_group(spec):
    """--process-group new: become the leader of a new process group (rank 0 of local ranks);
    --process-group PGID: join that group (the other local ranks), so one signal to the group reaches
    every rank and whatever their code started. Rank 0 may not have made its group yet: retry a while."""
    if spec == 'new':
        os.setpgid(0, 0)
        return
    pgid = int(spec)
    deadline = time.monotonic() + 10
    while True:
        try:
            os.setpgid(0, pgid)
            return
        except PermissionError:
            if time.monotonic() > deadline:
                log('cannot join process group %d (rank 0 gone?); running in our own' % pgid)
                return
            time.sleep(0.01)
