/**
 * The PyTorch bridge protocol, declared once. The TypeBox schemas below are the TypeScript types
 * (Static), the TypeScript validator (Value.Check / Value.Errors) and, through
 * scripts/gen-bridge-schema.ts, python/neumann_lens/protocol.schema.json, against which the Python
 * server validates every header it receives.
 *
 * A frame on the byte stream is `u32le headerBytes | u32le payloadBytes | header (UTF-8 JSON) |
 * payload`. Vectors travel only in the payload, as raw little-endian float64 or float32, described
 * by the header's `vectors` block (count k vectors of length n each, one after the other); JSON
 * never carries a vector. Every request has an `id`; the server answers each request with exactly
 * one reply carrying the same id, in order, or with an `error` reply.
 *
 * The server serves the data part of the objective only (train_loss, val_loss, their gradients,
 * HVPs of train_loss); the caller adds the weight-decay term ½λ‖w‖² itself, so it is added in one
 * place. The exception is `train`, whose SGD step needs λ∘w at every step on the server.
 *
 * A collective server (WORLD_SIZE > 1: torch.distributed ranks, each over its shard of the data)
 * speaks the same protocol through rank 0: every value is the exact global mean over the ranks'
 * shards, its ready reply carries `distributed`, and an error raised on a rank names it in `rank`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** 2: trainStream (mark and rewind the stream of training batches). */
export const BRIDGE_PROTOCOL_VERSION = 2;

/** Exit statuses of `python -m neumann_lens serve`, so a caller can tell why a server ended. */
export const BRIDGE_EXIT_CODES = {
  /** Stdin reached EOF, shutdown was requested, or the (socket) client disconnected. */
  ok: 0,
  /** A bug in the bridge itself. */
  internal: 1,
  /** The user's problem could not be served (bad file, exception in it, wrong return value…). */
  input: 2,
  /** torch is not importable from this interpreter, or is older than 1.13, or Python is older than 3.9. */
  noTorch: 3,
  /** The byte stream could not be read as frames (a frame header past the size limit). */
  protocol: 4,
  /** The parent process went away while the server was busy. */
  orphaned: 5,
  /**
   * Collective server: another rank is gone (killed, crashed, out of memory) or a collective failed
   * (network, --timeout), or the ranks could not form their process group. The other ranks exit too.
   */
  rankLost: 6,
} as const;

/** A header larger than this is refused (the stream cannot be trusted past it). */
export const MAX_HEADER_BYTES = 1 << 20;

const strict = { additionalProperties: false } as const;

const Id = Type.Integer({ minimum: 0, description: 'request id, echoed by the reply' });
export const WireDtype = Type.Union([Type.Literal('float64'), Type.Literal('float32')]);
export const Vectors = Type.Object(
  {
    dtype: WireDtype,
    count: Type.Integer({ minimum: 0, description: 'number of vectors k in the payload' }),
    length: Type.Integer({ minimum: 0, description: 'length n of each vector' }),
  },
  { ...strict, description: 'the payload holds count·length little-endian values of dtype, vector after vector' },
);
export const Split = Type.Union([Type.Literal('train'), Type.Literal('val')]);
/** JSON has no NaN or ±Infinity, yet a diverging loss is exactly that: those travel as strings. */
export const Scalar = Type.Union([Type.Number(), Type.Literal('NaN'), Type.Literal('Infinity'), Type.Literal('-Infinity')]);
const Location = Type.Object(
  { kind: Type.Literal('file'), file: Type.String(), line: Type.Optional(Type.Integer({ minimum: 1 })) },
  strict,
);

// ---------------------------------------------------------------- requests (client → server)

export const BridgeRequestSchemas = {
  hello: Type.Object(
    {
      type: Type.Literal('hello'),
      id: Id,
      protocolVersion: Type.Integer({ description: 'must equal the server’s BRIDGE_PROTOCOL_VERSION' }),
      token: Type.Optional(Type.String({ maxLength: 4096, description: 'the token file’s content; required on sockets' })),
    },
    { ...strict, description: 'first message on every connection; answered with ready (or an error)' },
  ),
  getParams: Type.Object({ type: Type.Literal('getParams'), id: Id }, { ...strict, description: 'answered with params' }),
  setParams: Type.Object(
    { type: Type.Literal('setParams'), id: Id, vectors: Vectors },
    { ...strict, description: 'payload: one vector of the parameter count; answered with done' },
  ),
  loss: Type.Object(
    { type: Type.Literal('loss'), id: Id, split: Split },
    { ...strict, description: 'the data loss (no weight decay) at the current parameters; answered with lossValue' },
  ),
  gradient: Type.Object(
    { type: Type.Literal('gradient'), id: Id, split: Split },
    { ...strict, description: 'loss and its gradient (no weight decay); answered with gradientValue' },
  ),
  hvp: Type.Object(
    { type: Type.Literal('hvp'), id: Id, vectors: Vectors },
    { ...strict, description: 'payload: k vectors v; answered with hvpValue holding ∇²train_loss·v for each' },
  ),
  train: Type.Object(
    {
      type: Type.Literal('train'),
      id: Id,
      steps: Type.Optional(Type.Integer({ minimum: 1, description: 'SGD steps to take (exactly one of steps, epochs)' })),
      epochs: Type.Optional(Type.Integer({ minimum: 1, description: 'take steps until this many more epochs have ended' })),
      learningRate: Type.Number({ exclusiveMinimum: 0 }),
      weightDecay: Type.Union([Type.Number({ minimum: 0 }), Type.Literal('perParameter')], {
        description: 'λ of the step w ← w − lr(∇loss + λ∘w); perParameter: the payload holds λ, one value per parameter',
      }),
      vectors: Type.Optional(Vectors),
    },
    { ...strict, description: 'minibatch SGD over train_batches()/batch_loss, else full-batch descent; answered with trained' },
  ),
  trainStream: Type.Object(
    {
      type: Type.Literal('trainStream'),
      id: Id,
      action: Type.Union([Type.Literal('mark'), Type.Literal('rewind')], {
        description:
          'mark: remember where the stream of training batches stands and keep the batches of every train step from here on (in memory, until the next mark); ' +
          'rewind: the next train steps take those batches again, in order, with the epoch counters as they were at the mark, then continue where the stream had got to',
      }),
    },
    { ...strict, description: 'so that several runs of train steps start from one batch position (the hyperparameter loop’s compared runs); answered with done' },
  ),
  shutdown: Type.Object(
    { type: Type.Literal('shutdown'), id: Id },
    { ...strict, description: 'answered with done; then the server closes this connection and exits (unless --keep)' },
  ),
};

// ---------------------------------------------------------------- replies (server → client)

export const ErrorCode = Type.Union(
  [Type.Literal('input'), Type.Literal('internal'), Type.Literal('protocol'), Type.Literal('auth'), Type.Literal('exited')],
  {
    description:
      'input: the user’s problem file or its code; internal: a bridge bug; protocol: a malformed or unexpected message; auth: token refused; ' +
      'exited: a rank of a collective server is gone or its collective failed, and the server is exiting',
  },
);
export const BridgeErrorBody = Type.Object(
  {
    code: ErrorCode,
    message: Type.String(),
    where: Type.Optional(Location),
    field: Type.Optional(Type.String({ description: 'dotted path of the offending header field (protocol errors)' })),
    detail: Type.Optional(Type.String({ description: 'the user-code traceback (input) or the bridge traceback (internal)' })),
    rank: Type.Optional(Type.Integer({ minimum: 0, description: 'collective server: the rank whose code raised, or that is gone' })),
  },
  strict,
);

const TensorInfo = Type.Object({ name: Type.String(), shape: Type.Array(Type.Integer({ minimum: 0 })) }, strict);
const Size = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

export const DistributedBackend = Type.Union([Type.Literal('gloo'), Type.Literal('nccl')]);
export const RankInfo = Type.Object(
  {
    rank: Type.Integer({ minimum: 0 }),
    pid: Type.Integer(),
    host: Type.String(),
    device: Type.String(),
    trainSize: Type.Integer({ minimum: 0, description: 'examples in this rank’s training shard' }),
    valSize: Type.Integer({ minimum: 0, description: 'examples in this rank’s validation shard' }),
  },
  strict,
);
export const DistributedInfo = Type.Object(
  {
    worldSize: Type.Integer({ minimum: 2 }),
    backend: DistributedBackend,
    ranks: Type.Array(RankInfo, { description: 'rank order; trainSize and valSize of the ready reply are their sums' }),
  },
  { ...strict, description: 'present when torch.distributed ranks serve the problem, each over its shard' },
);

export const BridgeReplySchemas = {
  ready: Type.Object(
    {
      type: Type.Literal('ready'),
      id: Id,
      protocolVersion: Type.Integer(),
      pid: Type.Integer(),
      python: Type.Object({ executable: Type.String(), version: Type.String() }, strict),
      torch: Type.Object({ version: Type.String() }, strict),
      dtype: WireDtype,
      device: Type.String({ description: 'the device the model runs on, e.g. cpu or cuda:0' }),
      params: Type.Object(
        {
          count: Type.Integer({ minimum: 1 }),
          tensors: Type.Array(TensorInfo, { description: 'named_parameters() order, requires_grad only: the flattening order of w' }),
        },
        strict,
      ),
      trainSize: Size,
      valSize: Size,
      minibatch: Type.Boolean({ description: 'train() runs over the user’s train_batches()/batch_loss' }),
      distributed: Type.Optional(DistributedInfo),
    },
    strict,
  ),
  params: Type.Object({ type: Type.Literal('params'), id: Id, vectors: Vectors }, strict),
  done: Type.Object({ type: Type.Literal('done'), id: Id }, strict),
  lossValue: Type.Object({ type: Type.Literal('lossValue'), id: Id, value: Scalar }, strict),
  gradientValue: Type.Object({ type: Type.Literal('gradientValue'), id: Id, loss: Scalar, vectors: Vectors }, strict),
  hvpValue: Type.Object({ type: Type.Literal('hvpValue'), id: Id, vectors: Vectors }, strict),
  trained: Type.Object(
    {
      type: Type.Literal('trained'),
      id: Id,
      steps: Type.Integer({ minimum: 0, description: 'losses computed by this call, one per step; with stopped set, the last step was not applied' }),
      epochsCompleted: Type.Integer({ minimum: 0, description: 'epochs ended since the server started' }),
      stepInEpoch: Type.Integer({ minimum: 0, description: 'steps taken in the current, unfinished epoch' }),
      stopped: Type.Union([Type.Null(), Type.Literal('non-finite-loss')], {
        description: 'non-finite-loss: the last loss was not finite and its step was not applied',
      }),
      vectors: Vectors,
    },
    { ...strict, description: 'payload, float64, two vectors of length steps: the data loss before each step, and ½Σλᵢwᵢ² there' },
  ),
  error: Type.Object({ type: Type.Literal('error'), id: Type.Union([Id, Type.Null()]), error: BridgeErrorBody }, strict),
};

type StaticMap<M extends Record<string, TSchema>> = { [K in keyof M]: Static<M[K]> };
export type BridgeRequests = StaticMap<typeof BridgeRequestSchemas>;
export type BridgeReplies = StaticMap<typeof BridgeReplySchemas>;
export type BridgeRequest = BridgeRequests[keyof BridgeRequests];
export type BridgeReply = BridgeReplies[keyof BridgeReplies];
export type BridgeErrorInfo = Static<typeof BridgeErrorBody>;
export type VectorsBlock = Static<typeof Vectors>;
export type ReadyInfo = BridgeReplies['ready'];
export type WireScalar = Static<typeof Scalar>;
export type DistributedReadyInfo = Static<typeof DistributedInfo>;

/** The first problem in a reply header with its dotted field path, or null when it is well-formed. */
export function checkBridgeReply(header: unknown): { field: string; message: string } | null {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return { field: '(header)', message: 'expected an object' };
  const type = (header as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(BridgeReplySchemas, type)) {
    return { field: 'type', message: `unknown reply type ${JSON.stringify(type)}` };
  }
  const schema = BridgeReplySchemas[type as keyof typeof BridgeReplySchemas];
  const first = Value.Errors(schema, header).First();
  if (!first) return null;
  return { field: first.path.split('/').filter(Boolean).join('.') || '(header)', message: first.message };
}

/** What protocol.schema.json holds: everything the Python side needs to know about the protocol. */
export function bridgeSchemaDocument(): unknown {
  return {
    $comment: 'Generated from src/protocol/bridge.ts by scripts/gen-bridge-schema.ts; do not edit.',
    protocolVersion: BRIDGE_PROTOCOL_VERSION,
    maxHeaderBytes: MAX_HEADER_BYTES,
    exitCodes: BRIDGE_EXIT_CODES,
    requests: BridgeRequestSchemas,
    replies: BridgeReplySchemas,
  };
}

export function bridgeSchemaText(): string {
  return JSON.stringify(bridgeSchemaDocument(), null, 1) + '\n';
}

export function decodeScalar(v: WireScalar): number {
  return typeof v === 'number' ? v : Number(v);
}
