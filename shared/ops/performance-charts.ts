import { escapeHtml } from '../format/html';
import {
  NO_OUTCOME_YET,
  RESOLUTION_CATEGORIES,
  shareValue,
  type LeadFigures,
  type ResolutionOrNone,
} from '../domain/performance';
import { percentText, shareText } from './performance-text';

/** The performance page's bar charts, as inline SVG (the page allows no scripts nor external files). */

/** Colors of the resolution breakdown; "Unable to contact" red and "No outcome yet" grey, so both stand out. */
const RESOLUTION_COLORS: Readonly<Record<ResolutionOrNone, string>> = {
  'Eligible for MA': '#4e79a7',
  'Eligible for MinnesotaCare': '#76b7b2',
  'Enrolled in QHP': '#59a14f',
  'Eligible for QHP no enrollment': '#8cd17d',
  'No longer needs assistance': '#edc948',
  'Referred to another certified assister': '#b07aa1',
  'Unable to contact': '#e15759',
  'Assisted with technical issue only': '#f28e2b',
  'Contact made appointment scheduled': '#9c755f',
  [NO_OUTCOME_YET]: '#bab0ac',
};

const CHART_WIDTH = 720;
const CHART_LABEL_WIDTH = 230;
const CHART_BAR_HEIGHT = 18;
const CHART_ROW_HEIGHT = 26;
const CHART_LABEL_CHARACTERS = 32;

function truncated(text: string): string {
  return text.length > CHART_LABEL_CHARACTERS ? `${text.slice(0, CHART_LABEL_CHARACTERS - 1)}…` : text;
}

export interface ChartRow {
  readonly label: string;
  readonly figures: LeadFigures;
}

/** Horizontal bars: the share of each organization's leads contacted within two business days. */
export function contactChart(id: string, caption: string, rows: readonly ChartRow[]): string {
  const plotWidth = CHART_WIDTH - CHART_LABEL_WIDTH - 110;
  const height = 28 + rows.length * CHART_ROW_HEIGHT;
  const x0 = CHART_LABEL_WIDTH;
  const bars = rows.map((row, index) => {
    const y = 24 + index * CHART_ROW_HEIGHT;
    const share = row.figures.shares?.contactedWithinTwoBusinessDays;
    const barWidth = share === undefined ? 0 : Math.round(shareValue(share) * plotWidth * 10) / 10;
    return (
      `<g><title>${escapeHtml(`${row.label}: ${shareText(share)}`)}</title>` +
      `<text x="${x0 - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(truncated(row.label))}</text>` +
      `<rect x="${x0}" y="${y}" width="${plotWidth}" height="${CHART_BAR_HEIGHT}" fill="#eef1f4"/>` +
      `<rect x="${x0}" y="${y}" width="${barWidth}" height="${CHART_BAR_HEIGHT}" fill="#2f5d8a"/>` +
      `<text x="${x0 + plotWidth + 6}" y="${y + 13}">${escapeHtml(share === undefined ? 'no leads' : `${percentText(share)} of ${share.denominator}`)}</text></g>`
    );
  });
  const grid = [0, 0.5, 1].map((fraction) => {
    const x = x0 + Math.round(fraction * plotWidth * 10) / 10;
    return (
      `<line x1="${x}" y1="20" x2="${x}" y2="${height - 4}" stroke="#999" stroke-dasharray="2 3"/>` +
      `<text x="${x}" y="14" text-anchor="middle" font-size="11">${fraction * 100}%</text>`
    );
  });
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" id="${id}" role="img" aria-label="${escapeHtml(caption)}" ` +
    `width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-size="12">` +
    `<title>${escapeHtml(caption)}</title>${grid.join('')}${bars.join('')}</svg>` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}

/** One 100% stacked bar per row: how its leads were resolved, "No outcome yet" included. */
export function resolutionChart(id: string, caption: string, rows: readonly ChartRow[]): string {
  const plotWidth = CHART_WIDTH - CHART_LABEL_WIDTH - 20;
  const legendTop = 12 + rows.length * CHART_ROW_HEIGHT;
  const legendRows = Math.ceil(RESOLUTION_CATEGORIES.length / 2);
  const height = legendTop + legendRows * 20 + 8;
  const x0 = CHART_LABEL_WIDTH;
  const bars = rows.map((row, index) => {
    const y = 8 + index * CHART_ROW_HEIGHT;
    let x = x0;
    const segments = row.figures.resolutions
      .filter((entry) => entry.leads > 0)
      .map((entry) => {
        const width = Math.round((entry.leads / row.figures.leads) * plotWidth * 10) / 10;
        const segment =
          `<rect x="${Math.round(x * 10) / 10}" y="${y}" width="${width}" height="${CHART_BAR_HEIGHT}" fill="${RESOLUTION_COLORS[entry.resolution]}">` +
          `<title>${escapeHtml(`${row.label}: ${entry.resolution}, ${entry.leads} of ${row.figures.leads}`)}</title></rect>`;
        x += width;
        return segment;
      });
    return (
      `<g><text x="${x0 - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(truncated(row.label))}</text>` +
      `${row.figures.leads === 0 ? `<text x="${x0}" y="${y + 13}" fill="#666">no leads</text>` : segments.join('')}</g>`
    );
  });
  const legend = RESOLUTION_CATEGORIES.map((resolution, index) => {
    const x = 8 + (index % 2) * (CHART_WIDTH / 2);
    const y = legendTop + Math.floor(index / 2) * 20;
    return (
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${RESOLUTION_COLORS[resolution]}"/>` +
      `<text x="${x + 18}" y="${y + 10}">${escapeHtml(resolution)}</text>`
    );
  });
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" id="${id}" role="img" aria-label="${escapeHtml(caption)}" ` +
    `width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-size="12">` +
    `<title>${escapeHtml(caption)}</title>${bars.join('')}${legend.join('')}</svg>` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}
