/**
 * The native-routing sample cluster as it changes from run to run, for the ledger, diff, Security
 * Hub and event tests: collected at a given time, with the EC2 source/destination check turned off
 * on some nodes (their CAL-AWS-01 findings resolve), and optionally a new namespace `reporting` whose
 * pods no policy selects (a new CAL-POL-03 finding).
 */
import type { Snapshot } from '../../src/snapshot/schema.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import { sampleDocument } from '../helpers/fixtures.js';

export const NATIVE_TARGET = { accountId: '111122223333', region: 'eu-west-2', clusterName: 'native-multisubnet-srcdst' };
export const NATIVE = '111122223333/eu-west-2/native-multisubnet-srcdst';
/** The sample's nodes, by the short form of their names. */
export const NATIVE_NODES = ['ip-10-2-11-8', 'ip-10-2-18-77', 'ip-10-2-25-190', 'ip-10-2-3-41', 'ip-10-2-36-14'];

export interface NativeChanges {
  /** ISO time of collection. */
  at?: string;
  /** Nodes (short names) whose src/dst check is off. */
  fixed?: readonly string[];
  /** Add the namespace `reporting`, with one pod and no policy. */
  reporting?: boolean;
}

export function nativeSnapshot(changes: NativeChanges = {}): Snapshot {
  const snapshot = structuredClone(validateSnapshot(sampleDocument('native-multisubnet-srcdst'), 'native-multisubnet-srcdst'));
  if (changes.at) snapshot.collectedAt = changes.at;
  for (const instance of snapshot.aws.instances ?? []) {
    if (changes.fixed?.includes(instance.PrivateDnsName?.split('.')[0] ?? '')) instance['SourceDestCheck'] = false;
  }
  if (changes.reporting) {
    const pods = snapshot.kubernetes.pods ?? [];
    const pod = structuredClone(pods.find((p) => p.metadata?.namespace === 'batch')!);
    pod.metadata = { ...pod.metadata, name: 'report-builder-0', namespace: 'reporting', ownerReferences: [] };
    pods.push(pod);
    const namespaces = snapshot.kubernetes.namespaces ?? [];
    const namespace = structuredClone(namespaces.find((n) => n.metadata?.name === 'batch')!);
    namespace.metadata = { ...namespace.metadata, name: 'reporting', labels: { 'kubernetes.io/metadata.name': 'reporting' } };
    namespaces.push(namespace);
  }
  return snapshot;
}

export function referenceSnapshot(at?: string): Snapshot {
  const snapshot = structuredClone(validateSnapshot(sampleDocument('reference-crosssubnet'), 'reference-crosssubnet'));
  if (at) snapshot.collectedAt = at;
  return snapshot;
}
