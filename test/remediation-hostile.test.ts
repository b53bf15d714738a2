/**
 * Remediation against a hostile cluster. Every rule's fix (and the report's diagnostic commands)
 * is rendered from snapshots whose cluster-provided names and values carry shell metacharacters,
 * line breaks and heredoc terminators, terminal escapes, a bidi override, AWS CLI shorthand and
 * YAML syntax, or a leading "-"; then the text a person would paste runs in bash with every
 * program replaced by a stub that records its argv and standard input. Nothing runs but the
 * commands the remediation model holds, each receives exactly the arguments the model gives it,
 * each heredoc reads back as the YAML document the model holds, and no file the payloads try to
 * create appears. A command that cannot be written safely is left out, and the finding says so.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { assess, ruleContext } from '../src/assess/assess.js';
import { deriveFacts } from '../src/assess/facts.js';
import { normalize } from '../src/assess/normalize/index.js';
import { renderRemediation, type Command, type Remediation, type Step, type Word, type Yaml } from '../src/assess/remediation.js';
import { RULES } from '../src/assess/rules/index.js';
import { hasUnsafeCharacters } from '../src/assess/unsafe-text.js';
import { isSystemNamespace } from '../src/reference/index.js';
import { diagnosticSteps } from '../src/render/commands.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import type { Snapshot } from '../src/snapshot/schema.js';
import { fixtureDocument, listRuleFixtures, sampleDocument } from './helpers/fixtures.js';

/** The parts of a snapshot document the hostile rewrite touches. */
interface KubeObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}
interface Doc {
  target: { clusterName: string; region: string };
  kubernetes: { nodes?: KubeObject[] | null; namespaces?: KubeObject[] | null };
  calico: Partial<Record<'clusterInformations' | 'ippools' | 'tiers' | 'globalNetworkPolicies' | 'bgpPeers', KubeObject[] | null>>;
}

/** Three kinds of attack, each a function of the original value so that names stay distinct. */
const VARIANTS = {
  /** Everything a shell, the AWS CLI shorthand or YAML would act on, on one line: must be quoted and arrive intact. */
  metacharacters: (o: string) => `${o}'"$(touch pwned-1)\`touch pwned-2\`;touch pwned-3 #$(:>pwned-4)}],IpRanges=[{CidrIp=0.0.0.0/0}]: {a: b} #c`,
  /** A line break that would end a comment or a heredoc, a terminal escape, a bidi override: must be left out or shown escaped. */
  controls: (o: string) => `${o}\nEOF\ntouch pwned-5\n\u001b]0;pwned\u0007\u202e`,
  /** A value that would be read as an option: must be left out where it stands alone. */
  option: (o: string) => `--${o}`,
} as const;
type Variant = keyof typeof VARIANTS;

/** A label value (inside a selector's quotes): every metacharacter but the quotes. */
const LABEL_PAYLOAD = '$(touch pwned-6);touch pwned-7 #`touch pwned-8`';

const BUILT_IN_TIERS = new Set(['default', 'allow-tigera', 'adminnetworkpolicy', 'baselineadminnetworkpolicy', 'kube-admin', 'kube-baseline']);

/** The names a cluster's users choose: cluster, region, nodes, non-system namespaces, pools, tiers, policies, peers. */
function identifiers(doc: Doc): string[] {
  const names = (list: KubeObject[] | null | undefined) => (list ?? []).map((o) => o.metadata?.name).filter((n): n is string => typeof n === 'string');
  return [
    doc.target.clusterName,
    doc.target.region,
    ...names(doc.kubernetes.nodes),
    ...names(doc.kubernetes.namespaces).filter((n) => n !== 'default' && !isSystemNamespace(n)),
    ...names(doc.calico.ippools),
    ...names(doc.calico.tiers).filter((n) => !BUILT_IN_TIERS.has(n)),
    ...names(doc.calico.globalNetworkPolicies).map((n) => n.replace(/^default\./, '')),
    ...names(doc.calico.bgpPeers),
  ].filter((n) => n.length >= 4);
}

/**
 * The document with every identifier replaced, wherever it occurs (labels, node names in pods and
 * blocks, the region in zones and ARNs), by its hostile variant; and the values read whole
 * (Calico version, route reflector cluster id, a pool's selector label value) made hostile too.
 */
function hostileDocument(source: unknown, variant: Variant): Doc {
  const attack = VARIANTS[variant];
  const ids = [...new Set(identifiers(source as Doc))].sort((a, b) => b.length - a.length);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(ids.map(escape).join('|'), 'g');
  const doc = JSON.parse(JSON.stringify(source).replace(pattern, (m) => JSON.stringify(attack(m)).slice(1, -1))) as Doc;
  for (const info of doc.calico.clusterInformations ?? []) {
    const version = info.spec?.['calicoVersion'];
    if (typeof version === 'string') info.spec!['calicoVersion'] = attack(version);
  }
  for (const node of doc.kubernetes.nodes ?? []) {
    const annotations = node.metadata?.annotations ?? {};
    if (annotations['projectcalico.org/RouteReflectorClusterID']) annotations['projectcalico.org/RouteReflectorClusterID'] = attack(annotations['projectcalico.org/RouteReflectorClusterID']);
  }
  for (const pool of doc.calico.ippools ?? []) {
    const selector = pool.spec?.['nodeSelector'];
    const equality = typeof selector === 'string' ? /^(\s*[\w./-]+\s*==\s*)(['"])([^'"]*)\2(\s*)$/.exec(selector) : null;
    if (equality) pool.spec!['nodeSelector'] = `${equality[1]}${equality[2]}${equality[3]}${LABEL_PAYLOAD}${equality[2]}${equality[4]}`;
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// What the model says should run: an interpreter of the remediation model, independent of its renderer

interface Call {
  argv: string[];
  /** The heredoc's document, parsed; `undefined` for commands without one. */
  document?: unknown;
}

/** What the stubs print: the rest print nothing. */
const STUB_OUTPUT: Record<string, string> = { sed: 'i-0stub\n', jq: 'v9.9.9\n', date: '1700000000\n' };

/** The YAML document a heredoc should deliver: the template parsed with placeholders, then the values put back. */
function expectedDocument(document: Yaml): unknown {
  const token = (i: number) => `zzvalue${i}zz`;
  let text = document.parts[0]!;
  document.values.forEach((v, i) => {
    text += typeof v === 'number' || typeof v === 'boolean' ? String(v) : token(i);
    text += document.parts[i + 1]!;
  });
  const put = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(/zzvalue(\d+)zz/g, (_, i: string) => {
        const v = document.values[Number(i)]!;
        return typeof v === 'object' ? v.value : String(v);
      });
    }
    if (Array.isArray(node)) return node.map(put);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [put(k) as string, put(v)]));
    return node;
  };
  return put(parseAll(text));
}
const parseAll = (text: string): unknown => {
  const docs = text.split(/^---$/m).map((d) => parseYaml(d, { version: '1.1' }) as unknown);
  return docs.length === 1 ? docs[0] : docs;
};

function interpret(steps: readonly Step[]): Call[] {
  const calls: Call[] = [];
  const variables = new Map<string, string>();
  const word = (w: Word): string => {
    if (typeof w === 'number') return String(w);
    if (typeof w === 'string') return w;
    switch (w.kind) {
      case 'value':
        return w.value;
      case 'json':
        return JSON.stringify(w.value);
      case 'variable':
        return variables.get(w.name) ?? '';
      case 'capture':
        return run(w.command).replace(/\n+$/, '');
      case 'joined':
        return w.parts.map(word).join('');
    }
  };
  /** Runs a command (and its pipe); returns what the last one prints. */
  const run = (command: Command): string => {
    const argv = command.argv.map(word);
    calls.push({ argv, ...(command.input ? { document: expectedDocument(command.input) } : {}) });
    const printed = STUB_OUTPUT[argv[0]!] ?? '';
    if (command.output) return '';
    return command.pipe ? run(command.pipe) : printed;
  };
  for (const step of steps) {
    if (step.kind === 'command') run(step);
    else if (step.kind === 'assign') variables.set(step.name, word(step.value));
    else if (step.kind === 'loop') {
      const values = Array.isArray(step.over) ? (step.over as readonly Word[]).map(word) : run(step.over as Command).split('\n').filter(Boolean);
      for (const v of values) {
        variables.set(step.variable, v);
        for (const command of step.body) run(command);
      }
    }
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------
// What bash actually runs

const work = mkdtempSync(path.join(tmpdir(), 'remediation-hostile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const STUB = `#!/bin/bash
n="$CALLS/$BASHPID.$RANDOM"
printf '%s\\0' "\${0##*/}" "$@" > "$n.argv"
if [ -p /dev/stdin ] || [ -f /dev/stdin ]; then IFS= read -r -d '' input; printf '%s' "$input" > "$n.stdin"; fi
case "\${0##*/}" in ${Object.entries(STUB_OUTPUT).map(([program, out]) => `${program}) printf '${out.replace(/\n/g, '\\n')}';;`).join(' ')} esac
exit 0
`;

/** Programs a payload might call, stubbed too so that a call shows up instead of failing unseen. */
const EXTRA_PROGRAMS = ['touch', 'rm', 'sh', 'cat'];

interface Executed {
  calls: Array<{ argv: string[]; stdin: string | null }>;
  stderr: string;
  created: string[];
}

let runs = 0;
function execute(script: string, programs: Iterable<string>): Executed {
  const dir = path.join(work, `run-${++runs}`);
  const bin = path.join(dir, 'bin');
  const calls = path.join(dir, 'calls');
  const cwd = path.join(dir, 'cwd');
  for (const d of [bin, calls, cwd]) mkdirSync(d, { recursive: true });
  for (const program of new Set([...programs, ...EXTRA_PROGRAMS])) {
    writeFileSync(path.join(bin, program), STUB);
    chmodSync(path.join(bin, program), 0o755);
  }
  const result = spawnSync('/bin/bash', ['--noprofile', '--norc', '-c', script], {
    cwd,
    env: { PATH: bin, CALLS: calls },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 20_000,
  });
  const recorded = readdirSync(calls)
    .filter((f) => f.endsWith('.argv'))
    .map((f) => {
      const [, ...argv] = readFileSync(path.join(calls, f), 'utf8').split('\0').slice(0, -1);
      const program = readFileSync(path.join(calls, f), 'utf8').split('\0')[0]!;
      const stdinFile = path.join(calls, f.replace(/\.argv$/, '.stdin'));
      return { argv: [program, ...argv], stdin: existsSync(stdinFile) ? readFileSync(stdinFile, 'utf8') : null };
    });
  const created = readdirSync(cwd).filter((f) => f.startsWith('pwned'));
  return { calls: recorded, stderr: result.stderr, created };
}

const sortCalls = <T extends { argv: string[] }>(calls: T[]): T[] => [...calls].sort((a, b) => JSON.stringify(a.argv).localeCompare(JSON.stringify(b.argv)));

/** Runs one remediation and checks bash did exactly what the model says. */
function checkRemediation(steps: Remediation, label: string): { commandsRun: number; left: number; hostileArguments: number } {
  const rendered = renderRemediation(steps);
  expect(hasUnsafeCharacters(rendered.text.replace(/\n/g, '')), `${label}: raw control or bidi character in the text`).toBe(false);
  const expected = interpret(rendered.kept);
  const executed = execute(rendered.text, expected.map((c) => c.argv[0]!));
  expect(executed.stderr, `${label}: bash complained`).toBe('');
  expect(executed.created, `${label}: a payload created a file`).toEqual([]);
  expect(sortCalls(executed.calls).map((c) => c.argv), `${label}: the commands run and their arguments`).toEqual(sortCalls(expected).map((c) => c.argv));
  // Each heredoc reads back as the document the model holds; several runs of one command line (three
  // `calicoctl apply -f -`) are matched in the order they ran.
  const withDocuments = expected.filter((c) => c.document !== undefined);
  const unmatched = executed.calls.filter((c) => c.stdin !== null);
  for (const call of withDocuments) {
    const index = unmatched.findIndex((c) => JSON.stringify(c.argv) === JSON.stringify(call.argv));
    const received = index >= 0 ? unmatched.splice(index, 1)[0] : undefined;
    expect(received, `${label}: ${call.argv.join(' ')} got its document on standard input`).toBeDefined();
    expect(parseAll(received!.stdin!), `${label}: the document ${call.argv.join(' ')} received`).toEqual(call.document);
  }
  const hostileArguments = executed.calls.flatMap((c) => [...c.argv, c.stdin ?? '']).filter((a) => a.includes('touch pwned-1')).length;
  return { commandsRun: expected.length, left: rendered.left.length, hostileArguments };
}

// ---------------------------------------------------------------------------------------------

/** Every failing fixture of every rule, made hostile; each rule's own remediation, taken from the model. */
const failing = listRuleFixtures().filter((f) => f.status === 'fail');

function hostileCases(variant: Variant) {
  return failing.flatMap((fixture) => {
    let snapshot: Snapshot;
    try {
      snapshot = validateSnapshot(hostileDocument(fixtureDocument(fixture), variant), fixture.file);
    } catch {
      return [];
    }
    const model = normalize(snapshot);
    const facts = deriveFacts(model);
    const rule = RULES.find((r) => r.id === fixture.ruleId)!;
    try {
      const context = ruleContext(model, facts);
      if (rule.appliesWhen(context) !== true) return [];
      const outcome = rule.evaluate(context);
      return outcome.status === 'fail' ? [{ fixture, snapshot, remediation: outcome.remediation }] : [];
    } catch {
      return [];
    }
  });
}

describe('remediation with hostile cluster values', () => {
  const rulesWithFailures = [...new Set(failing.map((f) => f.ruleId))].sort();

  it('runs, with metacharacters in every name, exactly the modelled commands with their arguments intact, for every rule', () => {
    const cases = hostileCases('metacharacters');
    const seen = new Map<string, string>();
    let commands = 0;
    let hostile = 0;
    for (const { fixture, remediation } of cases) {
      const key = JSON.stringify(remediation);
      if (seen.has(key)) continue;
      seen.set(key, fixture.file);
      const result = checkRemediation(remediation, `${fixture.ruleId} ${fixture.name}`);
      commands += result.commandsRun;
      hostile += result.hostileArguments;
    }
    // Every rule that can fail still fails under hostile names, so every rule's fix was exercised.
    expect([...new Set(cases.map((c) => c.fixture.ruleId))].sort()).toEqual(rulesWithFailures);
    expect(commands).toBeGreaterThan(100);
    // The payloads did reach the commands, as single arguments (or inside heredocs), and ran nothing.
    expect(hostile).toBeGreaterThan(100);
  }, 240_000);

  it('leaves out commands holding a line break, a terminal escape or a bidi override, and runs nothing else', () => {
    const cases = hostileCases('controls');
    expect(cases.length).toBeGreaterThan(20);
    let left = 0;
    const seen = new Set<string>();
    for (const { fixture, remediation } of cases) {
      const key = JSON.stringify(remediation);
      if (seen.has(key)) continue;
      seen.add(key);
      left += checkRemediation(remediation, `${fixture.ruleId} ${fixture.name}`).left;
    }
    expect(left).toBeGreaterThan(10);
  }, 240_000);

  it('leaves out commands where a value would be read as an option', () => {
    const cases = hostileCases('option');
    let left = 0;
    for (const { fixture, remediation } of cases.slice(0, 40)) left += checkRemediation(remediation, `${fixture.ruleId} ${fixture.name}`).left;
    expect(left).toBeGreaterThan(10);
  }, 120_000);

  it('says so in the finding when a command is left out', () => {
    const fixture = failing.find((f) => f.ruleId === 'CAL-RT-06')!;
    const assessment = assess(validateSnapshot(hostileDocument(fixtureDocument(fixture), 'controls'), fixture.file));
    const check = assessment.checks.find((c) => c.id === 'CAL-RT-06')!;
    expect(check.status).toBe('fail');
    expect(check.remediation).toMatch(/# \(a command is left out here: the IPPool name ".*\\n.*" contains a line break/);
    expect(check.evidence.find((e) => e.object === 'remediation')?.note).toMatch(/^a command was left out of the fix: the IPPool name/);
    expect(check.remediation).not.toMatch(/\n(?:EOF|touch)/);
  });

  it('runs the diagnostic commands of every sample with hostile names as modelled', () => {
    for (const name of ['enterprise-vxlan', 'reference-crosssubnet', 'ec2-denied']) {
      for (const variant of ['metacharacters', 'controls'] as const) {
        const doc = hostileDocument(sampleDocument(name), variant);
        checkRemediation(diagnosticSteps(assess(validateSnapshot(doc, name))), `diagnostics ${name} ${variant}`);
      }
    }
  });

  it('quotes by construction: a rule cannot put a value into shell text except as a quoted word', () => {
    const { text } = renderRemediation([
      { kind: 'command', argv: ['calicoctl', 'patch', 'ippool', "a'; touch x; '", '--patch', { kind: 'json', value: { spec: { x: "'$(y)" } } }] },
    ]);
    expect(text).toBe(`calicoctl patch ippool 'a'\\''; touch x; '\\''' --patch '{"spec":{"x":"'\\''$(y)"}}'`);
  });
});
