import type { Node } from 'yaml';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import { LifeboatError } from '../errors';
import type { Runbook } from './runbook-schema';
import { ACTIONS, runbookSchema } from './runbook-schema';

interface RunbookProblem {
  file: string;
  line?: number;
  field: string;
  reason: string;
}

function invalid(problem: RunbookProblem): LifeboatError {
  const where = `${problem.file}${problem.line ? `:${problem.line}` : ''}`;
  return new LifeboatError('LB_ERR_RUNBOOK_INVALID', `${where}: ${problem.field}: ${problem.reason}`, { ...problem });
}

/**
 * Parse and validate a runbook. Every problem is reported with the file, the line and
 * the field, before anything runs: YAML syntax, the schema, step ids that repeat, goto
 * targets that do not exist, references to unknown parameters or to later steps.
 */
export function parseRunbook(file: string, text: string): Runbook {
  return parseWithLines(file, text).runbook;
}

/**
 * A runbook file, as the API loads it and `lifeboat runbook validate` checks it: parsed,
 * validated, and named like its file (runbooks/game-day.yaml holds runbook game-day).
 */
export function parseRunbookFile(file: string, text: string): Runbook {
  const { runbook, lineOf } = parseWithLines(file, text);
  const base = (file.split(/[\\/]/).pop() ?? file).replace(/\.ya?ml$/, '');
  if (runbook.name !== base) throw invalid({ file, line: lineOf(['name']), field: 'name', reason: `"${runbook.name}" must match the file name "${base}"` });
  return runbook;
}

type LineOf = (path: ReadonlyArray<string | number>) => number | undefined;

function parseWithLines(file: string, text: string): { runbook: Runbook; lineOf: LineOf } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    throw invalid({ file, line: lines.linePos(err.pos[0]).line, field: 'yaml', reason: err.message.split('\n')[0]! });
  }
  const lineOf: LineOf = (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined = rangeLine(node as Node | null, lines);
    for (const key of path) {
      if (isMap(node)) node = node.get(key, true);
      else if (isSeq(node)) node = node.get(Number(key), true);
      else break;
      line = rangeLine(node as Node | null, lines) ?? line;
    }
    return line;
  };
  const parsed = runbookSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const reason =
      issue.code === 'unrecognized_keys'
        ? 'unknown field'
        : issue.path[issue.path.length - 1] === 'action'
          ? `unknown action; use one of ${ACTIONS.join(', ')}`
          : issue.message;
    throw invalid({ file, line: lineOf(path as Array<string | number>), field: path.join('.') || '(top level)', reason });
  }
  const runbook = parsed.data;
  checkReferences(runbook, (path, reason) => invalid({ file, line: lineOf(path), field: path.join('.'), reason }));
  return { runbook, lineOf };
}

function rangeLine(node: Node | null | undefined, lines: LineCounter): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : lines.linePos(start).line;
}

const REFERENCE = /\b(params|steps)\.([a-zA-Z][a-zA-Z0-9_]*)/g;

function checkReferences(runbook: Runbook, fail: (path: Array<string | number>, reason: string) => Error): void {
  const params = new Set(Object.keys(runbook.parameters));
  const check = (section: 'steps' | 'rollback') => {
    const ids = new Set<string>();
    const all = new Set(runbook[section].map((s) => s.id));
    runbook[section].forEach((step, i) => {
      if (ids.has(step.id)) throw fail([section, i, 'id'], `step id "${step.id}" is used twice`);
      if (step.onFailure.startsWith('goto:') && !all.has(step.onFailure.slice(5))) {
        throw fail([section, i, 'onFailure'], `goto target "${step.onFailure.slice(5)}" is not a step of this runbook`);
      }
      const texts: Array<[Array<string | number>, string]> = [];
      if (step.when) texts.push([[section, i, 'when'], step.when]);
      for (const [k, v] of Object.entries(step.inputs)) if (typeof v === 'string') texts.push([[section, i, 'inputs', k], v]);
      for (const [path, text] of texts) {
        for (const m of text.matchAll(REFERENCE)) {
          if (m[1] === 'params' && !params.has(m[2]!)) throw fail(path, `unknown parameter "${m[2]}" (declared: ${[...params].join(', ') || 'none'})`);
          if (m[1] === 'steps' && section === 'steps' && !ids.has(m[2]!) && m[2] !== step.id) {
            throw fail(path, all.has(m[2]!) ? `step "${m[2]}" runs later; only earlier steps' outputs can be used` : `unknown step "${m[2]}"`);
          }
        }
      }
      ids.add(step.id);
    });
  };
  check('steps');
  check('rollback');
  for (const [name, text] of Object.entries(runbook.outputs)) {
    for (const m of text.matchAll(REFERENCE)) {
      if (m[1] === 'params' && !params.has(m[2]!)) throw fail(['outputs', name], `unknown parameter "${m[2]}"`);
      if (m[1] === 'steps' && !runbook.steps.some((s) => s.id === m[2])) throw fail(['outputs', name], `unknown step "${m[2]}"`);
    }
  }
}
