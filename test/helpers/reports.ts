/** Shared by the report tests: the sample fleet assessed once, and a hostile variant of a sample. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { assess, type Assessment } from '../../src/assess/assess.js';
import { AUDITOR } from '../../src/fleet/auditor.js';
import { SAMPLE_FLEET_DIR } from '../../src/samples/index.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { sampleDocument } from './fixtures.js';

/** The sample fleet's cluster names, sorted. */
export const SAMPLE_NAMES: string[] = readdirSync(SAMPLE_FLEET_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.basename(f, '.json'))
  .sort();

const cache = new Map<string, Assessment>();

/** A sample's assessment (shared; treat as read-only). */
export function sampleAssessment(name: string): Assessment {
  let assessment = cache.get(name);
  if (!assessment) {
    assessment = assess(sampleSnapshot(name), { auditor: AUDITOR });
    cache.set(name, assessment);
  }
  return assessment;
}

export const sampleSnapshot = (name: string): Snapshot => sampleDocument(name);

/** Values an attacker who controls a tag, label or name would try. */
export const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](http://evil.example)',
  '{{constructor}}',
  '```\nrm -rf /\n```',
  '`whoami`',
] as const;
export const HOSTILE_TEXT = HOSTILE.join(' ');

/**
 * enterprise-vxlan with hostile strings in instance Name tags, security-group names and
 * descriptions, node labels and annotations, policy names and namespace names. (The sample has
 * every list and object touched here: the `!`s hold for it.)
 */
export function hostileSnapshot(): Snapshot {
  const doc = sampleDocument('enterprise-vxlan');
  const evil = (i: number) => `${HOSTILE[i % HOSTILE.length]} ${HOSTILE_TEXT}`;
  doc.aws.instances!.forEach((instance, i) => {
    instance.Tags = [...(instance.Tags ?? []).filter((t) => t.Key !== 'Name'), { Key: 'Name', Value: evil(i) }];
  });
  doc.aws.securityGroups!.forEach((group, i) => {
    group.GroupName = evil(i + 1);
    group.Description = evil(i + 2);
  });
  doc.kubernetes.nodes!.forEach((node, i) => {
    const metadata = node.metadata!;
    metadata.labels!['eks.amazonaws.com/nodegroup'] = evil(i + 3);
    metadata.labels!['evil/label'] = 'x';
    metadata.annotations = { ...metadata.annotations, 'projectcalico.org/IPv4VXLANTunnelAddr': evil(i + 4) };
  });
  const renamed = new Map<string, string>();
  doc.kubernetes.namespaces!.forEach((ns, i) => {
    const metadata = ns.metadata!;
    const original = metadata.name!;
    if (original.startsWith('kube-') || original.startsWith('calico') || original.startsWith('tigera')) return;
    const name = `${HOSTILE[i % HOSTILE.length]}-${original}`;
    renamed.set(original, name);
    metadata.name = name;
    metadata.labels = { ...metadata.labels, 'kubernetes.io/metadata.name': name };
  });
  for (const list of [doc.kubernetes.pods, doc.kubernetes.networkPolicies, doc.calico.networkPolicies]) {
    for (const item of list ?? []) {
      const namespace = item.metadata?.namespace;
      const renamedTo = namespace === undefined ? undefined : renamed.get(namespace);
      if (renamedTo) item.metadata!.namespace = renamedTo;
    }
  }
  doc.calico.globalNetworkPolicies!.forEach((policy, i) => {
    const metadata = policy.metadata!;
    metadata.name = `${metadata.name}${HOSTILE[i % HOSTILE.length]}`;
  });
  return validateSnapshot(doc, 'hostile enterprise-vxlan');
}

/** Every IPv4 address, CIDR and 12-digit account id written anywhere in a text. */
export function sensitiveValues(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![\w]|\.\d)/g)) found.add(m[0]);
  for (const m of text.matchAll(/(?<!\d)\d{12}(?!\d)/g)) found.add(m[0]);
  for (const m of text.matchAll(/\bip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\b/g)) found.add(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`);
  return [...found];
}
