/**
 * The one protocol between extension host (or CLI test harness) and worker. Versioned;
 * discriminated on `type`. Each message is declared once, as a TypeBox schema that is both its
 * TypeScript type and its validator: everything that crosses the process boundary is checked on
 * receipt (./check.ts), never trusted, and never silently dropped — a malformed message ends the
 * session as failed with an `error` that names the field.
 */
import type { Static } from '@sinclair/typebox';
import type { BackendChoice } from '../core/config/experiment';
import { AdviceMessage } from '../core/diagnosis/advice-message';
import { HyperInverse, HyperStep } from '../core/diagnosis/hyper-report';
import { BACKEND_NAMES, DiagnosisReport, Interval, type ExtremeEstimate } from '../core/diagnosis/report';
import { InputLocation, Problem } from '../core/errors';
import { AnyNumber, Nullable, OneOf, T } from '../core/util/typebox';

export const PROTOCOL_VERSION = 1;

const Int = () => T.Integer();
/** What the host sends has no extra keys: a misspelt option is an error naming it, not ignored. */
const STRICT = { additionalProperties: false } as const;

export const Phase = OneOf(['load', 'train', 'self-check', 'spectrum', 'neumann', 'hypergradient', 'hyper', 'report']);
export type Phase = Static<typeof Phase>;

const EstimateAt = T.Object({ value: AnyNumber(), interval: Interval });

export const PhaseEvent = T.Object({ type: T.Literal('phase'), phase: Phase, label: T.String(), fraction: AnyNumber() });
export const ProgressEvent = T.Object({
  type: T.Literal('progress'),
  phase: Phase,
  fraction: AnyNumber(),
  text: T.Optional(T.String()),
});
export const TrainStepEvent = T.Object({
  type: T.Literal('trainStep'),
  epoch: Int(),
  step: Int(),
  stepsPerEpoch: Int(),
  loss: AnyNumber(),
});
export const EpochEvent = T.Object({
  type: T.Literal('epoch'),
  epoch: Int(),
  trainLoss: AnyNumber(),
  validationLoss: AnyNumber(),
  lambdaMax: T.Optional(AnyNumber()),
  lambdaMin: T.Optional(AnyNumber()),
  rho: T.Optional(AnyNumber()),
});
export const SpectrumStepEvent = T.Object({
  type: T.Literal('spectrumStep'),
  method: OneOf(['lanczos', 'power-max', 'power-min', 'exact']),
  step: Int(),
  hvps: Int(),
  lambdaMax: T.Optional(EstimateAt),
  lambdaMin: T.Optional(EstimateAt),
});
export const NeumannTermEvent = T.Object({
  type: T.Literal('neumannTerm'),
  term: Int(),
  norm: AnyNumber(),
  residual: AnyNumber(),
  growth: Nullable(AnyNumber()),
  head: T.Array(AnyNumber()),
});
/** One recorded hyper-step of the loop run with `inverse` (the loop's own, or a compared one). */
export const HyperStepEvent = T.Object({ type: T.Literal('hyperStep'), inverse: HyperInverse, step: HyperStep });
/**
 * What hyper-step `step` of that run raised first (ρ ≥ 1, the error above hyper.errorThreshold, the
 * run stopping): the warning, then its recommendations with their fixes; also kept in report.hyper.warnings.
 */
export const HyperWarningEvent = T.Object({ type: T.Literal('hyperWarning'), inverse: HyperInverse, step: Int(), messages: T.Array(AdviceMessage) });
export const LogEvent = T.Object({ type: T.Literal('log'), level: OneOf(['debug', 'info', 'warn', 'error']), text: T.String() });

const sessionEvents = [PhaseEvent, ProgressEvent, TrainStepEvent, EpochEvent, SpectrumStepEvent, NeumannTermEvent, HyperStepEvent, HyperWarningEvent, LogEvent] as const;

/** Session events: produced by runSession, forwarded by the worker, consumed by CLI, host and panel. */
export const SessionEvent = T.Union([...sessionEvents]);
export type SessionEvent = Static<typeof SessionEvent>;

export const ErrorInfo = T.Object({
  message: T.String({ description: 'what went wrong, without its place (that is `where`)' }),
  /** 'input' → the user's config/data (CLI exit 2); 'oom' → heap limit; 'internal' → a bug (exit 1). */
  code: OneOf(['input', 'oom', 'internal', 'worker-exit', 'protocol']),
  where: T.Optional(InputLocation),
  /** Further problems found together with this one (an invalid experiment reports every one), each with its place. */
  more: T.Optional(T.Array(Problem)),
  stack: T.Optional(T.String()),
});
export type ErrorInfo = Static<typeof ErrorInfo>;

/** Every problem an error reports, each with its place: the first (`message`, `where`), then `more`. */
export function errorProblems(error: ErrorInfo): Problem[] {
  return [error.where ? { message: error.message, where: error.where } : { message: error.message }, ...(error.more ?? [])];
}

/** An interpreter for the PyTorch bridge and who chose it (named in messages: `--python`, a setting…). */
export const PythonChoice = T.Object({ path: T.String({ minLength: 1 }), source: T.String() }, STRICT);
export type PythonChoice = Static<typeof PythonChoice>;

/**
 * Interpreters chosen outside the experiment, by rank: `override` beats the experiment's
 * pytorch.python (the CLI's --python, NEUMANN_LENS_PYTHON), `preferred` comes after it (the editor
 * setting), `candidate` is tried first by discovery and passed over when it lacks torch (the
 * Python extension's environment).
 */
export const PythonChoices = T.Object(
  {
    override: T.Optional(PythonChoice),
    preferred: T.Optional(PythonChoice),
    candidate: T.Optional(PythonChoice),
  },
  STRICT,
);
export type PythonChoices = Static<typeof PythonChoices>;

export const StartOptions = T.Object(
  {
    backend: OneOf(['auto', ...BACKEND_NAMES]),
    /** Overrides of the experiment's analysis settings from the editor's settings. */
    exactMaxParams: T.Optional(Int()),
    /** PyTorch experiments: the interpreters the host knows of. */
    python: T.Optional(PythonChoices),
  },
  STRICT,
);
export type StartOptions = Static<typeof StartOptions>;
// The experiment format declares the backend choices too: the two lists must name the same ones.
const sameChoices: [StartOptions['backend'], BackendChoice] extends [BackendChoice, StartOptions['backend']] ? true : never = true;
void sameChoices;

export const StartMessage = T.Object(
  {
    type: T.Literal('start'),
    /** Validated by validateExperiment in the worker, with JSON paths into the experiment. */
    config: T.Unknown(),
    configPath: Nullable(T.String()),
    options: StartOptions,
  },
  STRICT,
);
export const CancelMessage = T.Object({ type: T.Literal('cancel') }, STRICT);

export const HostToWorker = T.Union([StartMessage, CancelMessage]);
export type HostToWorker = Static<typeof HostToWorker>;

export const SessionOutcome = OneOf(['completed', 'cancelled', 'failed']);
export type SessionOutcome = Static<typeof SessionOutcome>;

export const WorkerToHost = T.Union([
  T.Object({ type: T.Literal('ready'), protocolVersion: Int(), backend: Nullable(OneOf(BACKEND_NAMES)), pid: Int() }),
  ...sessionEvents,
  T.Object({ type: T.Literal('report'), report: DiagnosisReport }),
  T.Object({ type: T.Literal('error'), error: ErrorInfo }),
  T.Object({ type: T.Literal('exit'), outcome: SessionOutcome }),
]);
export type WorkerToHost = Static<typeof WorkerToHost>;

export type { DiagnosisReport, ExtremeEstimate };
