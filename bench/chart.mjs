// Redraws bench/results/<name>.svg from <name>.json without measuring again: `node bench/chart.mjs [name]` (default latest).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSvg } from './lib/chart.mjs';

const name = process.argv[2] ?? 'latest';
const input = new URL(`./results/${name}.json`, import.meta.url);
let results;
try {
  results = JSON.parse(readFileSync(input, 'utf8'));
} catch (error) {
  console.error(`bench/chart.mjs: cannot read bench/results/${name}.json: ${error.message}`);
  process.exit(1);
}
writeFileSync(new URL(`./results/${name}.svg`, import.meta.url), renderSvg(results));
console.log(`written: bench/results/${name}.svg`);
