// Load a scenario: find the file, parse YAML, apply `extends:` (deep merge, arrays replace),
// validate the shape with zod and then the cross-field rules. Every error names file, path, expectation.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ZodIssue } from 'zod';
import { scenarioSchema, type Scenario } from './schema.js';
import { validateScenario, type Warning } from './validate.js';
import { ScenarioError, InvalidInput } from '../util/errors.js';
import { SCENARIO_DIR } from '../util/paths.js';

export interface Loaded {
  scenario: Scenario;
  warnings: Warning[];
}

/** A name under scenarios/ (the working directory's first, then the bundled ones) or a path to a YAML file. */
export function scenarioPath(ref: string, relativeTo?: string): string {
  if (/[/\\]/.test(ref) || /\.(ya?ml|json)$/.test(ref)) {
    const p = path.resolve(relativeTo ?? process.cwd(), ref);
    if (!fs.existsSync(p)) throw new InvalidInput(`${p}: no such scenario file`);
    return p;
  }
  const dirs = [relativeTo, path.resolve('scenarios'), SCENARIO_DIR].filter((d): d is string => !!d);
  for (const dir of dirs) {
    const p = path.join(dir, `${ref}.yaml`);
    if (fs.existsSync(p)) return p;
  }
  throw new InvalidInput(`scenario "${ref}" not found (looked for ${ref}.yaml in ${[...new Set(dirs)].join(', ')}); \`lab list\` shows the scenarios`);
}

function readYaml(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8');
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = e.linePos?.[0];
    throw new ScenarioError(file, line ? `line ${line.line} column ${line.col}` : '', `valid YAML (${e.code}: ${e.message.split('\n')[0]})`);
  }
  const value = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ScenarioError(file, '', 'a mapping at the top level');
  return value as Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Overrides win; mappings merge key by key; lists are replaced whole (a node list is one decision). */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(base[k]) ? deepMerge(base[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

function resolveExtends(file: string, seen: string[]): Record<string, unknown> {
  if (seen.includes(file)) throw new ScenarioError(file, 'extends', `no cycle (${[...seen, file].map((f) => path.basename(f)).join(' -> ')})`);
  const raw = readYaml(file);
  if (raw.extends === undefined) return raw;
  if (typeof raw.extends !== 'string') throw new ScenarioError(file, 'extends', 'the name of another scenario');
  let parentFile: string;
  try {
    parentFile = scenarioPath(raw.extends, path.dirname(file));
  } catch {
    throw new ScenarioError(file, 'extends', `an existing scenario (no "${raw.extends}" beside ${path.basename(file)} or in scenarios/)`);
  }
  const parent = resolveExtends(parentFile, [...seen, file]);
  delete parent.name; // a variant is its own lab
  const { extends: _drop, ...own } = raw;
  return deepMerge(parent, own);
}

function describeIssue(issue: ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `no unknown key (got ${issue.keys.map((k) => `"${k}"`).join(', ')})`;
    case 'invalid_type':
      return issue.received === 'undefined' ? `a value (${issue.expected}, required)` : `${issue.expected} (got ${issue.received})`;
    case 'invalid_enum_value':
      return `one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')} (got ${JSON.stringify(issue.received)})`;
    case 'invalid_literal':
      return `${JSON.stringify(issue.expected)}`;
    case 'too_small':
      return issue.type === 'array' ? `at least ${issue.minimum} item(s)` : issue.type === 'string' ? 'a non-empty string' : `a number >= ${issue.minimum}`;
    case 'too_big':
      return issue.type === 'array' ? `at most ${issue.maximum} item(s)` : `a number <= ${issue.maximum}`;
    case 'invalid_string':
      return issue.message;
    case 'invalid_union':
      return 'an IPv4 address or true';
    default:
      return issue.message;
  }
}

export function yamlPath(p: (string | number)[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Load, merge, validate. Throws ScenarioError (exit 2) on the first problem, with all problems listed. */
/** Paths in messages and lab.json: relative to the working directory when below it. */
export function displayPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

export function loadScenario(ref: string): Loaded {
  const file = displayPath(scenarioPath(ref));
  const merged = resolveExtends(file, []);
  const parsed = scenarioSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    const err = new ScenarioError(file, yamlPath(first.path), describeIssue(first));
    if (issues.length > 1) err.message += issues.slice(1).map((i) => `\n${file}: ${yamlPath(i.path) || '(document)'}: expected ${describeIssue(i)}`).join('');
    throw err;
  }
  const name = parsed.data.name ?? path.basename(file).replace(/\.(ya?ml|json)$/, '');
  const scenario: Scenario = { ...parsed.data, name, file };
  const { errors, warnings } = validateScenario(scenario);
  if (errors.length) {
    const err = new ScenarioError(file, errors[0].path, errors[0].expected);
    if (errors.length > 1) err.message += errors.slice(1).map((e) => `\n${file}: ${e.path}: expected ${e.expected}`).join('');
    throw err;
  }
  return { scenario, warnings };
}

export function listScenarios(): { name: string; description: string; file: string }[] {
  const dirs = [...new Set([path.resolve('scenarios'), SCENARIO_DIR])].filter((d) => fs.existsSync(d));
  const seen = new Map<string, { name: string; description: string; file: string }>();
  for (const dir of dirs) {
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      const name = f.replace(/\.yaml$/, '');
      if (seen.has(name)) continue;
      const file = path.join(dir, f);
      let description = '';
      try {
        description = String(resolveExtends(file, []).description ?? '');
      } catch (e) {
        description = `(invalid: ${(e as Error).message})`;
      }
      seen.set(name, { name, description, file });
    }
  }
  return [...seen.values()];
}
