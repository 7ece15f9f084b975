// Adds up the mutation reports in reports/mutation/*.json (or --from <dir>) (one per `npm run mutation` part, see
// stryker.config.mjs): per file the newest report that holds it, then the score of src/core as
// Stryker counts it, (killed + timed out) / (killed + timed out + survived + no coverage); mutants
// that do not compile are left out. `--survivors [path-prefix]` lists the survivors, one a line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// --from <dir> reads another folder of reports, e.g. test/mutation/incremental (the committed
// incremental files have the report's format, and hold every mutant a run reached, even one stopped).
const argv = process.argv.slice(2);
const fromAt = argv.indexOf('--from');
const dir = fromAt >= 0 ? argv[fromAt + 1] : 'reports/mutation';
const args = fromAt >= 0 ? argv.filter((_, i) => i !== fromAt && i !== fromAt + 1) : argv;
const listSurvivors = args[0] === '--survivors';
const survivorPrefix = listSurvivors ? (args[1] ?? '') : '';

const reports = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ path: join(dir, file), mtime: statSync(join(dir, file)).mtimeMs }))
  .sort((a, b) => a.mtime - b.mtime);
if (reports.length === 0) {
  console.error(`no mutation reports in ${dir}: run npm run mutation first`);
  process.exit(1);
}

// Newer reports replace older ones file by file.
const files = new Map();
for (const report of reports) {
  const { files: reported } = JSON.parse(readFileSync(report.path, 'utf8'));
  for (const [file, { mutants }] of Object.entries(reported)) files.set(file, { mutants, from: report.path });
}

const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
const total = { detected: 0, undetected: 0, compileErrors: 0 };
const rows = [];
for (const [file, { mutants, from }] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
  const count = (statuses) => mutants.filter((m) => statuses.has(m.status)).length;
  const row = { file, detected: count(detected), undetected: count(undetected), from };
  row.compileErrors = mutants.filter((m) => m.status === 'CompileError').length;
  total.detected += row.detected;
  total.undetected += row.undetected;
  total.compileErrors += row.compileErrors;
  rows.push(row);
  if (listSurvivors && file.startsWith(survivorPrefix)) {
    for (const m of mutants.filter((m) => undetected.has(m.status))) {
      const at = `${m.location.start.line}:${m.location.start.column}`;
      console.log(`${file}:${at} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement ?? '')}`);
    }
  }
}
if (listSurvivors) process.exit(0);

const percent = (d, u) => (d + u === 0 ? 'n/a' : `${((100 * d) / (d + u)).toFixed(1)} %`);
for (const row of rows) {
  console.log(`${percent(row.detected, row.undetected).padStart(8)}  ${String(row.detected).padStart(4)} detected ${String(row.undetected).padStart(4)} undetected  ${row.file}`);
}
console.log(`${percent(total.detected, total.undetected).padStart(8)}  ${total.detected} detected, ${total.undetected} undetected, ${total.compileErrors} did not compile, ${rows.length} files`);
