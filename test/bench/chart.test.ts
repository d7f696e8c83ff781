// The bench chart drawn from the committed latest.json: one bar per measured row and scenario, with latest.md's ratios.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../bench/lib/chart.mjs';

interface Row {
  readonly id: string;
  readonly label: string;
  readonly status: string;
  readonly measures: readonly string[];
  readonly cannot: Readonly<Record<string, string>>;
  readonly results: Readonly<Record<string, { readonly ratio: number | null }>>;
}
interface Results {
  readonly scenarios: readonly { readonly id: string; readonly baseline: string }[];
  readonly rows: readonly Row[];
}

const results = JSON.parse(
  readFileSync(new URL('../../bench/results/latest.json', import.meta.url), 'utf8'),
) as Results;
const svg = renderSvg(results);
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const xml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

describe('bench chart from latest.json', () => {
  it('draws one bar per row and scenario the row measures, titled with its ratio to the baseline', () => {
    let bars = 0;
    for (const s of results.scenarios) {
      for (const row of results.rows) {
        const ratio = row.results[s.id]?.ratio;
        if (!row.measures.includes(s.id) || ratio === null || ratio === undefined) continue;
        bars++;
        const title = new RegExp(
          `<title>${literal(xml(`${row.label}, ${s.id}: `))}[^<]*, ${ratio.toFixed(2)}x `,
        );
        expect(svg, `${row.id} ${s.id}`).toMatch(title);
      }
    }
    expect(bars).toBeGreaterThan(0);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(bars);
  });

  it('names the rows that cannot carry a scenario payload instead of drawing them', () => {
    const carriesNot = (row: Row, id: string) => row.status === 'n/a' || Object.hasOwn(row.cannot, id);
    const s = results.scenarios.find((scenario) => results.rows.some((row) => carriesNot(row, scenario.id)));
    expect(s).toBeDefined();
    const cannot = results.rows.filter((row) => s !== undefined && carriesNot(row, s.id));
    expect(svg).toContain(
      xml(`n/a (cannot carry the payload): ${cannot.map((row) => row.label).join(', ')}`),
    );
  });

  it('is one well-formed svg element with every text escaped', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
  });
});
