"""The control channel between ranks on loopback (threads stand in for the ranks): only a rank with
the group's secret joins, commands arrive in order, a worker's connection closing is seen by rank 0
as that rank lost (but not after close()), and rank 0 closing is seen by the worker."""
import json
import socket
import threading
import unittest

from neumann_lens.control import Hub, Spoke


class ControlTest(unittest.TestCase):
    def test_secret_commands_and_loss_both_ways(self):
        hub = Hub('127.0.0.1', 2)
        intruder = socket.create_connection(hub.address)
        intruder.sendall((json.dumps({'rank': 1, 'secret': 'guess'}) + '\n').encode())
        worker_lost = threading.Event()
        holder = {}

        def join():
            holder['spoke'] = Spoke(hub.address, hub.secret, 1, 5, on_lost=worker_lost.set)
        joiner = threading.Thread(target=join)
        joiner.start()
        hub.accept_all(timeout=5)
        joiner.join()
        self.assertEqual(intruder.recv(1), b'', 'the intruder was not dropped')
        intruder.close()
        self.assertEqual(sorted(hub.peers), [1])

        spoke = holder['spoke']
        hub.send({'op': 'loss', 'split': 'train'})
        hub.send({'op': 'hvp', 'k': 3})
        self.assertEqual(spoke.next(), {'op': 'loss', 'split': 'train'})
        self.assertEqual(spoke.next(), {'op': 'hvp', 'k': 3})

        lost = []
        seen = threading.Event()
        hub.watch(lambda rank, pid, host: (lost.append((rank, pid)), seen.set()))
        spoke._sock.shutdown(socket.SHUT_RDWR)  # the worker's process "dies"
        self.assertTrue(seen.wait(5))
        self.assertEqual(lost[0][0], 1)
        self.assertTrue(worker_lost.wait(5), 'the worker did not see its connection end')
        spoke.close()
        hub.close()

    def test_orderly_close_is_no_loss(self):
        hub = Hub('127.0.0.1', 2)
        holder = {}
        joiner = threading.Thread(target=lambda: holder.update(spoke=Spoke(hub.address, hub.secret, 1, 5, on_lost=lambda: None)))
        joiner.start()
        hub.accept_all(timeout=5)
        joiner.join()
        lost = []
        hub.watch(lambda *a: lost.append(a))
        hub.close()
        self.assertEqual(holder['spoke'].next(), {'op': 'exit'})
        holder['spoke'].close()
        self.assertEqual(lost, [])


if __name__ == '__main__':
    unittest.main()
