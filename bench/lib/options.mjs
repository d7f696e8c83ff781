// Command-line options of `npm run bench` (after `--`): sizes, round counts, row and scenario selection, output name.
const HELP = `usage: npm run bench -- [--quick] [--rounds N] [--warmup N] [--rows id,id] [--scenarios S1,S2] [--out NAME]
  --quick        small sizes, 1 measured round: a smoke run (writes bench/results/quick.* unless --out)
  --rounds N     measured rounds (default 5, or 1 with --quick); the median of the rounds is reported
  --warmup N     warm-up rounds that are run but not counted (default 1)
  --rows a,b     only these row ids (raw-json, the baseline, is always kept)
  --scenarios    only these scenario ids
  --out NAME     write bench/results/NAME.md and NAME.json (default latest, or quick with --quick)`;

export class UsageError extends Error {
  name = 'UsageError';
}

function positiveInt(flag, text, min) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} needs an integer >= ${min}, got ${text}`);
  return n;
}

export function parseOptions(argv) {
  const options = {
    quick: false,
    rounds: undefined,
    warmup: 1,
    rows: undefined,
    scenarios: undefined,
    out: undefined,
  };
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k];
    const value = () => {
      const v = argv[++k];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        options.quick = true;
        break;
      case '--rounds':
        options.rounds = positiveInt(flag, value(), 1);
        break;
      case '--warmup':
        options.warmup = positiveInt(flag, value(), 0);
        break;
      case '--rows':
        options.rows = value().split(',');
        break;
      case '--scenarios':
        options.scenarios = value().split(',');
        break;
      case '--out':
        options.out = value();
        if (!/^[\w.-]+$/.test(options.out))
          throw new UsageError(`--out takes a plain file name, got ${options.out}`);
        break;
      case '--help':
      case '-h':
        return { help: HELP };
      default:
        throw new UsageError(`unknown option ${flag}\n${HELP}`);
    }
  }
  options.rounds ??= options.quick ? 1 : 5;
  options.out ??= options.quick ? 'quick' : 'latest';
  return options;
}

// Keeps the registry order; names an unknown id instead of silently measuring nothing.
export function select(kind, all, ids, keep) {
  if (ids === undefined) return all;
  const known = new Set(all.map((x) => x.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown ${kind} ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return all.filter((x) => ids.includes(x.id) || x.id === keep);
}
