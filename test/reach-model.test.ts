/**
 * The reachability model as a whole: the matrix's shortcuts agree with evaluating every pair of
 * pods; pods are grouped only by what policy can tell apart; older snapshots still assess, unknown
 * where the model needs what they lack.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { normalize } from '../src/assess/normalize/index.js';
import { ALLOWED, reachAnalysis, reachOf, UNDECIDED, DENIED } from '../src/assess/reach/analysis.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import type { Snapshot } from '../src/snapshot/schema.js';
import { sampleDocument } from './helpers/fixtures.js';
import { world, worldSnapshot, type WorldSpec } from './helpers/policy-world.js';

/** A deterministic pseudo-random sequence (xorshift). */
function random(seed: number) {
  let state = seed || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % 1_000_000) / 1_000_000;
  };
}

/** A random cluster: namespaces, apps, tiers, global and namespaced Calico policies, Kubernetes policies. */
function randomWorld(seed: number): WorldSpec {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const namespaces = ['a', 'b', 'c', 'd'];
  const apps = ['web', 'api', 'db'];
  const pods: WorldSpec['pods'] = {};
  for (const ns of namespaces) for (const app of apps) if (next() < 0.8) pods[`${ns}/${app}`] = { labels: { tier: pick(['front', 'back']) }, ports: [{ name: 'http', containerPort: pick([8080, 9090]) }] };
  const port = () => pick([53, 80, 443, 8080, 9090, 'http', '8000:8100']);
  const peer = () =>
    pick([
      {},
      { selector: `app == '${pick(apps)}'` },
      { namespaceSelector: `kubernetes.io/metadata.name == '${pick(namespaces)}'` },
      { selector: `tier == '${pick(['front', 'back'])}'`, namespaceSelector: 'all()' },
      { nets: ['10.244.0.0/26'] },
      { notSelector: `app == '${pick(apps)}'` },
    ]);
  const rule = () => ({
    action: pick(['Allow', 'Allow', 'Deny', 'Pass', 'Log']),
    ...(next() < 0.5 ? { protocol: pick(['TCP', 'UDP']) } : {}),
    source: next() < 0.5 ? peer() : {},
    destination: { ...(next() < 0.5 ? peer() : {}), ...(next() < 0.4 ? { ports: [port()] } : {}) },
  });
  const rules = () => Array.from({ length: 1 + Math.floor(next() * 3) }, rule);
  const tiers = [{ name: 'security', order: 100, defaultAction: pick(['Deny', 'Pass'] as const) }];
  const globalPolicies: NonNullable<WorldSpec['globalPolicies']> = Array.from({ length: 3 }, (_, i) => [
    `g${i}`,
    { tier: pick(['default', 'security']), order: Math.floor(next() * 3000), selector: pick(['all()', `app == '${pick(apps)}'`, "tier == 'front'"]), types: pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]), ingress: rules(), egress: rules() },
  ]);
  const globalNames = globalPolicies.map(([name, spec]) => [spec['tier'] === 'default' ? name : `security.${name}`, spec] as [string, Record<string, unknown>]);
  const networkPolicies: NonNullable<WorldSpec['networkPolicies']> = namespaces.filter(() => next() < 0.5).map((ns) => [`${ns}/n`, { selector: 'all()', types: ['Ingress', 'Egress'], ingress: rules(), egress: rules() }]);
  const kubernetesPolicies: NonNullable<WorldSpec['kubernetesPolicies']> = namespaces
    .filter(() => next() < 0.5)
    .map((ns) => [`${ns}/k`, { podSelector: { matchLabels: { app: pick(apps) } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 8080 }] }] }]);
  return { pods, tiers, globalPolicies: globalNames, networkPolicies, kubernetesPolicies };
}

describe('the namespace matrix', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('agrees with evaluating every pair of groups one by one (random cluster %i)', (seed) => {
    const w = world(randomWorld(seed));
    const analysis = w.analysis;
    const matrix = analysis.matrix();
    const n = matrix.namespaces.length;
    for (const [i, from] of matrix.namespaces.entries()) {
      for (const [j, to] of matrix.namespaces.entries()) {
        let flags = 0;
        for (const s of analysis.cluster.byNamespace.get(from)!) for (const d of analysis.cluster.byNamespace.get(to)!) flags |= analysis.flowFlags(s, d, analysis.cluster.allPorts);
        expect(reachOf(matrix.flags[i * n + j]!), `${from} → ${to}`).toBe(reachOf(flags));
      }
    }
  });

  it('groups pods only by what policy reads: labels no selector names do not split them', () => {
    const w = world({
      pods: { 'a/web': { labels: { 'pod-template-hash': 'abc' } }, 'a/api': { labels: { 'pod-template-hash': 'def' } }, 'b/web': {} },
      globalPolicies: [['only-web', { order: 1, selector: "app == 'web'", ingress: [{ action: 'Allow' }] }]],
    });
    const groups = w.analysis.cluster.groups;
    expect(groups.map((g) => g.name)).toEqual(['a/web', 'a/api', 'b/web']);
    const unread = world({ pods: { 'a/web': { labels: { 'pod-template-hash': 'abc' } }, 'a/api': { labels: { 'pod-template-hash': 'def' } } } });
    expect(unread.analysis.cluster.groups).toHaveLength(1);
    expect(unread.analysis.cluster.groups[0]!.pods).toBe(2);
  });

  it('folds flags as the report says: allowed and denied make partly; unknown is never allowed', () => {
    expect(reachOf(ALLOWED)).toBe('allowed');
    expect(reachOf(DENIED)).toBe('denied');
    expect(reachOf(ALLOWED | DENIED)).toBe('partly');
    expect(reachOf(ALLOWED | UNDECIDED)).toBe('unknown');
    expect(reachOf(DENIED | UNDECIDED)).toBe('unknown');
    expect(reachOf(ALLOWED | DENIED | UNDECIDED)).toBe('partly');
  });
});

/** Pods as an older collector kept them: no service account, no container ports. */
function withoutPodIdentity(document: Snapshot): void {
  for (const pod of document.kubernetes.pods ?? []) {
    const spec = pod.spec as Record<string, unknown> | undefined;
    delete spec?.['serviceAccountName'];
    delete spec?.['containers'];
  }
}

describe('snapshots from before the policy model', () => {
  /** A sample as an older collector wrote it: none of the lists this version added. */
  function olderSnapshot(name: string) {
    const document = sampleDocument(name);
    for (const key of ['services', 'endpointSlices', 'adminNetworkPolicies', 'baselineAdminNetworkPolicies'] as const) delete document.kubernetes[key];
    for (const key of ['stagedGlobalNetworkPolicies', 'stagedNetworkPolicies', 'stagedKubernetesNetworkPolicies'] as const) delete document.calico[key];
    document.errors = document.errors.filter((e) => !e.source.includes('adminnetworkpolicies'));
    withoutPodIdentity(document);
    return validateSnapshot(document, `${name} (older)`);
  }

  it('still assess; policy verdicts are unknown, naming the admin policy lists, while the rest judge as before', () => {
    const older = assess(olderSnapshot('reference-crosssubnet'));
    const current = assess(validateSnapshot(sampleDocument('reference-crosssubnet'), 'current'));
    for (const id of ['CAL-POL-01', 'CAL-POL-02', 'CAL-POL-03', 'CAL-POL-04', 'CAL-POL-05']) {
      const check = older.checks.find((c) => c.id === id)!;
      expect(check.status, id).toBe('unknown');
      expect(check.evidence.map((e) => e.object)).toContain('snapshot kubernetes.adminNetworkPolicies');
    }
    expect(older.checks.find((c) => c.id === 'CAL-POL-06')!.status).toBe('pass');
    const others = (a: typeof older) => a.checks.filter((c) => c.area !== 'POL').map((c) => [c.id, c.status]);
    expect(others(older)).toEqual(others(current));
    expect(older.facts.policy.reach).toBeNull();
  });

  it('judge policy when Calico enforces no admin policy (no admin tiers): the missing lists are not needed', () => {
    const document = sampleDocument('reference-crosssubnet');
    delete document.kubernetes.adminNetworkPolicies;
    delete document.kubernetes.baselineAdminNetworkPolicies;
    document.calico.tiers = (document.calico.tiers ?? []).filter((t) => t.metadata?.name === 'default');
    const checks = assess(validateSnapshot(document, 'no admin tiers')).checks.filter((c) => c.area === 'POL');
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['CAL-POL-01', 'pass'],
      ['CAL-POL-02', 'pass'],
      ['CAL-POL-03', 'pass'],
      ['CAL-POL-04', 'pass'],
      ['CAL-POL-05', 'pass'],
      ['CAL-POL-06', 'pass'],
    ]);
  });

  it('leave service-account and named-port matches unknown when pods carry neither', () => {
    const spec: WorldSpec = {
      pods: { 'a/web': { ports: [{ name: 'http', containerPort: 8080 }] }, 'b/api': {} },
      globalPolicies: [
        ['by-account', { order: 1, selector: "projectcalico.org/namespace == 'a'", serviceAccountSelector: "projectcalico.org/name == 'default'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } }] }],
      ],
      patch: (document) => {
        withoutPodIdentity(document);
      },
    };
    const analysis = reachAnalysis(normalize(worldSnapshot(spec)))!;
    const web = analysis.cluster.byNamespace.get('a')![0]!;
    const api = analysis.cluster.byNamespace.get('b')![0]!;
    expect(web.serviceAccount).toBeNull();
    expect(web.namedPorts).toBeNull();
    expect(analysis.flow(api, web, 'TCP', 8080).verdict).toBe('unknown');
    // With the fields kept, the same question has an answer.
    const known = world({ ...spec, patch: undefined });
    expect(known.flow('b/api', 'a/web', '8080/tcp').verdict).toBe('allowed');
    expect(known.flow('b/api', 'a/web', '9090/tcp').verdict).toBe('denied');
  });
});
