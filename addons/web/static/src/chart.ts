/**
 * The arithmetic of the graph view: `read_group` rows → labelled series, "nice" axis ticks,
 * pie slices as SVG arc paths. Pure; `erp-graph-view` draws the SVG.
 */
import { groupCount, groupField, groupKey, groupLabel, groupValue } from './groups.ts';
import type { FieldsInfo, ReadGroupRow } from './types.ts';

export interface Series {
  label: string;
  values: number[];
}
export interface ChartData {
  labels: string[];
  series: Series[];
}

function measureOf(row: ReadGroupRow, measure: string, spec: string): number {
  if (measure === '__count') return groupCount(row, spec);
  const v = row[measure];
  return typeof v === 'number' ? v : 0;
}

/**
 * Non-lazy read_group rows grouped by `[x]` or `[x, series]` → one label per x value and one
 * series per value of the second group-by (or a single series named `measureLabel`).
 */
export function buildChartData(rows: ReadGroupRow[], groupBy: string[], measure: string, measureLabel: string, fields: FieldsInfo): ChartData {
  const [xSpec, sSpec] = groupBy;
  const xKeys: string[] = [];
  const labels: string[] = [];
  const seriesKeys: string[] = [];
  const seriesMap = new Map<string, Series>();
  for (const row of rows) {
    const xv = xSpec ? groupValue(row, xSpec) : false;
    const xk = groupKey(xv);
    if (!xKeys.includes(xk)) {
      xKeys.push(xk);
      labels.push(xSpec ? groupLabel(xv, xSpec, fields) : measureLabel);
    }
    const sv = sSpec ? groupValue(row, sSpec) : undefined;
    const sk = sSpec ? groupKey(sv) : '__total';
    if (!seriesMap.has(sk)) {
      seriesKeys.push(sk);
      seriesMap.set(sk, { label: sSpec ? groupLabel(sv, sSpec, fields) : measureLabel, values: [] });
    }
  }
  for (const s of seriesMap.values()) s.values = xKeys.map(() => 0);
  for (const row of rows) {
    const xi = xKeys.indexOf(groupKey(xSpec ? groupValue(row, xSpec) : false));
    const sk = sSpec ? groupKey(groupValue(row, sSpec)) : '__total';
    seriesMap.get(sk)!.values[xi] += measureOf(row, measure, xSpec ?? '');
  }
  // Series of a selection follow its order (a legend "Unseen, Open, Waiting, Closed"), not
  // the order in which the first x groups happen to meet them.
  const field = sSpec ? fields[groupField(sSpec)] : undefined;
  if (field?.type === 'selection' && Array.isArray(field.selection)) {
    const rank = (k: string) => {
      const i = field.selection!.findIndex(([v]) => JSON.stringify(v) === k);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    seriesKeys.sort((a, b) => rank(a) - rank(b));
  }
  return { labels, series: seriesKeys.map((k) => seriesMap.get(k)!) };
}

/** Evenly spaced round ticks from 0 covering `max` (1, 2, 2.5 or 5 × 10^n steps). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step - 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

export interface Slice {
  index: number;
  value: number;
  fraction: number;
  path: string;
}

function point(cx: number, cy: number, r: number, angle: number): string {
  return `${(cx + r * Math.sin(angle)).toFixed(2)} ${(cy - r * Math.cos(angle)).toFixed(2)}`;
}

/** SVG paths of the pie slices of `values` (clockwise from 12 o'clock). */
export function pieSlices(values: number[], cx: number, cy: number, r: number): Slice[] {
  const total = values.reduce((a, b) => a + Math.max(0, b), 0);
  if (!total) return [];
  let angle = 0;
  return values.flatMap((value, index) => {
    if (value <= 0) return [];
    const fraction = value / total;
    const end = angle + fraction * 2 * Math.PI;
    const path = fraction >= 0.9999
      ? `M ${point(cx, cy, r, 0)} A ${r} ${r} 0 1 1 ${point(cx, cy, r, Math.PI)} A ${r} ${r} 0 1 1 ${point(cx, cy, r, 2 * Math.PI - 1e-6)} Z`
      : `M ${cx} ${cy} L ${point(cx, cy, r, angle)} A ${r} ${r} 0 ${fraction > 0.5 ? 1 : 0} 1 ${point(cx, cy, r, end)} Z`;
    angle = end;
    return [{ index, value, fraction, path }];
  });
}

export const CHART_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
