/**
 * Typed async access to a PyTorch bridge server (python/neumann_lens): start one over stdio or
 * connect to one on a socket, then losses, gradients, Hessian-vector products, parameters and SGD
 * steps at the server's current parameters. Vectors are Float64Array in PyTorch's flattening order
 * (named_parameters(), requires_grad only, each tensor row-major). Values are the data part of the
 * objective: the caller adds ½λ‖w‖² (λ∘w to gradients, λ∘v to HVPs) itself.
 *
 * With `distributed: { worldSize, backend }` spawn starts local torch.distributed ranks
 * (./local-ranks.ts), each over its shard of the user's data, and every value is the exact global
 * mean; connect reaches rank 0 of ranks a user started on a cluster (`serve --listen` under a
 * launcher). Either way the client's API is the same, and `info.distributed` describes the ranks.
 *
 * Every failure is a BridgeError (./errors.ts) whose `code` says whose fault it is: `input`
 * (the user's problem file; `where` gives file:line; `rank` the rank whose code raised),
 * `no-torch` / `python-missing` (the interpreter), `auth` (token refused), `unreachable` (no server
 * at the address), `protocol` / `internal` (a bug), `exited` (the server or one of its ranks died,
 * `rank` says which, `exit` how when it ran here; or it hung up) / `closed` (close() was called).
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { BRIDGE_PROTOCOL_VERSION, decodeScalar, type BridgeReplies, type ReadyInfo, type VectorsBlock } from '../protocol/bridge';
import { BridgeConnection, BridgeError, type BridgeExit, type ConnectionEvents, type Reply } from './connection';
import { decodeVectors, encodeVectors } from './framing';
import { parseBridgeAddress, readBridgeToken } from './address';
import { LocalRanks, type DistributedOptions } from './local-ranks';
import { bridgeEnv, bridgePythonPath } from './python-env';

export type { DistributedOptions } from './local-ranks';

export type Split = 'train' | 'val';

export interface SpawnBridgeOptions extends ConnectionEvents {
  /** The interpreter to run (an absolute path or a name on PATH). */
  python: string;
  /** The user's problem file. */
  problem: string;
  dtype?: 'float32' | 'float64';
  /** cpu (default), cuda or cuda:N. */
  device?: string;
  /** The folder holding neumann_lens/ (default: the shipped one). */
  pythonPath?: string;
  /** Working directory of the server; default the problem file's folder. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Local torch.distributed ranks (worldSize > 1): neumann_problem() is called with rank and
   * world_size on each and returns that rank's shard with its train_size and val_size.
   */
  distributed?: DistributedOptions;
}

/** The launcher variables a spawned server must not inherit: it decides itself whether it has ranks. */
const RANK_VARIABLES = ['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT', 'GROUP_RANK', 'LOCAL_WORLD_SIZE'];

export interface ConnectBridgeOptions extends ConnectionEvents {
  host: string;
  port: number;
  /** The content of the server's token file. */
  token: string;
}

export interface ConnectToOptions extends ConnectionEvents {
  /** HOST:PORT of the server (rank 0 of cluster ranks). */
  address: string;
  /** The file holding the token (the server's --token-file, or a copy of it). */
  tokenFile: string;
}

export interface TrainOptions {
  /** Exactly one of steps and epochs. */
  steps?: number;
  epochs?: number;
  learningRate: number;
  /** λ of the step w ← w − lr(∇loss + λ∘w): one value, or one per parameter. */
  weightDecay: number | Float64Array;
}

export interface TrainResult {
  /** The data loss before each step taken (the batch loss in minibatch mode). */
  losses: Float64Array;
  /** ½Σλᵢwᵢ² at the same parameters, so losses[i] + decayTerms[i] is the step's L_T. */
  decayTerms: Float64Array;
  epochsCompleted: number;
  stepInEpoch: number;
  /** 'non-finite-loss': the last loss was not finite and its step was not applied. */
  stopped: 'non-finite-loss' | null;
}

/** HVP requests are split so that no frame carries more than this many payload bytes. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

export class BridgeClient {
  private constructor(
    private readonly conn: BridgeConnection,
    readonly info: ReadyInfo,
  ) {}

  /**
   * Starts a server for `problem` over stdio and completes the handshake. With
   * `distributed: { worldSize > 1, backend?, timeoutSeconds? }` it starts that many local
   * torch.distributed ranks instead (no torchrun; MASTER_ADDR=127.0.0.1, a free MASTER_PORT, RANK,
   * LOCAL_RANK, WORLD_SIZE; rank 0 over stdio), `neumann_problem(rank=, world_size=)` returns each
   * rank's shard with its sizes, and every value is the exact global mean; `info.distributed` and
   * `pids` describe the ranks. Launcher variables in `env` are dropped: the server decides itself.
   *
   * Rejects with a BridgeError: `python-missing` / `no-torch` (the interpreter), `input` (the problem
   * file: `where` gives file:line, `rank` the rank whose code raised or that could not start; also a
   * problem that cannot be sharded, saying what to add), `exited` (the server or a rank died before
   * ready: `rank` and `exit` say which and how; every other rank is stopped first). A `worldSize`
   * that is not an integer ≥ 1 is a RangeError (the caller validates its experiment). close() or a
   * dying parent stops every rank.
   */
  static async spawn(opts: SpawnBridgeOptions): Promise<BridgeClient> {
    const problem = resolvePath(opts.problem);
    const pythonPath = opts.pythonPath ?? bridgePythonPath();
    const args = ['-m', 'neumann_lens', 'serve', '--problem', problem, '--dtype', opts.dtype ?? 'float32', '--device', opts.device ?? 'cpu'];
    args.push('--parent-pid', String(process.pid));
    const env = bridgeEnv(pythonPath, opts.env);
    for (const name of RANK_VARIABLES) delete env[name];
    const worldSize = opts.distributed?.worldSize ?? 1;
    if (!Number.isInteger(worldSize) || worldSize < 1) throw new RangeError(`distributed.worldSize must be an integer ≥ 1, got ${worldSize}`);
    const common = { python: opts.python, args, env, cwd: opts.cwd ?? dirname(problem), onStderrLine: opts.onStderrLine };
    const conn =
      worldSize === 1
        ? await BridgeConnection.spawn(common)
        : BridgeConnection.over(await LocalRanks.start({ ...common, distributed: opts.distributed! }));
    return BridgeClient.handshake(conn, undefined);
  }

  /** Connects to a server started with `serve --listen HOST:PORT --token-file FILE`. */
  static async connect(opts: ConnectBridgeOptions): Promise<BridgeClient> {
    const conn = await BridgeConnection.connect(opts);
    try {
      return await BridgeClient.handshake(conn, opts.token);
    } catch (e) {
      if (e instanceof BridgeError && e.code === 'auth') throw new BridgeError('auth', `${e.message} by ${opts.host}:${opts.port}`);
      throw e;
    }
  }

  /**
   * connect() from an experiment's `"connect": "HOST:PORT"` and `"tokenFile": "FILE"`: reaches rank 0
   * of ranks started with `serve --listen … --token-file FILE` (cluster ranks, or one server) and
   * presents the file's token (surrounding whitespace dropped) in its hello.
   *
   * Rejects with a BridgeError: `input` (an address that is not HOST:PORT or [IPv6]:PORT, a token
   * file that cannot be read or is empty: the message gives the expected form), `unreachable` (no
   * server at the address), `auth` ("token rejected by HOST:PORT"; the server logs it and keeps
   * listening), `exited` (the server hung up or one of its ranks is gone, `rank` says which). The
   * client owns no process: close() disconnects, and the server then exits unless it runs with --keep.
   */
  static async connectTo(opts: ConnectToOptions): Promise<BridgeClient> {
    const { host, port } = parseBridgeAddress(opts.address);
    return BridgeClient.connect({ host, port, token: readBridgeToken(opts.tokenFile), onStderrLine: opts.onStderrLine });
  }

  private static async handshake(conn: BridgeConnection, token: string | undefined): Promise<BridgeClient> {
    try {
      const reply = await conn.request({ type: 'hello', protocolVersion: BRIDGE_PROTOCOL_VERSION, ...(token !== undefined ? { token } : {}) });
      return new BridgeClient(conn, expect(reply, 'ready').header);
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  get paramCount(): number {
    return this.info.params.count;
  }

  /** The server process's pid (stdio mode; rank 0's with local ranks), else null. */
  get pid(): number | null {
    return this.conn.pid;
  }

  /** Every local server process's pid in rank order (stdio mode), else null (a socket's ranks are in info.distributed). */
  get pids(): readonly number[] | null {
    return this.conn.pids;
  }

  get stderrTail(): string {
    return this.conn.stderrTail;
  }

  /** How the server process ended, once it has (stdio mode); null while it runs. */
  get exitStatus(): BridgeExit | null {
    return this.conn.exitStatus;
  }

  async getParams(): Promise<Float64Array> {
    const r = expect(await this.conn.request({ type: 'getParams' }), 'params');
    return this.vectors(r.header.vectors, r.payload, 1)[0];
  }

  async setParams(w: Float64Array): Promise<void> {
    this.checkLength(w, 'w');
    const { vectors, payload } = encodeVectors([w], this.info.dtype);
    expect(await this.conn.request({ type: 'setParams', vectors }, payload), 'done');
  }

  async loss(split: Split): Promise<number> {
    return decodeScalar(expect(await this.conn.request({ type: 'loss', split }), 'lossValue').header.value);
  }

  async gradient(split: Split): Promise<{ loss: number; gradient: Float64Array }> {
    const r = expect(await this.conn.request({ type: 'gradient', split }), 'gradientValue');
    return { loss: decodeScalar(r.header.loss), gradient: this.vectors(r.header.vectors, r.payload, 1)[0] };
  }

  /** ∇²train_loss · v for each v, at the current parameters. */
  async hvp(vs: readonly Float64Array[]): Promise<Float64Array[]> {
    vs.forEach((v, i) => this.checkLength(v, `vs[${i}]`));
    if (vs.length === 0) return [];
    const width = this.info.dtype === 'float64' ? 8 : 4;
    const perRequest = Math.max(1, Math.floor(MAX_REQUEST_BYTES / (this.paramCount * width)));
    const requests: Promise<Float64Array[]>[] = [];
    for (let start = 0; start < vs.length; start += perRequest) {
      const chunk = vs.slice(start, start + perRequest);
      const { vectors, payload } = encodeVectors(chunk, this.info.dtype);
      requests.push(
        this.conn.request({ type: 'hvp', vectors }, payload).then((reply) => {
          const r = expect(reply, 'hvpValue');
          return this.vectors(r.header.vectors, r.payload, chunk.length);
        }),
      );
    }
    return (await Promise.all(requests)).flat();
  }

  async train(opts: TrainOptions): Promise<TrainResult> {
    const header: Record<string, unknown> & { type: string } = { type: 'train', learningRate: opts.learningRate };
    if (opts.steps !== undefined) header.steps = opts.steps;
    if (opts.epochs !== undefined) header.epochs = opts.epochs;
    let payload: Uint8Array | undefined;
    if (typeof opts.weightDecay === 'number') header.weightDecay = opts.weightDecay;
    else {
      this.checkLength(opts.weightDecay, 'weightDecay');
      const enc = encodeVectors([opts.weightDecay], 'float64');
      header.weightDecay = 'perParameter';
      header.vectors = enc.vectors;
      payload = enc.payload;
    }
    const r = expect(await this.conn.request(header, payload), 'trained');
    const [losses, decayTerms] = decodeVectors(r.header.vectors, r.payload);
    if (r.header.vectors.count !== 2 || losses.length !== r.header.steps) {
      throw new BridgeError('protocol', `trained reply holds ${r.header.vectors.count}×${r.header.vectors.length} values for ${r.header.steps} steps`);
    }
    return { losses, decayTerms, epochsCompleted: r.header.epochsCompleted, stepInEpoch: r.header.stepInEpoch, stopped: r.header.stopped };
  }

  /**
   * 'mark': the server keeps the batches of the train steps taken from now on; 'rewind': the next
   * train steps take them again from the marked position (same batches, same epoch counters), then
   * continue the stream where it had got to. Rejects with code `protocol` for a rewind without a mark.
   */
  async trainStream(action: 'mark' | 'rewind'): Promise<void> {
    expect(await this.conn.request({ type: 'trainStream', action }), 'done');
  }

  /**
   * Asks the server to exit and waits until it has (stdio) or the socket has closed; after graceMs
   * it is ended (SIGTERM). Local ranks leave their process group before exiting, which takes seconds
   * on a loaded machine: the grace is for that, not for cancelling (close() ends them at once).
   */
  async shutdown(graceMs = 6000): Promise<void> {
    expect(await this.conn.request({ type: 'shutdown' }), 'done');
    const timer = setTimeout(() => void this.conn.close(), graceMs);
    await this.conn.whenEnded;
    clearTimeout(timer);
  }

  /** Ends the server now (SIGTERM, then SIGKILL after graceMs, on its whole process group). */
  close(graceMs?: number): Promise<void> {
    return this.conn.close(graceMs);
  }

  private checkLength(v: Float64Array, name: string): void {
    if (v.length !== this.paramCount) throw new RangeError(`${name} has length ${v.length}; the model has ${this.paramCount} parameters`);
  }

  private vectors(block: VectorsBlock, payload: Buffer, count: number): Float64Array[] {
    if (block.count !== count || block.length !== this.paramCount) {
      throw new BridgeError('protocol', `expected ${count} vector(s) of length ${this.paramCount}, the server sent ${block.count}×${block.length}`);
    }
    try {
      return decodeVectors(block, payload);
    } catch (e) {
      throw new BridgeError('protocol', (e as Error).message);
    }
  }
}

function expect<K extends keyof BridgeReplies>(reply: Reply, type: K): { header: BridgeReplies[K]; payload: Buffer } {
  if (reply.header.type !== type) {
    throw new BridgeError('protocol', `expected a ${type} reply, got ${reply.header.type}`, { field: 'type' });
  }
  return reply as { header: BridgeReplies[K]; payload: Buffer };
}
