/**
 * "New Experiment" templates: the bundled examples/*.neumann.json and the data files each one
 * refers to. Pure apart from reading the examples folder; the command in commands.ts asks where
 * to save, confirms overwrites and copies.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { applyEdits, modify, parse, type ParseError } from 'jsonc-parser';
import { detectFormatting } from './fix-edit';

export interface Template {
  id: string;
  label: string;
  detail: string;
  file: string;
}

export const TEMPLATE_SUFFIX = '.neumann.json';

/** Known examples first, in this order, with words a user picks from; unknown ones follow. */
const KNOWN: Record<string, { label: string; detail: string }> = {
  'seed-regression': {
    label: 'Seed regression',
    detail: 'The motivating scenario: a small ReLU MLP where the Neumann series diverges',
  },
  'logistic-regression': {
    label: 'Logistic regression',
    detail: 'Convex: the series converges; shows the optimal α* and the terms needed',
  },
  'hyper-logistic-regression': {
    label: 'Hyperparameter loop',
    detail: "Lorraine et al.'s loop on the logistic regression's weight decay: Neumann vs exact vs identity hypergradients, step by step",
  },
  'tanh-classifier': {
    label: 'tanh classifier',
    detail: 'A smooth non-convex classifier (cross-entropy)',
  },
  'seed-toy-cubic': {
    label: 'Toy cubic',
    detail: 'Analytic f(x) = Σ xᵢ³ at a point: the seed\'s toy example',
  },
  'pytorch-model': {
    label: 'PyTorch model',
    detail: 'Your own torch.nn.Module in a Python file (a commented problem file to edit), with PyTorch\'s exact HVPs',
  },
};

export function listTemplates(examplesDir: string): Template[] {
  let names: string[];
  try {
    names = readdirSync(examplesDir).filter((n) => n.endsWith(TEMPLATE_SUFFIX));
  } catch {
    return [];
  }
  const order = Object.keys(KNOWN);
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return names
    .map((n) => {
      const id = n.slice(0, -TEMPLATE_SUFFIX.length);
      const known = KNOWN[id];
      return { id, label: known?.label ?? id, detail: known?.detail ?? n, file: join(examplesDir, n) };
    })
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
}

/** JSON paths of an experiment that name files, relative to the experiment's folder. */
const FILE_KEYS: string[][] = [
  ['data', 'train', 'csv'],
  ['data', 'validation', 'csv'],
  ['model', 'init', 'stateDict'],
  ['pytorch', 'file'],
];

/**
 * The relative data files a template refers to. Absolute paths and paths leaving the template's
 * folder are not copied (the new experiment keeps pointing at them as written).
 */
export function templateDataFiles(experimentText: string): string[] {
  const errors: ParseError[] = [];
  const json: unknown = parse(experimentText, errors);
  if (errors.length > 0 || typeof json !== 'object' || json === null) return [];
  const out = new Set<string>();
  for (const path of FILE_KEYS) {
    let v: unknown = json;
    for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v !== 'string' || v === '' || isAbsolute(v)) continue;
    const rel = normalize(v);
    if (rel === '..' || rel.startsWith(`..${sep}`)) continue;
    out.add(rel);
  }
  return [...out];
}

/**
 * The experiment text as written into the user's folder. A relative `$schema` (the examples point
 * at ../schemas/) would not resolve there, and VS Code prefers `$schema` over the extension's
 * jsonValidation, so the copy would lose completion and validation: it is dropped.
 */
export function experimentCopyText(templateText: string): string {
  const errors: ParseError[] = [];
  const json = parse(templateText, errors) as Record<string, unknown> | null;
  const schema = json && typeof json === 'object' ? json.$schema : undefined;
  if (errors.length > 0 || typeof schema !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(schema)) return templateText;
  return applyEdits(templateText, modify(templateText, ['$schema'], undefined, { formattingOptions: detectFormatting(templateText) }));
}

export interface Copy {
  from: string;
  to: string;
}

/** Every file to copy for a template saved as `target` (the experiment first). */
export function scaffoldCopies(templateFile: string, templateText: string, target: string): Copy[] {
  const srcDir = dirname(templateFile);
  const dstDir = dirname(target);
  return [
    { from: templateFile, to: target },
    ...templateDataFiles(templateText).map((rel) => ({ from: join(srcDir, rel), to: join(dstDir, rel) })),
  ];
}

/**
 * `<template>.neumann.json`, or `<template>-2.neumann.json`, `-3`… when that name is taken, so the
 * suggested save location never proposes replacing an existing experiment.
 */
export function defaultTargetName(template: Template, taken: (name: string) => boolean = () => false): string {
  const first = basename(template.file);
  if (!taken(first)) return first;
  for (let i = 2; ; i++) {
    const name = `${template.id}-${i}${TEMPLATE_SUFFIX}`;
    if (!taken(name)) return name;
  }
}
