import { html, svg, css, unsafeCSS, type PropertyValues, type SVGTemplateResult } from 'lit';
import { ViewBase } from './view-base.ts';
import { fieldNodes } from './arch.ts';
import { buildChartData, niceTicks, pieSlices, CHART_COLORS, type ChartData } from './chart.ts';
import { formatNumber } from './format.ts';
import { callKw } from './rpc.ts';
import { notifyError } from './erp-notifications.ts';
import { currentLanguage, _t } from './i18n.ts';
import type { ReadGroupRow } from './types.ts';

type ChartType = 'bar' | 'line' | 'pie';
const M = { top: 16, right: 16, bottom: 70, left: 56 };
/** The drawing is as wide as the view (between these bounds), so its 12px text stays 12px on a phone. */
const MIN_W = 300;
const MAX_W = 1100;

/**
 * The graph view: `<graph type="bar|line|pie">` with group-by `<field>`s (`interval="month"`
 * for dates) and optional `type="measure"` fields, drawn in plain SVG from a non-lazy
 * read_group. The search's group-bys replace the arch's. The user switches chart type and
 * measure (count or a numeric field).
 */
export class ErpGraphView extends ViewBase {
  static properties = { ...ViewBase.properties, chartType: { state: true }, measure: { state: true }, data: { state: true }, W: { state: true } };
  static styles = [...ViewBase.styles, css`
    :host { display: flex; flex-direction: column; flex: 1; min-height: 0; }
    .content { flex: 1; overflow: auto; padding: 12px 16px; background: #fff; }
    .tools { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 12px; align-items: center; }
    .tools select { width: auto; }
    .group { display: inline-flex; } .group .btn { border-radius: 0; margin-left: -1px; }
    .group .btn[aria-pressed='true'] { background: var(--erp-hover); color: var(--erp-primary); font-weight: 600; }
    svg { width: 100%; max-width: ${unsafeCSS(MAX_W)}px; height: auto; display: block; font-size: 12px; }
    .legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin-top: 8px; font-size: .9rem; }
    .legend span::before { content: ''; display: inline-block; width: 12px; height: 12px; margin-right: 6px; background: var(--c); vertical-align: -1px; border-radius: 2px; }
    .empty { color: var(--erp-muted); padding: 40px; text-align: center; }
    text { fill: var(--erp-text); } .axis { stroke: var(--erp-border); }
  `];
  readonly viewType = 'graph' as const;
  declare chartType: ChartType;
  declare measure: string;
  declare data: ChartData | null;
  /** The drawing's width in px, measured from the content area (a viewBox of a fixed width would shrink text on a phone). */
  declare W: number;
  private seq = 0;
  private resizeObserver: ResizeObserver | null = null;

  constructor() {
    super();
    this.chartType = 'bar';
    this.measure = '__count';
    this.data = null;
    this.W = 800;
  }

  private get H(): number {
    return this.W < 600 ? 300 : 360;
  }

  firstUpdated() {
    const content = this.renderRoot.querySelector<HTMLElement>('.content');
    if (!content || typeof ResizeObserver === 'undefined') return;
    this.resizeObserver = new ResizeObserver(() => {
      const padding = parseFloat(getComputedStyle(content).paddingLeft) + parseFloat(getComputedStyle(content).paddingRight);
      const width = Math.round(Math.min(MAX_W, Math.max(MIN_W, content.clientWidth - padding)));
      if (Math.abs(width - this.W) > 2) this.W = width;
    });
    this.resizeObserver.observe(content);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  private get archGroupBy(): string[] {
    return fieldNodes(this.arch).filter((n) => n.attrs.type !== 'measure' && this.fields[n.attrs.name])
      .map((n) => (n.attrs.interval ? `${n.attrs.name}:${n.attrs.interval}` : n.attrs.name));
  }

  private get measures(): Array<[string, string]> {
    const numeric = Object.values(this.fields).filter((f) => (f.type === 'integer' || f.type === 'float') && f.store !== false && f.name !== 'id');
    return [['__count', _t('Count')], ...numeric.map((f): [string, string] => [f.name, f.string])];
  }

  willUpdate(changed: PropertyValues<this>) {
    if (changed.has('arch')) {
      const t = this.arch.attrs.type as ChartType;
      this.chartType = ['bar', 'line', 'pie'].includes(t) ? t : 'bar';
      this.measure = fieldNodes(this.arch).find((n) => n.attrs.type === 'measure')?.attrs.name ?? '__count';
    }
    if (this.needsReload(changed) || changed.has('measure')) void this.load();
  }

  async load() {
    const seq = ++this.seq;
    this.loadFailed = false;
    const groupBy = (this.groupBy.length ? this.groupBy : this.archGroupBy).slice(0, 2);
    try {
      const fields = this.measure === '__count' ? ['__count'] : [`${this.measure}:sum`];
      const rows = await callKw<ReadGroupRow[]>(this.model, 'read_group', [this.domain, fields, groupBy], { lazy: false, context: this.context });
      const label = this.measures.find(([m]) => m === this.measure)?.[1] ?? this.measure;
      if (seq === this.seq) this.data = buildChartData(rows, groupBy, this.measure, label, this.fields);
    } catch (err) {
      this.loadFailed = true;
      notifyError(err);
    }
  }

  private fmt(v: number): string {
    return formatNumber(v, currentLanguage(), Number.isInteger(v) ? 0 : 2);
  }

  private axes(max: number): [SVGTemplateResult, (v: number) => number] {
    const ticks = niceTicks(max);
    const top = ticks[ticks.length - 1] || 1;
    const y = (v: number) => M.top + (this.H - M.top - M.bottom) * (1 - v / top);
    return [svg`${ticks.map((t) => svg`<line class="axis" x1=${M.left} x2=${this.W - M.right} y1=${y(t)} y2=${y(t)}></line>
      <text x=${M.left - 6} y=${y(t) + 4} text-anchor="end">${this.fmt(t)}</text>`)}`, y];
  }

  private xLabels(labels: string[], step: number): SVGTemplateResult {
    // Slanted when many, or when a label would be wider than its slot (~7px a character).
    const rotate = labels.length > 6 || labels.some((l) => Math.min(l.length, 16) * 7 > step);
    return svg`${labels.map((l, i) => {
      const x = M.left + step * (i + 0.5);
      const text = l.length > 16 ? `${l.slice(0, 15)}…` : l;
      return svg`<text x=${x} y=${this.H - M.bottom + 16} text-anchor=${rotate ? 'end' : 'middle'}
        transform=${rotate ? `rotate(-35 ${x} ${this.H - M.bottom + 16})` : ''}><title>${l}</title>${text}</text>`;
    })}`;
  }

  private bars(d: ChartData): SVGTemplateResult {
    const totals = d.labels.map((_, i) => d.series.reduce((a, s) => a + s.values[i], 0));
    const [grid, y] = this.axes(Math.max(0, ...totals));
    const step = (this.W - M.left - M.right) / Math.max(1, d.labels.length);
    const bw = Math.min(60, step * 0.7);
    return svg`${grid}${d.labels.map((label, i) => {
      let acc = 0;
      return d.series.map((s, si) => {
        const v = s.values[i];
        const y0 = y(acc);
        acc += v;
        return svg`<rect x=${M.left + step * i + (step - bw) / 2} y=${y(acc)} width=${bw} height=${Math.max(0, y0 - y(acc))}
          fill=${CHART_COLORS[si % CHART_COLORS.length]}><title>${label} / ${s.label}: ${this.fmt(v)}</title></rect>`;
      });
    })}${this.xLabels(d.labels, step)}`;
  }

  private lines(d: ChartData): SVGTemplateResult {
    const [grid, y] = this.axes(Math.max(0, ...d.series.flatMap((s) => s.values)));
    const step = (this.W - M.left - M.right) / Math.max(1, d.labels.length);
    return svg`${grid}${d.series.map((s, si) => {
      const color = CHART_COLORS[si % CHART_COLORS.length];
      const pts = s.values.map((v, i) => [M.left + step * (i + 0.5), y(v)] as const);
      return svg`<polyline fill="none" stroke=${color} stroke-width="2" points=${pts.map(([x, yy]) => `${x},${yy}`).join(' ')}></polyline>
        ${pts.map(([x, yy], i) => svg`<circle cx=${x} cy=${yy} r="4" fill=${color}><title>${d.labels[i]} / ${s.label}: ${this.fmt(s.values[i])}</title></circle>`)}`;
    })}${this.xLabels(d.labels, step)}`;
  }

  private pie(d: ChartData): SVGTemplateResult {
    const values = d.labels.map((_, i) => d.series.reduce((a, s) => a + s.values[i], 0));
    return svg`${pieSlices(values, this.W / 2, this.H / 2, this.H / 2 - 16).map((s) => svg`<path d=${s.path} fill=${CHART_COLORS[s.index % CHART_COLORS.length]} stroke="#fff">
      <title>${d.labels[s.index]}: ${this.fmt(s.value)} (${Math.round(s.fraction * 100)}%)</title></path>`)}`;
  }

  private chart() {
    const d = this.data;
    if (!d || !d.labels.length || d.series.every((s) => s.values.every((v) => !v))) return html`<p class="empty">${_t('No data to display')}</p>`;
    const body = this.chartType === 'pie' ? this.pie(d) : this.chartType === 'line' ? this.lines(d) : this.bars(d);
    const legend = this.chartType === 'pie' ? d.labels : d.series.map((s) => s.label);
    return html`<svg viewBox="0 0 ${this.W} ${this.H}" role="img" aria-label=${this.actionName}>${body}</svg>
      <div class="legend">${legend.map((l, i) => html`<span style="--c:${CHART_COLORS[i % CHART_COLORS.length]}">${l}</span>`)}</div>`;
  }

  render() {
    const types: Array<[ChartType, string]> = [['bar', _t('Bar Chart')], ['line', _t('Line Chart')], ['pie', _t('Pie Chart')]];
    return html`${this.controlPanel({})}
      <div class="content">
        <div class="tools">
          <select aria-label=${_t('Measure')} @change=${(e: Event) => (this.measure = (e.target as HTMLSelectElement).value)}>
            ${this.measures.map(([m, label]) => html`<option value=${m} .selected=${m === this.measure}>${label}</option>`)}</select>
          <div class="group" role="group">${types.map(([t, label]) => html`<button class="btn btn-sm" aria-pressed=${String(t === this.chartType)}
            @click=${() => (this.chartType = t)}>${label}</button>`)}</div>
        </div>
        ${this.chart()}
      </div>`;
  }
}
customElements.define('erp-graph-view', ErpGraphView);
declare global {
  interface HTMLElementTagNameMap { 'erp-graph-view': ErpGraphView }
}
