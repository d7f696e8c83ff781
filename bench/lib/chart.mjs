// Draws the results object (latest.json) as an SVG chart: per scenario, each row's ratio to the scenario's baseline.
const width = 820;
const labelRight = 232; // row labels end here (text-anchor end)
const plotLeft = 244;
const plotRight = 724;
const valueRight = width - 12; // ratio text ends here
const barHeight = 11;
const barGap = 3;
const headerHeight = 22;
const panelGap = 14;
const top = 96;

const colors = { procxy: '#d9480f', raw: '#868e96', peer: '#1c7ed6' };
const kindLabels = { procxy: 'procxy', raw: 'raw mechanisms', peer: 'peers' };
const kindOf = (row) => (row.id.startsWith('procxy') ? 'procxy' : row.id.startsWith('raw') ? 'raw' : 'peer');

const xml = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const fmt = (n) => Number(n.toPrecision(3)).toString();

// Ratios span two decades and more (a transferList echo against a JSON copy), so the axis is logarithmic around 1x:
// a bar grows left of the 1x line for a ratio below one and right of it above, and 0.5x sits as far as 2x.
function logScale(ratios) {
  const niceBelow = (r) => {
    const decade = 10 ** Math.floor(Math.log10(r));
    return decade * ([5, 2, 1].find((m) => decade * m <= r) ?? 1);
  };
  const niceAbove = (r) => {
    const decade = 10 ** Math.floor(Math.log10(r));
    return decade * ([1, 2, 5, 10].find((m) => decade * m >= r) ?? 10);
  };
  const lo = niceBelow(Math.min(0.5, ...ratios));
  const hi = niceAbove(Math.max(2, ...ratios));
  const x = (r) =>
    plotLeft +
    ((Math.log10(r) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (plotRight - plotLeft);
  // Every decade, plus 0.5x and 2x where most rows are: any more and the labels of a four-decade axis collide.
  const ticks = [0.5, 2];
  for (let decade = 10 ** Math.ceil(Math.log10(lo) - 1e-9); decade <= hi * 1.0001; decade *= 10)
    ticks.push(decade);
  return { x, ticks };
}

// A row's bar in a scenario: its ratio, or why there is none (n/a: cannot carry the payload, failed); null when
// the row does not measure the scenario at all (latest.md shows — there and the chart leaves it out). The n/a
// rows of a scenario share one line under its bars.
function barOf(row, scenario) {
  if (row.status === 'n/a' || Object.hasOwn(row.cannot, scenario.id)) return { text: 'n/a' };
  if (!row.measures.includes(scenario.id)) return null;
  const ratio = row.results[scenario.id]?.ratio;
  if (ratio === null || ratio === undefined) return row.status === 'failed' ? { text: 'failed' } : null;
  return { ratio, median: row.results[scenario.id].median };
}

export function renderSvg(results) {
  const { scenarios, rows } = results;
  const labelOf = (id) => rows.find((r) => r.id === id)?.label ?? id;
  const panels = scenarios
    .map((s) => {
      const all = rows.map((row) => ({ row, bar: barOf(row, s) })).filter((b) => b.bar !== null);
      const na = all.filter((b) => b.bar.text === 'n/a').map((b) => b.row.label);
      return { s, bars: all.filter((b) => b.bar.text !== 'n/a'), na };
    })
    .filter((p) => p.bars.length > 0 || p.na.length > 0);
  const ratios = panels.flatMap((p) => p.bars.flatMap((b) => (b.bar.ratio > 0 ? [b.bar.ratio] : [])));
  const { x, ticks } = logScale(ratios);
  const panelHeight = (p) =>
    headerHeight + (p.bars.length + (p.na.length > 0 ? 1 : 0)) * (barHeight + barGap);
  const height = top + panels.reduce((sum, p) => sum + panelHeight(p) + panelGap, 0) + 24;

  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">procxy bench: ratio to each scenario's baseline (log scale)</text>`,
    `<text x="12" y="40" fill="#495057">${xml(
      `${results.date}, node ${results.node}, ${results.cores} cores, ${results.rounds} rounds${results.quick ? ' (quick sizes: a smoke run, not for conclusions)' : ''}, procxy ${results.source?.commit ?? 'unknown commit'}`,
    )}</text>`,
    `<text x="12" y="56" fill="#495057">Median of paired ratios, as in latest.md. Time per call (µs/call, ms, ms/call): below 1x is faster. Calls/s: above 1x is faster.</text>`,
  ];
  let legendX = 12;
  for (const [kind, label] of Object.entries(kindLabels)) {
    out.push(
      `<rect x="${legendX}" y="66" width="10" height="10" fill="${colors[kind]}"/>`,
      `<text x="${legendX + 14}" y="75">${label}</text>`,
    );
    legendX += 24 + label.length * 6.5;
  }

  const plotTop = top - 6;
  const plotBottom = height - 24;
  for (const t of ticks) {
    const one = Math.abs(t - 1) < 1e-9;
    out.push(
      `<line x1="${x(t).toFixed(1)}" y1="${plotTop}" x2="${x(t).toFixed(1)}" y2="${plotBottom}" stroke="${one ? '#212529' : '#e9ecef'}" stroke-width="${one ? 1.2 : 1}"/>`,
      `<text x="${x(t).toFixed(1)}" y="${plotTop - 4}" text-anchor="middle" fill="#495057">${fmt(t)}x</text>`,
      `<text x="${x(t).toFixed(1)}" y="${plotBottom + 14}" text-anchor="middle" fill="#495057">${fmt(t)}x</text>`,
    );
  }

  let y = top;
  for (const { s, bars, na } of panels) {
    out.push(
      `<text x="12" y="${y + 14}" font-weight="600">${xml(`${s.id}: ${s.title}`)}<tspan dx="6" font-weight="400" fill="#495057">${xml(` (${s.unit}, ${s.better} is better; x ${labelOf(s.baseline)})`)}</tspan></text>`,
    );
    y += headerHeight;
    for (const { row, bar } of bars) {
      const mid = y + barHeight / 2 + 4;
      const kind = kindOf(row);
      out.push(
        `<text x="${labelRight}" y="${mid}" text-anchor="end"${kind === 'procxy' ? ' font-weight="600"' : ''}>${xml(row.label)}</text>`,
      );
      if (bar.text !== undefined) {
        out.push(`<text x="${valueRight}" y="${mid}" text-anchor="end" fill="#adb5bd">${bar.text}</text>`);
      } else {
        const from = Math.min(x(1), x(bar.ratio));
        const to = Math.max(x(1), x(bar.ratio));
        out.push(
          `<rect x="${from.toFixed(1)}" y="${y}" width="${Math.max(to - from, 1.5).toFixed(1)}" height="${barHeight}" fill="${colors[kind]}"><title>${xml(`${row.label}, ${s.id}: ${fmt(bar.median)} ${s.unit}, ${bar.ratio.toFixed(2)}x ${labelOf(s.baseline)}`)}</title></rect>`,
          `<text x="${valueRight}" y="${mid}" text-anchor="end">${row.id === s.baseline ? 'baseline' : `${bar.ratio.toFixed(2)}x`}</text>`,
        );
      }
      y += barHeight + barGap;
    }
    if (na.length > 0) {
      out.push(
        `<text x="12" y="${y + barHeight / 2 + 4}" fill="#868e96">${xml(`n/a (cannot carry the payload): ${na.join(', ')}`)}</text>`,
      );
      y += barHeight + barGap;
    }
    y += panelGap;
  }
  out.push('</svg>', '');
  return out.join('\n');
}
