/**
 * One uPlot chart in a <figure>: builds it from a spec, feeds it data, follows the container's
 * width, and rebuilds it with fresh colours when the theme changes (uPlot bakes colours into its
 * options). Legends are our own HTML (swatches coloured through CSSOM), so they follow the theme too.
 */
import uPlot from 'uplot';
import { h, replaceChildren } from './dom';
import type { Palette } from './theme';
import { fmtNum } from '../core/diagnosis/format';

export interface LegendEntry {
  label: string;
  color: string;
  dashed?: boolean;
  band?: boolean;
  /** A dash pattern (canvas pixels) drawn as it is on the chart, where `dashed` alone cannot tell patterns apart. */
  dash?: number[];
}

export interface ChartSpec<D> {
  id: string;
  title: string;
  /** Text alternative for screen readers, from the data. */
  describe(d: D): string;
  height: number;
  options(p: Palette, d: D): Omit<uPlot.Options, 'width' | 'height'>;
  data(d: D): uPlot.AlignedData;
  legend(p: Palette, d: D): LegendEntry[];
  /** When this changes the chart is rebuilt (series/scales differ), else only its data is set. */
  shape(d: D): string;
}

export class Chart<D> {
  readonly figure: HTMLElement;
  private readonly plot: HTMLDivElement;
  private readonly legendEl: HTMLElement;
  private readonly note: HTMLElement;
  private readonly readout: HTMLElement;
  private plotInstance: uPlot | null = null;
  private shapeKey = '';
  private current: D | null = null;
  private readonly resizer: ResizeObserver;

  constructor(
    private readonly spec: ChartSpec<D>,
    private palette: Palette,
  ) {
    this.plot = h('div', { class: 'plot', role: 'img', attrs: { 'aria-label': spec.title } });
    this.legendEl = h('ul', { class: 'legend', attrs: { 'aria-hidden': 'true' } });
    this.note = h('p', { class: 'muted chart-note', text: 'No finite values to plot.' });
    this.note.hidden = true;
    this.readout = h('p', { class: 'readout muted', attrs: { 'aria-hidden': 'true' } });
    this.figure = h('figure', { class: 'chart', id: spec.id }, h('figcaption', { text: spec.title }), this.legendEl, this.note, this.plot, this.readout);
    this.figure.hidden = true;
    this.resizer = new ResizeObserver(() => this.fitWidth());
    this.resizer.observe(this.plot);
  }

  update(d: D | null): void {
    if (d === this.current) return;
    this.current = d;
    if (d === null) {
      this.destroyPlot();
      this.figure.hidden = true;
      return;
    }
    this.figure.hidden = false;
    const data = this.spec.data(d);
    // A diverged series can leave nothing finite to draw: say so rather than show empty axes.
    const nothing = data.slice(1).every((col) => Array.from(col as ArrayLike<number | null | undefined>).every((v) => v === null || v === undefined));
    this.note.hidden = !nothing;
    if (nothing) {
      this.destroyPlot();
      replaceChildren(this.legendEl);
      this.plot.setAttribute('aria-label', `${this.spec.title}: no finite values`);
      return;
    }
    this.plot.setAttribute('aria-label', `${this.spec.title}: ${this.spec.describe(d)}`);
    const key = this.spec.shape(d);
    if (this.plotInstance && key === this.shapeKey) this.plotInstance.setData(data);
    else this.build(d, key);
  }

  setPalette(p: Palette): void {
    this.palette = p;
    if (this.current !== null) this.build(this.current, this.spec.shape(this.current));
  }

  dispose(): void {
    this.resizer.disconnect();
    this.destroyPlot();
  }

  private build(d: D, key: string): void {
    this.destroyPlot();
    this.shapeKey = key;
    const width = this.width();
    const base = this.spec.options(this.palette, d);
    const hooks: uPlot.Hooks.Arrays = {
      ...base.hooks,
      setCursor: [...(base.hooks?.setCursor ?? []), (u) => this.showReadout(u)],
      // The x axis as drawn, readable from the page (tests check that it ends at the data).
      setScale: [...(base.hooks?.setScale ?? []), (u, key) => {
        if (key !== 'x') return;
        this.plot.dataset.xMin = String(u.scales.x.min);
        this.plot.dataset.xMax = String(u.scales.x.max);
      }],
    };
    const opts: uPlot.Options = { ...base, hooks, width, height: this.spec.height };
    this.plotInstance = new uPlot(opts, this.spec.data(d), this.plot);
    // How many series it draws (the x column aside), readable from the page like the x range.
    this.plot.dataset.series = String(opts.series.length - 1);
    this.readout.textContent = '';
    replaceChildren(this.legendEl, ...this.spec.legend(this.palette, d).map(legendItem));
  }

  /** The values under the pointer, as text (uPlot's own legend is off: ours follows the theme). */
  private showReadout(u: uPlot): void {
    const i = u.cursor.idx;
    if (i === null || i === undefined) {
      this.readout.textContent = '';
      return;
    }
    const parts = [`${u.axes[0].label ?? 'x'} ${fmtNum(u.data[0][i], 4)}`];
    u.series.forEach((s, k) => {
      const v = k > 0 ? u.data[k][i] : null;
      if (k > 0 && s.label && v !== null && v !== undefined) parts.push(`${s.label} ${fmtNum(v, 4)}`);
    });
    this.readout.textContent = parts.join(' · ');
  }

  private destroyPlot(): void {
    this.plotInstance?.destroy();
    this.plotInstance = null;
    this.shapeKey = '';
  }

  private width(): number {
    return Math.max(200, Math.floor(this.plot.clientWidth || this.figure.clientWidth || 600));
  }

  private fitWidth(): void {
    const u = this.plotInstance;
    if (!u) return;
    const w = this.width();
    if (Math.abs(w - u.width) >= 1) u.setSize({ width: w, height: this.spec.height });
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** A line swatch with the chart's own dash pattern (SVG attributes, not inline styles, so the CSP allows it). */
function dashSwatch(color: string, pattern: number[]): Element {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [k, v] of [['class', 'swatch-svg'], ['width', '24'], ['height', '6'], ['viewBox', '0 0 24 6']]) svg.setAttribute(k, v);
  const l = document.createElementNS(SVG, 'line');
  for (const [k, v] of [['x1', '0'], ['y1', '3'], ['x2', '24'], ['y2', '3'], ['stroke', color], ['stroke-width', '2'], ['stroke-dasharray', pattern.length > 0 ? pattern.join(' ') : 'none']]) l.setAttribute(k, v);
  svg.append(l);
  return svg;
}

function legendItem(e: LegendEntry): HTMLElement {
  if (e.dash) return h('li', {}, dashSwatch(e.color, e.dash), e.label);
  const swatch = h('span', { class: e.band ? 'swatch band' : e.dashed ? 'swatch dashed' : 'swatch' });
  if (e.band) swatch.style.backgroundColor = e.color;
  else swatch.style.borderTopColor = e.color;
  return h('li', {}, swatch, e.label);
}
