/**
 * The analysis at a fixed point: HVP self-check → spectrum (exact for small models, Lanczos
 * otherwise, power iteration as a cross-check, Hutchinson trace) → Neumann series → CG and
 * hypergradient → diagnosis. Returns the report's numeric blocks; run-session.ts adds the rest.
 */
import { conjugateGradient, type CgResult } from '../core/algorithms/cg';
import { assembleDense, factorSymmetric, summariseSpectrum, type SymmetricFactorization } from '../core/algorithms/dense-eigen';
import { hutchinsonTrace } from '../core/algorithms/hutchinson';
import { estimate, lanczos } from '../core/algorithms/lanczos';
import { neumannSeries } from '../core/algorithms/neumann';
import { extremesByPowerIteration } from '../core/algorithms/power-iteration';
import { mlpParameterLayout } from '../core/algorithms/tensor-share';
import type { Experiment } from '../core/config/experiment';
import { dampingToRecommend, diagnose } from '../core/diagnosis/advice';
import { neumannReport } from '../core/diagnosis/neumann-report';
import type { Advice, ExtremeEstimate, HvpSelfCheck, HypergradientReport, NeumannReport, SpectrumReport } from '../core/diagnosis/report';
import { resolveAlpha, spectralRadius } from '../core/diagnosis/spectral-radius';
import { InputError } from '../core/errors';
import { FiniteDifferenceHessianOperator } from '../core/model/finite-difference';
import { tensorsInOrder } from '../core/model/state-dict';
import type { HessianOperator } from '../core/model/objective';
import { hvpSelfCheck } from '../core/model/self-check';
import { checkpoint } from '../core/util/abort';
import { subSeed } from '../core/util/rng';
import { head } from '../core/util/vec';
import type { SessionEvent } from '../protocol/messages';
import { exactCurvature, lanczosCurvature, type CurvatureFacts } from './curvature';
import { hypergradientReferences, REFERENCES_START } from './hypergradient-refs';
import type { AnalysisTarget } from './analysis-target';
import type { ProgressReporter } from './progress';
import { allowanceFor, widen } from './rounding';

export interface AnalysisResult {
  hvpSelfCheck: HvpSelfCheck;
  spectrum: SpectrumReport;
  neumann: NeumannReport;
  advice: Advice;
  hypergradient: HypergradientReport;
  exactSolutionHead: number[] | null;
  timings: Record<string, number>;
}

interface Ctx {
  emit: (e: SessionEvent) => void;
  progress: ProgressReporter;
  signal?: AbortSignal;
  exactMaxParams: number;
}

/** CG's iteration cap: the textbook 10n, but bounded so a large indefinite-free model cannot run for hours. */
const CG_MAX_ITER_CAP = 2000;

export async function analyse(exp: Experiment, target: AnalysisTarget, ctx: Ctx): Promise<AnalysisResult> {
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await f();
    } finally {
      timings[name] = performance.now() - t;
    }
  };
  const { analysis, neumann: cfg } = exp;
  const n = target.objective.size;
  let relativeRounding = target.relativeRounding;

  ctx.progress.enter('self-check');
  let op: HessianOperator = await target.objective.hessianAt(target.w);
  try {
    const check = await timed('selfCheckMs', () =>
      hvpSelfCheck(target.objective, target.w, subSeed(exp.seed, 'selfCheck'), analysis.selfCheckTolerance, op, target.finiteDifferenceStep),
    );
    let operator: HvpSelfCheck['operator'] = target.operatorKind;
    if (!check.passed) {
      // The exact operator disagrees with differences of the gradient: trust the differences.
      ctx.emit({ type: 'log', level: 'warn', text: `HVP self-check failed (relative error ${check.relativeError.toExponential(2)} > ${check.tolerance}); falling back to finite-difference HVPs` });
      op.dispose();
      op = await FiniteDifferenceHessianOperator.at(target.objective, target.w, target.finiteDifferenceStep);
      operator = 'finite-difference';
      // Differences of float32 gradients are far less exact than the R-operator: widen the intervals
      // by the disagreement the check measured (an estimate of the FD error, by construction larger).
      relativeRounding = Math.max(relativeRounding, check.relativeError);
    }
    const selfCheck: HvpSelfCheck = { relativeError: check.relativeError, tolerance: check.tolerance, passed: check.passed, operator };
    await checkpoint(ctx.signal);

    ctx.progress.enter('spectrum');
    const spectrum = await timed('spectrumMs', () => measureSpectrum(exp, { ...target, relativeRounding }, op, ctx));
    const alpha = usedAlpha(cfg.alpha, spectrum.chosen.lambdaMax, cfg.damping);

    ctx.progress.enter('neumann');
    const series = await timed('neumannMs', () =>
      neumannSeries(op, target.b, {
        alpha,
        terms: cfg.terms,
        damping: cfg.damping,
        signal: ctx.signal,
        onTerm: (t) => {
          ctx.emit({ type: 'neumannTerm', term: t.term, norm: t.norm, residual: t.residual, growth: t.growth, head: t.head });
          ctx.progress.within(t.term / cfg.terms);
        },
      }),
    );

    ctx.progress.enter('hypergradient');
    const cg: CgResult = await timed('cgMs', () =>
      conjugateGradient(op, target.b, {
        rtol: 1e-5,
        maxIter: Math.min(10 * n, CG_MAX_ITER_CAP),
        signal: ctx.signal,
        onStep: (s) => ctx.progress.within((REFERENCES_START * s.iteration) / Math.min(10 * n, CG_MAX_ITER_CAP), `CG iteration ${s.iteration}`),
      }),
    );
    const refs = await timed('referencesMs', () =>
      hypergradientReferences({
        op,
        b: target.b,
        weights: target.hypergradientWeights,
        factor: spectrum.factor,
        neumann: series.x,
        cg,
        lambdaMinInterval: spectrum.chosen.lambdaMin.interval,
        lambdaMaxInterval: spectrum.chosen.lambdaMax.interval,
        dampings: { recommended: dampingToRecommend({ alpha, damping: cfg.damping, ...spectrum.chosen, tolerance: analysis.tolerance }), configured: cfg.damping },
        signal: ctx.signal,
        progress: ctx.progress,
      }),
    );
    const { hypergradient, exactSolution } = refs;
    const advice = diagnose({
      alpha,
      terms: cfg.terms,
      damping: cfg.damping,
      lambdaMin: spectrum.chosen.lambdaMin,
      lambdaMax: spectrum.chosen.lambdaMax,
      tolerance: analysis.tolerance,
      gradNormTrain: target.operatorKind === 'analytic' ? null : target.gradientNorm.train,
      stationarityTolerance: analysis.stationarityTolerance,
      cg: { status: cg.status, iterations: cg.iterations },
      epochs: exp.kind === 'mlp' ? exp.training.epochs : exp.kind === 'pytorch' ? (exp.training?.epochs ?? null) : null,
      maxLanczosSteps: spectrum.report.method === 'lanczos' ? analysis.maxLanczosSteps : null,
      hypergradient: target.hypergradientWeights ? hypergradient : null,
      bottomTensorShare: spectrum.report.bottomEigenvector?.tensorShare ?? null,
      observedGrowth: series.growthRatios.length ? series.growthRatios[series.growthRatios.length - 1] : null,
    });
    if (!selfCheck.passed) {
      advice.messages.push({
        kind: 'hvp-self-check',
        severity: 'warning',
        text: `The exact HVP disagreed with finite differences (relative error ${selfCheck.relativeError.toExponential(2)} > ${selfCheck.tolerance}); this analysis used finite-difference HVPs.`,
      });
    }
    const radius = spectralRadius(alpha, spectrum.chosen.lambdaMin.interval, spectrum.chosen.lambdaMax.interval, cfg.damping);
    return {
      hvpSelfCheck: selfCheck,
      spectrum: spectrum.report,
      neumann: neumannReport(series, { ...cfg, alpha }, radius, advice.verdict),
      advice,
      hypergradient,
      exactSolutionHead: exactSolution ? head(exactSolution) : null,
      timings,
    };
  } finally {
    op.dispose();
  }
}

/** neumann.alpha, or for "auto" 1/(λ_max,upper + δ) at this point (an input error when there is no positive curvature). */
function usedAlpha(alpha: number | 'auto', lambdaMax: ExtremeEstimate, damping: number): number {
  const a = resolveAlpha(alpha, lambdaMax.interval, damping);
  if (!Number.isFinite(a)) {
    throw new InputError(`"auto" sets α = 1/(λ_max + δ), but λ_max + δ ≤ 0 here (λ_max ≤ ${lambdaMax.interval[1]}, δ = ${damping}): give a number, or damping > ${-lambdaMax.interval[1]}`, { kind: 'json', path: 'neumann.alpha' });
  }
  return a;
}

interface MeasuredSpectrum {
  report: SpectrumReport;
  /** The estimates the diagnosis rests on (exact when available). */
  chosen: { lambdaMin: ExtremeEstimate; lambdaMax: ExtremeEstimate };
  /** The exact path's one reduction of H (spectrum, eigenvectors, every shifted solve). */
  factor: SymmetricFactorization | null;
}

async function measureSpectrum(exp: Experiment, target: AnalysisTarget, op: HessianOperator, ctx: Ctx): Promise<MeasuredSpectrum> {
  const { analysis } = exp;
  const n = op.size;
  const start = op.matvecCount;
  const useExact = n <= ctx.exactMaxParams;
  // Work split for the progress bar: exact assembly (if any), Lanczos, power iteration, Hutchinson.
  const share = { exact: useExact ? 0.4 : 0, lanczos: useExact ? 0.3 : 0.6, power: analysis.powerIteration ? 0.2 : 0, trace: 0.1 };
  let base = 0;

  const lanczosRun = await lanczos(op, {
    maxSteps: Math.min(analysis.maxLanczosSteps, n),
    tol: analysis.tolerance,
    seed: subSeed(exp.seed, 'lanczos'),
    signal: ctx.signal,
    onStep: (s) => {
      ctx.emit({ type: 'spectrumStep', method: 'lanczos', step: s.step, hvps: op.matvecCount - start, lambdaMax: pick(s.lambdaMax), lambdaMin: pick(s.lambdaMin) });
      ctx.progress.within(base + share.lanczos * (s.step / Math.min(analysis.maxLanczosSteps, n)), `Lanczos step ${s.step}`);
    },
  });
  base += share.lanczos;

  let power: SpectrumReport['power'] = null;
  if (analysis.powerIteration) {
    const p0 = op.matvecCount;
    const pw = await extremesByPowerIteration(op, {
      seed: subSeed(exp.seed, 'power'),
      signal: ctx.signal,
      onStep: (s) => {
        const est = { value: s.value, interval: [s.value - s.residual, s.value + s.residual] as [number, number] };
        ctx.emit({ type: 'spectrumStep', method: s.end === 'max' ? 'power-max' : 'power-min', step: s.iteration, hvps: op.matvecCount - start, ...(s.end === 'max' ? { lambdaMax: est } : { lambdaMin: est }) });
        ctx.progress.within(base + share.power * Math.min(1, (op.matvecCount - p0) / 200), `power iteration (${s.end})`);
      },
    });
    power = { lambdaMax: pw.lambdaMax, lambdaMin: pw.lambdaMin, iterations: pw.iterations, hvps: pw.hvps };
    base += share.power;
  }

  const trace = await hutchinsonTrace(op, { samples: analysis.hutchinsonSamples, seed: subSeed(exp.seed, 'trace'), signal: ctx.signal });
  base += share.trace;

  let exact: { values: Float64Array; factor: SymmetricFactorization; asymmetry: number } | null = null;
  if (useExact) {
    const assembled = target.closedFormHessian
      ? { matrix: target.closedFormHessian, asymmetry: 0 }
      : await assembleDense(op, {
          signal: ctx.signal,
          onProgress: (p) => ctx.progress.within(base + share.exact * (p.columns / p.size), `assembling H: ${p.columns}/${p.size} columns`),
        });
    const factor = factorSymmetric(assembled.matrix, n);
    exact = { values: factor.values, factor, asymmetry: assembled.asymmetry };
  }

  const lanczosBlock = { lambdaMax: lanczosRun.lambdaMax, lambdaMin: lanczosRun.lambdaMin, steps: lanczosRun.steps, hvps: lanczosRun.hvps };
  // For the exact path the assembled matrix's asymmetry is a measured part of ‖H̃ − H‖.
  const allowance = exact
    ? allowanceFor(Math.max(target.relativeRounding, exact.asymmetry), exact.values[0], exact.values[n - 1])
    : allowanceFor(target.relativeRounding, lanczosRun.lambdaMin.interval[0], lanczosRun.lambdaMax.interval[1]);

  let chosen: MeasuredSpectrum['chosen'];
  let exactPart: Pick<SpectrumReport, 'eigenvalues' | 'negativeCount' | 'conditionNumber'>;
  // Names as in the state_dict: the MLP's export names, or a PyTorch model's own named_parameters().
  const layout = exp.kind === 'mlp' ? mlpParameterLayout(exp.model.layers) : target.tensors ? tensorsInOrder(target.tensors) : null;
  let curvature: CurvatureFacts;
  if (exact) {
    // Eigenvalues within the allowance of 0 are rounding noise, not negative curvature.
    const summary = summariseSpectrum(exact.values, target.closedFormHessian ? undefined : allowance);
    curvature = exactCurvature(exact.factor, summary.zeroTol, layout);
    chosen = { lambdaMax: estimate(summary.lambdaMax, allowance, true), lambdaMin: estimate(summary.lambdaMin, allowance, true) };
    exactPart = {
      eigenvalues: Array.from(exact.values),
      negativeCount: summary.negativeCount,
      conditionNumber: Number.isFinite(summary.conditionNumber) ? summary.conditionNumber : null,
    };
    ctx.emit({ type: 'spectrumStep', method: 'exact', step: 1, hvps: op.matvecCount - start, lambdaMax: pick(chosen.lambdaMax), lambdaMin: pick(chosen.lambdaMin) });
  } else {
    chosen = { lambdaMax: widen(lanczosRun.lambdaMax, allowance), lambdaMin: widen(lanczosRun.lambdaMin, allowance) };
    const d0 = op.matvecCount;
    curvature = await lanczosCurvature(op, lanczosRun, {
      seed: subSeed(exp.seed, 'density'),
      threshold: allowance,
      layout,
      signal: ctx.signal,
      onProbe: () => ctx.progress.within(base, `spectral density: ${op.matvecCount - d0} HVPs`),
    });
    exactPart = { eigenvalues: null, negativeCount: curvature.negativeCountEstimate, conditionNumber: null };
  }
  const { negativeCountEstimate: _estimate, ...curvatureReport } = curvature;
  return {
    chosen,
    factor: exact ? exact.factor : null,
    report: {
      method: exact ? 'exact' : 'lanczos',
      lambdaMax: chosen.lambdaMax.value,
      lambdaMin: chosen.lambdaMin.value,
      lambdaMaxInterval: chosen.lambdaMax.interval,
      lambdaMinInterval: chosen.lambdaMin.interval,
      converged: { max: chosen.lambdaMax.converged, min: chosen.lambdaMin.converged },
      ...exactPart,
      trace: trace.estimate,
      traceStdErr: trace.stdErr,
      hvps: op.matvecCount - start,
      roundingAllowance: allowance,
      lanczosSteps: lanczosRun.steps,
      lanczos: lanczosBlock,
      power,
      ...curvatureReport,
    },
  };
}


function pick(e: ExtremeEstimate): { value: number; interval: [number, number] } {
  return { value: e.value, interval: e.interval };
}
