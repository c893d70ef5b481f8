/**
 * Export Report: the last report as Markdown, self-contained HTML or JSON. Pure; the command
 * asks for the format and the place and writes the text.
 */
import { basename } from 'node:path';
import type { DiagnosisReport } from '../core/diagnosis/report';
import { renderHtml } from '../core/diagnosis/render-html';
import { renderMarkdown } from '../core/diagnosis/render-markdown';
import type { ExportFormat } from '../protocol/webview';

export const EXPORT_FORMATS: { format: ExportFormat; label: string; extension: string; filterName: string }[] = [
  { format: 'markdown', label: 'Markdown', extension: 'md', filterName: 'Markdown' },
  { format: 'html', label: 'HTML (self-contained, with charts)', extension: 'html', filterName: 'HTML' },
  { format: 'json', label: 'JSON (report schemaVersion 1)', extension: 'json', filterName: 'JSON' },
];

/**
 * How the "Open" of a saved export opens it: HTML in the browser (it is a page, and its charts are
 * inline SVG), Markdown rendered in VS Code's preview, JSON as text in an editor.
 */
export type OpenWith = 'browser' | 'markdown-preview' | 'editor';

export function openWith(format: ExportFormat): OpenWith {
  return format === 'html' ? 'browser' : format === 'markdown' ? 'markdown-preview' : 'editor';
}

export function exportExtension(format: ExportFormat): string {
  return EXPORT_FORMATS.find((f) => f.format === format)!.extension;
}

export function renderExport(report: DiagnosisReport, format: ExportFormat): string {
  switch (format) {
    case 'markdown':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'json':
      // JSON has no Infinity/NaN: JSON.stringify writes a diverged series' non-finite numbers as null.
      return `${JSON.stringify(report, null, 2)}\n`;
  }
}

/** `seed-regression.neumann.json` → `seed-regression.report.md` (next to the experiment). */
export function defaultExportName(report: DiagnosisReport, format: ExportFormat): string {
  const stem = report.experimentFile
    ? basename(report.experimentFile).replace(/\.neumann\.json$|\.json$/i, '')
    : report.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'neumann';
  return `${stem}.report.${exportExtension(format)}`;
}
