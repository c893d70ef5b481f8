/**
 * L_T(w) = train_loss(w) + ½λ‖w‖² of a user's PyTorch model, as an Objective over a BridgeClient:
 * the bridge serves the data part at its current parameters, and the weight decay is added here,
 * in one place, exactly as the MLP objective adds it (λw to gradients, λv to HVPs). Parameters are
 * sent only when they change, so an analysis at one w sends them once.
 */
import type { BridgeClient, Split } from '../bridge/client';
import type { FrozenGradient, GradientResult, HessianOperator, Objective } from '../core/model/objective';
import { checkSize } from '../core/model/objective';
import { dot } from '../core/util/vec';

/** The parameters the server holds, shared by every objective over one client. */
interface ServerPosition {
  current: Float64Array | null;
}

export class BridgeObjective implements Objective {
  constructor(
    private readonly client: BridgeClient,
    private readonly weightDecay: number,
    /** 'val' serves L_V (no weight decay): the right-hand side and the validation loss. */
    private readonly split: Split = 'train',
    private readonly position: ServerPosition = { current: null },
  ) {}

  get size(): number {
    return this.client.paramCount;
  }

  private get lambda(): number {
    return this.split === 'train' ? this.weightDecay : 0;
  }

  /** The training data loss alone (no weight decay), over the same client: the hyperparameter loop sets λ itself. */
  data(): BridgeObjective {
    return new BridgeObjective(this.client, 0, 'train', this.position);
  }

  /** The validation loss of the same model, over the same client. */
  validation(): BridgeObjective {
    return new BridgeObjective(this.client, 0, 'val', this.position);
  }

  /** Moves the server to w unless it is there already (by value: callers pass copies). */
  async moveTo(w: Float64Array): Promise<void> {
    checkSize(this.size, w, 'w');
    const p = this.position;
    if (p.current && sameValues(p.current, w)) return;
    // Forget the old position first, so a failed send is not trusted.
    p.current = null;
    await this.client.setParams(w);
    p.current = Float64Array.from(w);
  }

  /** The server moved itself (training): its parameters are w now. */
  movedTo(w: Float64Array): void {
    this.position.current = Float64Array.from(w);
  }

  async loss(w: Float64Array): Promise<number> {
    await this.moveTo(w);
    return (await this.client.loss(this.split)) + this.decay(w);
  }

  async gradient(w: Float64Array): Promise<GradientResult> {
    await this.moveTo(w);
    const { loss, gradient } = await this.client.gradient(this.split);
    const lambda = this.lambda;
    if (lambda !== 0) for (let i = 0; i < gradient.length; i++) gradient[i] += lambda * w[i];
    return { loss: loss + this.decay(w), grad: gradient };
  }

  async hessianAt(w: Float64Array): Promise<HessianOperator> {
    if (this.split !== 'train') throw new Error('the bridge serves HVPs of train_loss only');
    const at = Float64Array.from(w);
    await this.moveTo(at);
    return new BridgeHessianOperator(this, this.client, at, this.weightDecay);
  }

  /** PyTorch's gradient as it is: the bridge cannot hold a relu pattern, so the plain gradient. */
  async frozenGradientNear(_w0: Float64Array): Promise<FrozenGradient> {
    return { gradient: async (w) => (await this.gradient(w)).grad, dispose: () => undefined };
  }

  /** The client is closed by whoever opened it (prepare-pytorch.ts), not by an objective. */
  dispose(): void {}

  private decay(w: Float64Array): number {
    return this.lambda === 0 ? 0 : 0.5 * this.lambda * dot(w, w);
  }
}

/** (∇²train_loss + λI)·v at a fixed w, in batches as the algorithms ask for them. */
class BridgeHessianOperator implements HessianOperator {
  private count = 0;

  constructor(
    private readonly objective: BridgeObjective,
    private readonly client: BridgeClient,
    private readonly w: Float64Array,
    private readonly weightDecay: number,
  ) {}

  get size(): number {
    return this.client.paramCount;
  }

  get matvecCount(): number {
    return this.count;
  }

  async apply(v: Float64Array): Promise<Float64Array> {
    return (await this.applyMany([v]))[0];
  }

  async applyMany(vs: Float64Array[]): Promise<Float64Array[]> {
    // The self-check's finite differences move the server; come back to w first.
    await this.objective.moveTo(this.w);
    const hs = await this.client.hvp(vs);
    this.count += vs.length;
    const lambda = this.weightDecay;
    if (lambda !== 0) {
      hs.forEach((h, k) => {
        const v = vs[k];
        for (let i = 0; i < h.length; i++) h[i] += lambda * v[i];
      });
    }
    return hs;
  }

  dispose(): void {}
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
