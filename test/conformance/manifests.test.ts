/**
 * Install detection on objects the Calico project wrote (the corpus's manifests/ and operator/):
 * a normaliser that misreads them is wrong, whatever our own fixtures say.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/assess/normalize/index.js';
import { validateSnapshot } from '../../src/snapshot/load.js';
import type { KubeObject } from '../../src/snapshot/schema.js';
import { emptySnapshot } from '../helpers/minimal-snapshot.js';
import { corpusDir } from './corpus.js';

const CORPUS = corpusDir();

/** The Kubernetes objects of a YAML file (empty documents left out). */
const documents = (file: string): KubeObject[] =>
  parseAllDocuments(readFileSync(path.join(CORPUS, file), 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => Boolean(d));

/** An object's spec, as an object to extend. */
const specOf = (o: KubeObject): Record<string, unknown> => (typeof o.spec === 'object' && o.spec !== null ? { ...o.spec } : {});

/** A snapshot holding a manifest's workloads and ConfigMap as the API server would serve them. */
function fromManifest(file: string, extraDaemonSets: KubeObject[] = []) {
  const objects = documents(path.join('manifests', file));
  const inNamespace = (o: KubeObject) => ({ ...o, metadata: { namespace: 'kube-system', ...o.metadata } });
  const snapshot = emptySnapshot({ clusterName: file });
  snapshot.kubernetes.daemonSets = [...objects.filter((o) => o.kind === 'DaemonSet').map(inNamespace), ...extraDaemonSets];
  snapshot.kubernetes.deployments = objects.filter((o) => o.kind === 'Deployment').map(inNamespace);
  snapshot.kubernetes.podDisruptionBudgets = objects.filter((o) => o.kind === 'PodDisruptionBudget').map(inNamespace);
  snapshot.kubernetes.configMaps = objects.filter((o) => o.kind === 'ConfigMap').map(inNamespace);
  snapshot.calico.apiGroup = 'crd.projectcalico.org/v1';
  return normalize(validateSnapshot(snapshot, file));
}

const awsNode = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'aws-node', namespace: 'kube-system' }, spec: {} };

describe('manifest installs (the Calico project manifests)', () => {
  it('reads calico.yaml as Calico CNI with BGP (bird), the Kubernetes datastore, no Typha, MTU auto-detected', () => {
    const { install, components } = fromManifest('calico.yaml');
    expect(install).toMatchObject({
      presence: 'present',
      method: 'manifest',
      cni: 'Calico',
      bgpEnabled: true,
      datastore: 'kubernetes',
      typhaConfigured: false,
      mtu: 0,
    });
    expect(install.version).toMatch(/^v3\.31\./);
    expect(components?.calicoNode?.env['CALICO_NETWORKING_BACKEND']).toBe('bird');
    expect(components?.calicoNode?.probes).toContain('-bird-ready');
    expect(components?.typha).toBeNull();
  });

  it('reads calico-vxlan.yaml as Calico CNI with BGP off (vxlan backend)', () => {
    const { install, components } = fromManifest('calico-vxlan.yaml');
    expect(install).toMatchObject({ method: 'manifest', cni: 'Calico', bgpEnabled: false, datastore: 'kubernetes', typhaConfigured: false });
    expect(components?.calicoNode?.probes).not.toContain('-bird-ready');
  });

  it('reads calico-typha.yaml with Typha configured, its Deployment and its PodDisruptionBudget', () => {
    const { install, components } = fromManifest('calico-typha.yaml');
    expect(install).toMatchObject({ method: 'manifest', cni: 'Calico', bgpEnabled: true, typhaConfigured: true });
    expect(components?.typha?.name).toBe('calico-typha');
    expect(components?.typhaPdb).toMatchObject({ kind: 'PodDisruptionBudget', name: 'calico-typha' });
  });

  it('reads calico-policy-only.yaml as policy only: no BIRD, and AWS VPC CNI when aws-node runs', () => {
    expect(fromManifest('calico-policy-only.yaml').install).toMatchObject({ cni: 'other', bgpEnabled: false, typhaConfigured: true });
    expect(fromManifest('calico-policy-only.yaml', [awsNode]).install).toMatchObject({ cni: 'AmazonVPC', bgpEnabled: false });
  });
});

describe('operator installs (the Calico project Installation)', () => {
  const installation = documents('operator/custom-resources.yaml').find((d) => d.kind === 'Installation');

  it('reads custom-resources.yaml as an operator install on the Kubernetes datastore with Calico CNI and BGP', () => {
    const snapshot = emptySnapshot();
    snapshot.calico.apiGroup = 'projectcalico.org/v3';
    snapshot.calico.installation = installation;
    const { install } = normalize(validateSnapshot(snapshot, 'custom-resources.yaml'));
    expect(install).toMatchObject({ presence: 'present', method: 'operator', datastore: 'kubernetes', cni: 'Calico', bgpEnabled: true, typhaConfigured: true });
  });

  it('on EKS the operator defaults to the AWS VPC CNI with BGP off', () => {
    const snapshot = emptySnapshot();
    snapshot.calico.apiGroup = 'projectcalico.org/v3';
    snapshot.calico.installation = { ...installation, spec: { ...specOf(installation!), kubernetesProvider: 'EKS' } };
    const { install } = normalize(validateSnapshot(snapshot, 'custom-resources.yaml'));
    expect(install).toMatchObject({ method: 'operator', cni: 'AmazonVPC', bgpEnabled: false });
  });
});
