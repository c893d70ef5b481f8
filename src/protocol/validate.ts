/**
 * Runtime guards for everything that crosses a process or iframe boundary (messages.ts,
 * webview.ts). Hand-written so the webview bundle stays small. Each `checkX` returns null when the
 * value is well-formed, else a short description of the first problem with its path (to log);
 * `isX` is the boolean form. A malformed message is logged and ignored by the receiver.
 *
 * Numbers may be non-finite: the worker channel uses structured clone ('advanced' serialization),
 * so a diverging series' Infinity/NaN arrive as numbers, and the report must be able to say so.
 */
import type { HostToWorker, SessionEvent, WorkerToHost, ErrorInfo } from './messages';
import type { HostToPanel, PanelToHost, PanelState } from './webview';
import type { DiagnosisReport } from '../core/diagnosis/report';

type Check = (v: unknown, path: string) => string | null;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const num: Check = (v, p) => (typeof v === 'number' ? null : `${p}: expected a number`);
const int: Check = (v, p) => (Number.isInteger(v) ? null : `${p}: expected an integer`);
const str: Check = (v, p) => (typeof v === 'string' ? null : `${p}: expected a string`);
const bool: Check = (v, p) => (typeof v === 'boolean' ? null : `${p}: expected a boolean`);
const any: Check = () => null;

function oneOf(...values: readonly (string | number | null)[]): Check {
  return (v, p) => (values.includes(v as string) ? null : `${p}: expected one of ${values.join(', ')}`);
}
function nullable(c: Check): Check {
  return (v, p) => (v === null ? null : c(v, p));
}
function arr(c: Check): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return `${p}: expected an array`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return null;
  };
}
const numArr = arr(num);
const interval: Check = (v, p) => (Array.isArray(v) && v.length === 2 ? numArr(v, p) : `${p}: expected [lo, hi]`);

/** `opt` lists keys that may be absent (undefined); unknown keys are tolerated (forward compatible). */
function obj(fields: Record<string, Check>, opt: readonly string[] = []): Check {
  return (v, p) => {
    if (!isObj(v)) return `${p}: expected an object`;
    for (const [k, c] of Object.entries(fields)) {
      if (v[k] === undefined) {
        if (opt.includes(k)) continue;
        return `${p}.${k}: missing`;
      }
      const e = c(v[k], `${p}.${k}`);
      if (e) return e;
    }
    return null;
  };
}
function record(c: Check): Check {
  return (v, p) => {
    if (!isObj(v)) return `${p}: expected an object`;
    for (const [k, x] of Object.entries(v)) {
      const e = c(x, `${p}.${k}`);
      if (e) return e;
    }
    return null;
  };
}
/** Discriminated union on `type`. */
function tagged(variants: Record<string, Check>): Check {
  return (v, p) => {
    if (!isObj(v)) return `${p}: expected an object`;
    if (typeof v.type !== 'string') return `${p}.type: expected a string`;
    const c = variants[v.type];
    return c ? c(v, p) : `${p}.type: unknown message type "${v.type}"`;
  };
}

const phase = oneOf('load', 'train', 'self-check', 'spectrum', 'neumann', 'hypergradient', 'report');
const estimateAt = obj({ value: num, interval });
const backendName = oneOf('tensorflow', 'wasm', 'cpu');
const verdict = oneOf('converges', 'slow', 'diverges-step-too-large', 'diverges-negative-curvature', 'inconclusive');
const outcome = oneOf('completed', 'cancelled', 'failed');

const sessionEventVariants: Record<string, Check> = {
  phase: obj({ phase, label: str, fraction: num }),
  progress: obj({ phase, fraction: num, text: str }, ['text']),
  trainStep: obj({ epoch: int, step: int, stepsPerEpoch: int, loss: num }),
  epoch: obj({ epoch: int, trainLoss: num, validationLoss: num, lambdaMax: num, lambdaMin: num, rho: num }, [
    'lambdaMax',
    'lambdaMin',
    'rho',
  ]),
  spectrumStep: obj(
    {
      method: oneOf('lanczos', 'power-max', 'power-min', 'exact'),
      step: int,
      hvps: int,
      lambdaMax: estimateAt,
      lambdaMin: estimateAt,
    },
    ['lambdaMax', 'lambdaMin'],
  ),
  neumannTerm: obj({ term: int, norm: num, residual: num, growth: nullable(num), head: numArr }),
  log: obj({ level: oneOf('debug', 'info', 'warn', 'error'), text: str }),
};
const sessionEvent = tagged(sessionEventVariants);

const where: Check = (v, p) => {
  if (!isObj(v)) return `${p}: expected an object`;
  if (v.kind === 'json') return obj({ file: str, path: str }, ['file'])(v, p);
  if (v.kind === 'file') return obj({ file: str, line: int, column: int }, ['line', 'column'])(v, p);
  return `${p}.kind: expected "json" or "file"`;
};
const errorInfo = obj(
  {
    message: str,
    code: oneOf('input', 'oom', 'internal', 'worker-exit', 'protocol'),
    where,
    stack: str,
  },
  ['where', 'stack'],
);

const extreme = obj({ value: num, interval, residual: num, converged: bool });
const configFix = obj({ path: arr(str), value: num, label: str });

const report: Check = obj({
  schemaVersion: oneOf(1),
  name: str,
  experimentFile: nullable(str),
  createdAt: str,
  backend: backendName,
  params: int,
  timings: record(num),
  loss: obj({ train: nullable(num), validation: nullable(num) }),
  gradientNorm: obj({ train: nullable(num), validation: nullable(num) }),
  training: nullable(obj({ epochs: int, steps: int, lossCurve: numArr })),
  hvpSelfCheck: obj({
    relativeError: num,
    tolerance: num,
    passed: bool,
    operator: oneOf('r-operator', 'finite-difference', 'analytic'),
  }),
  spectrum: obj({
    method: oneOf('exact', 'lanczos', 'power'),
    lambdaMax: num,
    lambdaMin: num,
    lambdaMaxInterval: interval,
    lambdaMinInterval: interval,
    converged: obj({ max: bool, min: bool }),
    eigenvalues: nullable(numArr),
    negativeCount: nullable(int),
    conditionNumber: nullable(num),
    trace: nullable(num),
    traceStdErr: nullable(num),
    hvps: int,
    lanczosSteps: nullable(int),
    lanczos: nullable(obj({ lambdaMax: extreme, lambdaMin: extreme, steps: int, hvps: int })),
    power: nullable(
      obj({ lambdaMax: extreme, lambdaMin: extreme, iterations: obj({ max: int, min: int }), hvps: int }),
    ),
  }),
  neumann: obj({
    alpha: num,
    terms: int,
    damping: num,
    rho: num,
    rhoInterval: interval,
    verdict,
    termNorms: numArr,
    residuals: numArr,
    growthRatios: numArr,
    termHeads: arr(numArr),
    solutionHead: numArr,
    nonFiniteAtTerm: nullable(int),
  }),
  advice: obj({
    verdict,
    summary: str,
    messages: arr(
      obj(
        { kind: str, severity: oneOf('error', 'warning', 'info'), text: str, key: str, fix: configFix },
        ['key', 'fix'],
      ),
    ),
    alphaMax: nullable(num),
    alphaSuggested: nullable(num),
    alphaOptimal: nullable(num),
    rhoOptimal: nullable(num),
    termsNeeded: nullable(num),
    damping: nullable(obj({ delta: num, alpha: num, rho: num, termsNeeded: nullable(num) })),
    useCg: bool,
    notStationary: bool,
  }),
  hypergradient: obj({
    neumann: nullable(num),
    cg: nullable(num),
    cgStatus: oneOf('converged', 'max-iterations', 'indefinite', 'not-run'),
    cgIterations: nullable(int),
    exact: nullable(num),
    relErrorNeumann: nullable(num),
    relErrorCg: nullable(num),
  }),
  epochs: nullable(arr(obj({ epoch: int, trainLoss: num, lambdaMax: num, lambdaMin: num, rho: num }))),
  exactSolutionHead: nullable(numArr),
});

const workerToHost = tagged({
  ...sessionEventVariants,
  ready: obj({ protocolVersion: int, backend: nullable(backendName), pid: int }),
  report: obj({ report }),
  error: obj({ error: errorInfo }),
  exit: obj({ outcome }),
});

const hostToWorker = tagged({
  // The config itself is validated by validateExperiment in the worker, with JSON paths.
  start: obj({
    config: any,
    configPath: nullable(str),
    options: obj({ backend: oneOf('auto', 'tensorflow', 'wasm', 'cpu'), exactMaxParams: int }, ['exactMaxParams']),
  }),
  cancel: obj({}),
});

const panelSession = nullable(
  obj({
    id: int,
    name: str,
    experimentFile: nullable(str),
    status: oneOf('idle', 'running', 'completed', 'cancelled', 'failed'),
    phase: nullable(phase),
    phaseLabel: nullable(str),
    fraction: num,
    alpha: num,
  }, ['alpha']),
);
const eventOf = (t: string): Check => (v, p) => sessionEventVariants[t](v, p) ?? (isObj(v) && v.type === t ? null : `${p}.type: expected "${t}"`);
const panelState = obj({
  session: panelSession,
  trainSteps: arr(obj({ epoch: int, step: int, stepsPerEpoch: int, loss: num })),
  epochs: arr(eventOf('epoch')),
  spectrumSteps: arr(eventOf('spectrumStep')),
  neumannTerms: arr(eventOf('neumannTerm')),
  report: nullable(report),
  error: nullable(errorInfo),
});

const hostToPanel = tagged({
  snapshot: obj({ state: panelState }),
  sessionStarted: obj({ id: int, name: str, experimentFile: nullable(str), alpha: num }, ['alpha']),
  event: obj({ id: int, event: sessionEvent }),
  report: obj({ id: int, report }),
  sessionEnded: obj({ id: int, outcome, error: nullable(errorInfo) }),
});

const panelToHost = tagged({
  ready: obj({}),
  applyFix: obj({ fix: configFix, rerun: bool }),
  stop: obj({}),
  rerun: obj({}),
  export: obj({ format: oneOf('markdown', 'html', 'json') }),
  openExperiment: obj({}),
});

const ROOT = 'message';
export const checkSessionEvent = (v: unknown): string | null => sessionEvent(v, ROOT);
export const checkWorkerToHost = (v: unknown): string | null => workerToHost(v, ROOT);
export const checkHostToWorker = (v: unknown): string | null => hostToWorker(v, ROOT);
export const checkHostToPanel = (v: unknown): string | null => hostToPanel(v, ROOT);
export const checkPanelToHost = (v: unknown): string | null => panelToHost(v, ROOT);
export const checkDiagnosisReport = (v: unknown): string | null => report(v, 'report');
export const checkErrorInfo = (v: unknown): string | null => errorInfo(v, 'error');
export const checkPanelState = (v: unknown): string | null => panelState(v, 'state');

export const isSessionEvent = (v: unknown): v is SessionEvent => checkSessionEvent(v) === null;
export const isWorkerToHost = (v: unknown): v is WorkerToHost => checkWorkerToHost(v) === null;
export const isHostToWorker = (v: unknown): v is HostToWorker => checkHostToWorker(v) === null;
export const isHostToPanel = (v: unknown): v is HostToPanel => checkHostToPanel(v) === null;
export const isPanelToHost = (v: unknown): v is PanelToHost => checkPanelToHost(v) === null;
export const isDiagnosisReport = (v: unknown): v is DiagnosisReport => checkDiagnosisReport(v) === null;
export const isErrorInfo = (v: unknown): v is ErrorInfo => checkErrorInfo(v) === null;
export const isPanelState = (v: unknown): v is PanelState => checkPanelState(v) === null;
