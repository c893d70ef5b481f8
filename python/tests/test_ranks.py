"""The launcher's environment (ranks.from_environ), the device of a rank, and how the ranks agree on
one error (collective.first_error, check_ranks): pure functions, no process group needed."""
import unittest

from neumann_lens import ranks
from neumann_lens.transport import parse_address
from neumann_lens.collective import check_ranks, first_error
from neumann_lens.errors import BridgeError, InputError

FULL = {'RANK': '1', 'WORLD_SIZE': '2', 'LOCAL_RANK': '1', 'MASTER_ADDR': 'node0', 'MASTER_PORT': '29500'}


class EnvironTest(unittest.TestCase):
    def test_one_process_without_world_size_or_with_one(self):
        self.assertIsNone(ranks.from_environ({}))
        self.assertIsNone(ranks.from_environ({'WORLD_SIZE': '1', 'RANK': '0'}))

    def test_a_launcher_environment(self):
        env = ranks.from_environ(FULL)
        self.assertEqual((env.rank, env.world_size, env.local_rank, env.master_addr, env.master_port), (1, 2, 1, 'node0', 29500))
        no_local = dict(FULL)
        del no_local['LOCAL_RANK']
        self.assertEqual(ranks.from_environ(no_local).local_rank, 1)

    def test_missing_or_wrong_variables_say_which_and_what_sets_them(self):
        for change, message in (
            ({'RANK': None}, r'WORLD_SIZE=2 but RANK is not set; a launcher \(torchrun, or srun'),
            ({'MASTER_ADDR': None}, r'MASTER_ADDR is not set \(the host rank 0 runs on\)'),
            ({'MASTER_PORT': None}, r'MASTER_PORT is not set'),
            ({'RANK': '2'}, r'RANK=2 is not below WORLD_SIZE=2'),
            ({'RANK': 'x'}, r"RANK='x' is not an integer >= 0"),
            ({'WORLD_SIZE': '0'}, r"WORLD_SIZE='0' is not an integer >= 1"),
            ({'MASTER_PORT': '70000'}, r'MASTER_PORT=70000 is not a TCP port'),
        ):
            environ = {k: v for k, v in {**FULL, **change}.items() if v is not None}
            with self.assertRaisesRegex(InputError, message):
                ranks.from_environ(environ)

    def test_devices(self):
        env = ranks.from_environ(FULL)
        self.assertEqual(ranks.rank_device(env, 'cpu', 'gloo'), 'cpu')
        self.assertEqual(ranks.rank_device(env, 'cuda', 'nccl'), 'cuda:1')
        with self.assertRaisesRegex(InputError, 'backend nccl communicates CUDA tensors'):
            ranks.rank_device(env, 'cpu', 'nccl')


class ListenAddressTest(unittest.TestCase):
    def test_loopback_unless_another_address_is_named(self):
        self.assertEqual(parse_address('7777'), ('127.0.0.1', 7777))
        self.assertEqual(parse_address('0.0.0.0:7777'), ('0.0.0.0', 7777))
        self.assertEqual(parse_address('[::1]:0'), ('::1', 0))
        for bad in ('', ':7777', 'node0', 'node0:x', 'node0:70000'):
            with self.assertRaisesRegex(ValueError, 'expects PORT'):
                parse_address(bad)


def summary(tensors=(('w', [2]),), minibatch=False, train=3, val=2):
    return {'tensors': [{'name': n, 'shape': s} for n, s in tensors], 'minibatch': minibatch, 'trainSize': train, 'valSize': val}


class VerdictTest(unittest.TestCase):
    def test_the_lowest_failing_rank_speaks_for_all(self):
        bodies = [None, InputError('boom', where={'kind': 'file', 'file': '/p.py', 'line': 4}).body(),
                  InputError('bang').body()]
        err = first_error(bodies)
        self.assertIsInstance(err, InputError)
        self.assertEqual((err.rank, err.where['line']), (1, 4))
        self.assertEqual(err.message, 'rank 1: boom (failing too on rank 2)')
        same = first_error([InputError('x').body(), InputError('x').body(), InputError('x').body()])
        self.assertEqual(same.message, 'rank 0: x (the same on ranks 1, 2)')
        internal = first_error([None, BridgeError('bridge internal error: KeyError').body()])
        self.assertEqual((internal.code, internal.message), ('internal', 'rank 1: bridge internal error: KeyError'))

    def test_ranks_must_agree_on_the_model_and_have_data(self):
        ok = [{'summary': summary(), 'error': None}, {'summary': summary(train=0, val=1), 'error': None}]
        self.assertIsNone(check_ranks(ok, 2))
        other = [{'summary': summary(), 'error': None}, {'summary': summary(tensors=(('w', [3]),)), 'error': None}]
        err = check_ranks(other, 2)
        self.assertEqual(err.rank, 1)
        self.assertRegex(err.message, r'rank 1’s model has the parameters w\[3\], rank 0’s w\[2\]')
        mixed = [{'summary': summary(), 'error': None}, {'summary': summary(minibatch=True), 'error': None}]
        self.assertRegex(check_ranks(mixed, 2).message, 'rank 1 returns train_batches/batch_loss but rank 0 does not')
        empty = [{'summary': summary(train=0), 'error': None}, {'summary': summary(train=0), 'error': None}]
        self.assertRegex(check_ranks(empty, 2).message, 'the 2 ranks’ train_size add up to 0')


if __name__ == '__main__':
    unittest.main()
