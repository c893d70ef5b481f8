/**
 * From the facts of a run to the advice: classify (classify.ts: the series verdict and whether its
 * value is the wanted hypergradient), recommend (recommend.ts: the fixes, what each does to the
 * hypergradient, and those that only work together), explain (explain.ts: the words). Every
 * number cited is this run's.
 */
import { checkInput, classifyHypergradient, classifySeries, type DiagnoseInput } from './classify';
import { explainHypergradient, explainProblems, explainRecommendation, explainSummary, explainTogether } from './explain';
import { fmtNum } from './format';
import { recommend } from './recommend';
import type { Advice, AdviceMessage } from './report';

export type { DiagnoseInput } from './classify';
export { dampingToRecommend, dampingWidth, LANCZOS_STEPS_MAX, NEUMANN_TERMS_MAX, recommendDamping } from './recommend';

export function diagnose(input: DiagnoseInput): Advice {
  checkInput(input);
  const series = classifySeries(input);
  const rec = recommend(input, series);
  const hyper = classifyHypergradient(input.hypergradient, series, input.damping);
  const summary = explainSummary(input, series);

  const [verdict, ...problems] = explainProblems(input, series, summary);
  const messages: AdviceMessage[] = [verdict];
  const hyperMessage = hyper ? explainHypergradient(input, series, hyper, minresNote(input)) : null;
  if (hyperMessage) messages.push(hyperMessage);
  messages.push(...problems);
  for (const r of rec.items) {
    if (r.kind === 'train-longer' || r.kind === 'use-cg') continue;
    messages.push(explainRecommendation(input, series, r));
  }
  if (rec.together) messages.push(explainTogether(rec.together));
  for (const r of rec.items) if (r.kind === 'use-cg') messages.push(explainRecommendation(input, series, r));
  if (rec.notStationary) {
    messages.push({
      kind: 'not-stationary',
      severity: 'warning',
      text:
        `‖∇L_T(w)‖ = ${fmtNum(input.gradNormTrain as number)} > ${fmtNum(input.stationarityTolerance)} (analysis.stationarityTolerance): ` +
        `the implicit-function hypergradient −∇L_Vᵀ H⁻¹ w assumes ∇L_T(w) = 0, so it is unreliable here; train longer.`,
      key: 'training.epochs',
    });
  }
  for (const r of rec.items) if (r.kind === 'train-longer') messages.push(explainRecommendation(input, series, r));

  return {
    verdict: series.verdict,
    summary,
    messages,
    alphaMax: rec.alphaMax,
    alphaSuggested: rec.alphaSuggested,
    alphaOptimal: rec.alphaOptimal,
    rhoOptimal: rec.rhoOptimal,
    termsNeeded: rec.termsNeeded,
    damping: rec.damping,
    useCg: rec.useCg,
    notStationary: rec.notStationary,
    ...(input.hypergradient !== undefined ? { hypergradient: hyper } : {}),
  };
}

function minresNote(input: DiagnoseInput): string {
  const m = input.hypergradient?.minres;
  if (!m) return '';
  return ` MINRES on the undamped system stopped (${m.status}) at relative residual ${fmtNum(m.residual)} after ${m.iterations} iterations (cond(H) ≳ ${fmtNum(m.conditionEstimate)}).`;
}
