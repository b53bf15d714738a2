/**
 * CAL-DS-01 — Calico stores its data through the Kubernetes API, not in its own etcd.
 *
 * Seed 002 "Use the Kubernetes datastore": "In almost all cases, it's preferable to use the
 * Kubernetes datastore instead of etcd … the etcd mode incurs an unnecessary cost of administering
 * a second etcd cluster. It also requires the implementation of authentication and authorization
 * controls", where the Kubernetes datastore is governed by Kubernetes RBAC.
 */
import { cmd, comment, note, value, word } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import { SNAPSHOT_SOURCES } from '../../../snapshot/sources.js';
import { calicoPresent } from '../applies.js';

export default defineRule({
  id: 'CAL-DS-01',
  title: 'Calico uses the Kubernetes API datastore',
  problem: 'Calico uses etcd, not the Kubernetes API datastore',
  why: 'etcd is a second datastore to run, secure and back up',
  area: 'DS',
  severities: ['medium'],
  seed: '002 "Use the Kubernetes datastore"',
  appliesWhen: calicoPresent,
  evaluate({ model, facts, need }) {
    const datastore = need(facts.datastore.type, 'kubernetes.daemonSets', 'kubernetes.configMaps', 'calico.installation');
    const source = facts.datastore.source ?? 'install defaults';
    const calicoNode = model.components?.calicoNode ?? null;
    if (datastore === 'kubernetes') {
      return {
        status: 'pass',
        summary: `Calico stores its data as Kubernetes custom resources (${source}).`,
        evidence: [{ object: 'Calico install', field: 'datastore', value: 'kubernetes', note: source }],
      };
    }
    // etcd inferred only from calico-node's built-in default: the calico-config ConfigMap that
    // could name the datastore was not read, so the verdict would rest on data we lack.
    const fromDefault = calicoNode !== null && calicoNode.env['DATASTORE_TYPE'] === undefined && !source.startsWith('calico-config');
    if (fromDefault && model.errors.some((e) => e.source === SNAPSHOT_SOURCES['kubernetes.configMaps'])) {
      need(null, 'kubernetes.configMaps');
    }
    const evidence: Evidence[] = [{ object: 'Calico install', field: 'datastore', value: 'etcd', note: source }];
    if (calicoNode) {
      evidence.push({
        object: `DaemonSet ${calicoNode.namespace}/${calicoNode.name}`,
        field: 'env.DATASTORE_TYPE',
        value: calicoNode.env['DATASTORE_TYPE'] ?? null,
      });
    }
    const namespace = value(calicoNode?.namespace ?? 'kube-system', 'namespace');
    const kubernetesDatastore = [['DATASTORE_TYPE', 'kubernetes']] as const;
    return {
      status: 'fail',
      severity: 'medium',
      summary: `Calico keeps its configuration, IPAM and policy in a separate etcd cluster (${source}): a second datastore to run, back up and secure outside Kubernetes RBAC.`,
      evidence,
      remediation: [
        note('Migrate on a live cluster, in a maintenance window (Calico docs: "Migrate Calico data from an etcdv3 datastore to a Kubernetes datastore").'),
        note('1. calicoctl pointed at etcd (DATASTORE_TYPE=etcdv3, ETCD_ENDPOINTS=…): freeze and export'),
        cmd('calicoctl', 'datastore', 'migrate', 'lock'),
        { ...cmd('calicoctl', 'datastore', 'migrate', 'export'), output: 'calico-etcd-data.yaml' },
        note('2. install the Calico CRDs of your Calico version, then import through the Kubernetes API'),
        { ...cmd('calicoctl', 'datastore', 'migrate', 'import', '-f', 'calico-etcd-data.yaml'), env: kubernetesDatastore },
        comment`3. re-deploy calico-node and calico-kube-controllers (namespace ${word(namespace)}) with DATASTORE_TYPE=kubernetes`,
        note('   and "datastore_type": "kubernetes" in the calico-config cni_network_config, then release the lock'),
        { ...cmd('calicoctl', 'datastore', 'migrate', 'unlock'), env: kubernetesDatastore },
      ],
    };
  },
});
