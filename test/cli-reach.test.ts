/** `calico-audit reach` and `calico-audit what-if` through the CLI: verdicts, traces, exit codes and one-line errors. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { jsonCopy, ROOT } from './helpers/fixtures.js';
import { worldSnapshot } from './helpers/policy-world.js';
import { runCli, sampleFile, scratchFolder } from './helpers/cli.js';

const { dir, write } = scratchFolder('calico-audit-reach-');
const sample = sampleFile;
const run = runCli;

/** A cluster where DNS to CoreDNS is allowed on UDP only, and an L7 rule guards orders. */
const WORLD = write(
  'world.json',
  JSON.stringify(
    worldSnapshot({
      pods: { 'payments/api': {}, 'orders/api': {}, 'kube-system/coredns': { labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] } },
      dnsPods: ['kube-system/coredns'],
      globalPolicies: [
        ['dns', { order: 100, selector: "projectcalico.org/namespace == 'payments'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }] }],
        ['orders-l7', { order: 200, selector: "projectcalico.org/namespace == 'orders'", types: ['Ingress'], ingress: [{ action: 'Allow', http: { methods: ['GET'] } }] }],
      ],
    }),
  ),
);

describe('calico-audit reach', () => {
  it('exits 0 on an allowed flow and prints the trace of both sides', async () => {
    const { code, stdout, stderr } = await run('reach', '--snapshot', WORLD, '--from', 'payments', '--to', 'kube-system/k8s-app=kube-dns', '--port', '53/udp');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain("payments → kube-system (k8s-app == 'kube-dns') on UDP 53: allowed");
    expect(stdout).toContain('egress of payments/api: allowed');
    expect(stdout).toContain('tier default: default.dns rule 1 matches: Allow');
    expect(stdout).toContain('ingress of kube-system/coredns: allowed');
    expect(stdout).toContain('no policy selects it: the namespace profile allows');
  });

  it('exits 1 on a denied flow, naming the tier end that refused it', async () => {
    const { code, stdout } = await run('reach', '--snapshot', WORLD, '--from', 'payments', '--to', 'kube-system', '--port', '53/tcp');
    expect(code).toBe(1);
    expect(stdout).toContain('on TCP 53: denied');
    expect(stdout).toContain('tier default: no rule of default.dns matched: end of tier, Deny');
  });

  it('exits 3 when the snapshot cannot decide (an L7 rule), never calling it allowed', async () => {
    const { code, stdout } = await run('reach', '--snapshot', WORLD, '--from', 'kube-system', '--to', 'orders', '--port', '8080');
    expect(code).toBe(3);
    expect(stdout).toContain('on TCP 8080: unknown');
    expect(stdout).toContain('may match: Allow (an L7 (http) match the snapshot cannot decide)');
  });

  it('exits 4 when some ports pass and others do not, listing each', async () => {
    const { code, stdout } = await run('reach', '--snapshot', WORLD, '--from', 'payments', '--to', 'kube-system');
    expect(code).toBe(4);
    expect(stdout).toContain('every TCP and UDP port: partly');
    expect(stdout).toContain('allowed on UDP 53');
    expect(stdout).toMatch(/denied on TCP \(any port\), UDP 1-52, UDP 54-65535/);
  });

  it('judges a flow to an address on the source side only', async () => {
    const { code, stdout } = await run('reach', '--snapshot', sample('reference-crosssubnet'), '--from', 'payments', '--to', '192.0.2.10', '--port', '443/tcp');
    expect(code).toBe(1);
    expect(stdout).toContain('only the source\'s egress applies');
    expect(stdout).toContain('default.global-deny-all matched: end of tier, Deny');
  });

  it('judges a pod that does not run yet when the namespace has none', async () => {
    const { code, stdout } = await run('reach', '--snapshot', sample('reference-crosssubnet'), '--from', 'billing/app=invoices', '--to', 'kube-system/k8s-app=kube-dns', '--port', '53/udp');
    expect(code).toBe(0);
    expect(stdout).toContain('judged for a new pod there labelled app=invoices');
  });

  it('prints JSON with --format json', async () => {
    const { code, stdout } = await run('reach', '--snapshot', WORLD, '--from', 'payments', '--to', 'kube-system', '--port', '53/udp', '--format', 'json');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as { reach: string; pairs: Array<{ traces: Array<{ egress: { sentence: string } }> }> };
    expect(answer.reach).toBe('allowed');
    expect(answer.pairs[0]?.traces[0]?.egress.sentence).toContain('default.dns, rule 1');
  });

  it.each([
    [['--from', 'payments', '--to', 'kube-system', '--port', '99999'], '--port must be PORT'],
    [['--from', 'payments', '--to', 'kube-system', '--port', '53/icmp'], '--port must be PORT'],
    [['--from', 'Not_A_Namespace', '--to', 'kube-system'], '--from must be NAMESPACE'],
    [['--from', 'payments', '--to', 'kube-system/app =='], '--to: expected string'],
    [['--from', '10.0.0.1', '--to', '10.0.0.2'], 'cannot both be addresses'],
    [['--from', 'payments/app in {x', '--to', 'kube-system'], '--from:'],
    [['--from', 'payments/app=nope || x', '--to', 'kube-system'], '--from:'],
  ])('exits 2 with one line on %j', async (args, message) => {
    const { code, stdout, stderr } = await run('reach', '--snapshot', WORLD, ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });

  it('exits 2 with one line when the snapshot lacks the policy lists', async () => {
    const old = jsonCopy(worldSnapshot({ pods: { 'a/x': {} } }));
    old.calico.globalNetworkPolicies = null;
    const { code, stderr } = await run('reach', '--snapshot', write('no-policies.json', JSON.stringify(old)), '--from', 'a', '--to', 'a');
    expect(code).toBe(2);
    expect(stderr).toBe('calico-audit: the snapshot lacks policy lists (calico.globalNetworkPolicies): reachability cannot be judged\n');
  });

  it('exits 2 without --from', async () => {
    const { code, stderr } = await run('reach', '--snapshot', WORLD, '--to', 'a');
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--from <from>' not specified");
  });
});

describe('calico-audit what-if', () => {
  const dnsPolicy = write(
    'allow-dns.yaml',
    [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: allow-dns',
      '  namespace: platform',
      'spec:',
      '  podSelector: {}',
      '  policyTypes: [Egress]',
      '  egress:',
      '    - to:',
      '        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}',
      '          podSelector: {matchLabels: {k8s-app: kube-dns}}',
      '      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]',
    ].join('\n'),
  );

  it('applies a policy and prints the rules and flows that change, and the score before and after', async () => {
    const { code, stdout, stderr } = await run('what-if', '--snapshot', sample('mesh-120-no-typha'), '--apply', dnsPolicy);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('created NetworkPolicy platform/allow-dns');
    expect(stdout).toMatch(/Score: \d+ \([A-F]\) → \d+ \([A-F]\)/);
    expect(stdout).toContain('CAL-POL-04 Under a default deny, DNS works end to end from every workload namespace: fail (high) → pass');
    expect(stdout).toContain('platform DNS: denied → allowed');
  });

  it('deletes a policy and promotes the staged ones, reporting what changes (JSON)', async () => {
    const { code, stdout } = await run('what-if', '--snapshot', sample('enterprise-vxlan'), '--staged', '--delete', 'globalnetworkpolicy/default-allow-all', '--format', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { changes: string[]; checks: Array<{ id: string }>; flows: unknown[]; newNamespace: { after: string } };
    expect(report.changes).toEqual(['promoted StagedGlobalNetworkPolicy default-deny: created GlobalNetworkPolicy default-deny', 'deleted GlobalNetworkPolicy default-allow-all']);
    expect(report.checks.find((c: { id: string }) => c.id === 'CAL-POL-01')).toMatchObject({ before: 'fail (high)', after: 'pass' });
    expect(report.flows.length).toBeGreaterThan(10);
    expect(report.newNamespace.after).toContain('ingress denied by default.default-deny');
  });

  it('replaces a policy of the same name rather than adding a second', async () => {
    const file = write(
      'replace.yaml',
      ['apiVersion: crd.projectcalico.org/v1', 'kind: GlobalNetworkPolicy', 'metadata: {name: default.global-deny-all}', 'spec: {order: 2000, selector: all(), types: [Ingress, Egress]}'].join('\n'),
    );
    const { code, stdout } = await run('what-if', '--snapshot', sample('reference-crosssubnet'), '--apply', file);
    expect(code).toBe(0);
    expect(stdout).toContain('replaced GlobalNetworkPolicy default.global-deny-all');
    expect(stdout).toContain('CAL-POL-04');
    expect(stdout).toMatch(/catalog DNS: allowed → denied/);
  });

  it.each([
    ['invalid YAML', () => write('bad.yaml', 'kind: [\n'), 'not valid YAML (line 2, column 1)'],
    ['an unknown kind', () => write('pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n'), 'document 1: unknown kind Pod (v1)'],
    ['an object without a name', () => write('noname.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {}\nspec: {}\n'), 'has no metadata.name'],
    ['a missing file', () => path.join(dir, 'nope.yaml'), 'no such file'],
  ])('exits 2 with one line on %s', async (_label, file, message) => {
    const { code, stdout, stderr } = await run('what-if', '--snapshot', sample('reference-crosssubnet'), '--apply', file());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });

  it.each([
    [['--delete', 'globalnetworkpolicy/nope'], 'the snapshot holds no such object'],
    [['--delete', 'widget/x'], 'unknown kind widget'],
    [['--delete', 'just-a-name'], '--delete must be KIND/NAME'],
    [[], 'what-if needs --apply FILE, --delete KIND/NAME or --staged'],
  ])('exits 2 with one line on %j', async (args, message) => {
    const { code, stderr } = await run('what-if', '--snapshot', sample('reference-crosssubnet'), ...args);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(message);
  });

  it('runs from the compiled CLI and exits with the verdict', async () => {
    const result = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/calico-audit.js'), 'reach', '--snapshot', WORLD, '--from', 'payments', '--to', 'kube-system', '--port', '53/udp']);
    expect(result.stdout).toContain('on UDP 53: allowed');
    const denied = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/calico-audit.js'), 'reach', '--snapshot', WORLD, '--from', 'payments', '--to', 'kube-system', '--port', '53/tcp']).catch((e: { code: number }) => e);
    expect((denied as { code: number }).code).toBe(1);
  });
});
