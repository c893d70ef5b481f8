/** The HVP projection's arithmetic, checked against hand-computed figures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broadcastBytes, projectHvp, ringAllReduceBytes, transferMs } from '../../bench/lib/hvp-projection';

test('ring all-reduce volume 2(N−1)/N·P·8 bytes, broadcast P·8, nothing on one node; Gbit/s to ms', () => {
  assert.equal(ringAllReduceBytes(1_000_000, 1), 0);
  assert.equal(ringAllReduceBytes(1_000_000, 2), 8_000_000);
  assert.equal(ringAllReduceBytes(1_000_000, 4), 12_000_000);
  assert.equal(broadcastBytes(1_000_000, 4), 8_000_000);
  assert.equal(broadcastBytes(1_000_000, 1), 0);
  assert.ok(Math.abs(transferMs(12_000_000, 10) - 9.6) < 1e-12); // 96 Mbit at 10 Gbit/s
});

test('projected HVP on 4 nodes at 10 Gbit/s: overhead + compute/4 + broadcast + all-reduce', () => {
  const r = projectHvp({ params: 1_000_000, rows: 20_000, computeMsPerRow: 0.4, overheadMs: 20 }, 4, 10);
  assert.ok(Math.abs(r.computeMs - (20 + 2000)) < 1e-9);
  assert.ok(Math.abs(r.broadcastMs - 6.4) < 1e-9);
  assert.ok(Math.abs(r.allReduceMs - 9.6) < 1e-9);
  assert.ok(Math.abs(r.hvpMs - 2036) < 1e-9);
  assert.ok(Math.abs(r.speedup - 8020 / 2036) < 1e-12);
  assert.equal(projectHvp({ params: 10, rows: 10, computeMsPerRow: 1, overheadMs: 0 }, 1, 10).speedup, 1);
});
