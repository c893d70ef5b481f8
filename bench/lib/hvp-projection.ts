/**
 * A projection, not a measurement: the time of one data-parallel HVP on N nodes, from the compute per
 * training row and the fixed per-HVP overhead measured with 1 rank, plus the bytes the collectives
 * move, at a stated network bandwidth. Per HVP the bridge broadcasts v (P float64 values; a
 * pipelined broadcast moves P·8 bytes over each link) and all-reduces H·v (a ring all-reduce moves
 * 2(N−1)/N·P·8 bytes per node). Latency terms and compute/communication overlap are left out; the
 * rows are split evenly (strong scaling on the measured data set).
 */

export interface ProjectionInputs {
  params: number;
  rows: number;
  /** ms of HVP compute per training row on one node. */
  computeMsPerRow: number;
  /** ms per HVP that do not shrink with the rows: client ↔ rank 0 transfer, dispatch. */
  overheadMs: number;
}

export interface ProjectionRow {
  nodes: number;
  bandwidthGbit: number;
  computeMs: number;
  broadcastMs: number;
  allReduceMs: number;
  hvpMs: number;
  /** One node's hvpMs over this one. */
  speedup: number;
}

export const FLOAT64_BYTES = 8;

export function broadcastBytes(params: number, nodes: number): number {
  return nodes > 1 ? params * FLOAT64_BYTES : 0;
}

export function ringAllReduceBytes(params: number, nodes: number): number {
  return nodes > 1 ? ((2 * (nodes - 1)) / nodes) * params * FLOAT64_BYTES : 0;
}

/** ms to move `bytes` at `gbit` Gbit/s. */
export function transferMs(bytes: number, gbit: number): number {
  return ((bytes * 8) / (gbit * 1e9)) * 1e3;
}

export function projectHvp(inp: ProjectionInputs, nodes: number, bandwidthGbit: number): ProjectionRow {
  const computeMs = inp.overheadMs + (inp.computeMsPerRow * inp.rows) / nodes;
  const broadcastMs = transferMs(broadcastBytes(inp.params, nodes), bandwidthGbit);
  const allReduceMs = transferMs(ringAllReduceBytes(inp.params, nodes), bandwidthGbit);
  const hvpMs = computeMs + broadcastMs + allReduceMs;
  const oneNode = inp.overheadMs + inp.computeMsPerRow * inp.rows;
  return { nodes, bandwidthGbit, computeMs, broadcastMs, allReduceMs, hvpMs, speedup: oneNode / hvpMs };
}
