/**
 * EKS-03 — Secrets are envelope-encrypted with a KMS key the account controls.
 *
 * No seed passage: `encryptionConfig` with `resources: ["secrets"]` and a `provider.keyArn` puts
 * Secrets under a customer-managed KMS key, whose key policy, rotation and CloudTrail record the
 * account owns. EKS's default encryption (Kubernetes 1.28 and later) uses an AWS-owned key instead.
 */
import { compareMinor, minorOf } from '../../../reference/index.js';
import { capture, cmd, joined, json, note, pipeline, value } from '../../remediation.js';
import { defineRule } from '../../rule.js';

export default defineRule({
  id: 'EKS-03',
  title: 'Secrets are envelope-encrypted with KMS',
  problem: 'Secrets are not envelope-encrypted with KMS',
  why: 'Secrets lack a second layer of encryption under a key you control',
  area: 'EKS',
  severities: ['medium'],
  seed: '— (security review)',
  appliesWhen: () => true,
  evaluate({ model, facts, need }) {
    const cluster = need(model.eks, 'aws.cluster');
    // DescribeCluster omits encryptionConfig when none is set: absent means not configured.
    const configs = cluster.encryptionConfig ?? [];
    const object = `eks:Cluster ${cluster.name ?? facts.cluster.name}`;
    const secrets = configs.find((c) => c.resources?.includes('secrets') && c.provider?.keyArn);
    if (secrets) {
      return {
        status: 'pass',
        summary: `Secrets are envelope-encrypted with the KMS key ${secrets.provider!.keyArn}.`,
        evidence: [{ object, field: 'encryptionConfig[].provider.keyArn', value: secrets.provider!.keyArn, note: 'resources: secrets' }],
      };
    }
    const { region, accountId } = facts.cluster;
    const version = cluster.version ?? facts.cluster.kubernetesVersion;
    const minor = version ? minorOf(version) : null;
    const fallback =
      minor === null
        ? 'at most EKS default encryption with an AWS-owned key applies (Kubernetes 1.28 and later)'
        : compareMinor(minor, '1.28') >= 0
          ? `on Kubernetes ${minor} EKS encrypts them with an AWS-owned key, whose use the account can neither audit nor revoke`
          : `on Kubernetes ${minor} they are protected only by the encryption of etcd's volumes`;
    return {
      status: 'fail',
      severity: 'medium',
      summary: `Secrets are not envelope-encrypted with a customer-managed KMS key (no encryptionConfig for secrets): ${fallback}.`,
      evidence: [{ object, field: 'encryptionConfig', value: configs.length ? configs : null, note: configs.length ? 'no entry covers secrets with a provider keyArn' : 'not set' }],
      remediation: [
        note("Irreversible: once on, envelope encryption cannot be turned off. Use a symmetric KMS key in the cluster's region."),
        cmd(
          'aws', 'eks', 'associate-encryption-config', '--region', value(region, 'region'), '--cluster-name', value(cluster.name ?? facts.cluster.name, 'cluster name'),
          '--encryption-config', json([{ resources: ['secrets'], provider: { keyArn: `arn:aws:kms:${region}:${accountId}:key/KEY-ID` } }]),
        ),
        note('then, once the association is ACTIVE, rewrite the Secrets that already exist so they are encrypted with the key:'),
        pipeline(
          cmd('kubectl', 'get', 'secrets', '--all-namespaces', '-o', 'json'),
          cmd('kubectl', 'annotate', '--overwrite', '-f', '-', joined('kms-encryption-timestamp=', capture(cmd('date', '+%s')))),
        ),
      ],
    };
  },
});
