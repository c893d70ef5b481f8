/**
 * A client of bench/peer/echo_frames.py: the bridge's connection, framing and vector encoding in
 * this process, the bridge's stdio transport and frames in a Python child that sends each payload
 * straight back. One round trip is what moving an H·v's bytes costs, without the server's work.
 */
import { join } from 'node:path';
import { BRIDGE_PROTOCOL_VERSION, type VectorsBlock } from '../../src/protocol/bridge';
import { BridgeConnection } from '../../src/bridge/connection';
import { decodeVectors, encodeVectors } from '../../src/bridge/framing';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';

export interface EchoClient {
  /** v there and back as `dtype`, decoded as the bridge client decodes an H·v. */
  roundTrip(v: Float64Array): Promise<Float64Array>;
  close(): Promise<void>;
}

export async function startEcho(python: string, dtype: 'float32' | 'float64'): Promise<EchoClient> {
  const conn = await BridgeConnection.spawn({ python, args: [join(__dirname, '..', 'peer', 'echo_frames.py')], env: bridgeEnv(bridgePythonPath()) });
  await conn.request({ type: 'hello', protocolVersion: BRIDGE_PROTOCOL_VERSION });
  return {
    roundTrip: async (v) => {
      const { vectors, payload } = encodeVectors([v], dtype);
      const reply = await conn.request({ type: 'hvp', vectors }, payload);
      return decodeVectors((reply.header as { vectors: VectorsBlock }).vectors, reply.payload)[0];
    },
    close: () => conn.close(),
  };
}
