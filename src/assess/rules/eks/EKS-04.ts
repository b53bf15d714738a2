/**
 * EKS-04 — the cluster runs a Kubernetes version in EKS standard support.
 *
 * No seed passage: EKS supports each minor version for 14 months, then bills extended support for
 * 12 more and finally upgrades the control plane itself. The calendar lives in
 * src/reference/eks-versions.json; `collectedAt` is "now".
 */
import { compareMinor, eksVersionFor, eksVersions, minorOf } from '../../../reference/index.js';
import { cmd, note, value } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';

const { versions } = eksVersions;
const oldest = versions[0]!;
const newest = versions[versions.length - 1]!;

export default defineRule({
  id: 'EKS-04',
  title: 'The Kubernetes version is in standard support',
  problem: 'The Kubernetes version is past standard support',
  why: 'extended support is billed by the hour and ends in a forced upgrade',
  deadline: true,
  area: 'EKS',
  severities: ['medium'],
  seed: '— (EKS Kubernetes version lifecycle)',
  appliesWhen: () => true,
  evaluate({ model, facts, need }) {
    const cluster = need(model.eks, 'aws.cluster');
    const version = need(cluster.version, 'aws.cluster');
    const minor = minorOf(version);
    const object = `eks:Cluster ${cluster.name ?? facts.cluster.name}`;
    const versionEvidence: Evidence = { object, field: 'version', value: version };
    if (!minor) {
      return { status: 'unknown', summary: `The cluster's version "${version}" does not name a Kubernetes minor version.`, evidence: [versionEvidence] };
    }
    const now = facts.cluster.collectedAt;
    const day = now.slice(0, 10);
    const asOf = `EKS release calendar as of ${eksVersions.asOf}`;
    const entry = eksVersionFor(minor);

    if (!entry && compareMinor(minor, newest.minor) > 0) {
      return {
        status: 'pass',
        summary: `Kubernetes ${minor} is newer than every version in the ${asOf} (newest ${newest.minor}), so it is taken to be in standard support.`,
        evidence: [versionEvidence],
      };
    }
    // ISO dates compare as text; a version older than the table is long out of standard support.
    if (entry && day < entry.endOfStandardSupport) {
      return {
        status: 'pass',
        summary: `Kubernetes ${minor} is in EKS standard support until ${entry.endOfStandardSupport} (collected ${day}).`,
        evidence: [versionEvidence, { object: 'reference eks-versions', field: `${minor}.endOfStandardSupport`, value: entry.endOfStandardSupport, note: asOf }],
      };
    }

    const extended = entry ? day < entry.endOfExtendedSupport : false;
    const state = !entry
      ? `older than ${oldest.minor}, the oldest version in the ${asOf}, and past standard support`
      : extended
        ? `past standard support (ended ${entry.endOfStandardSupport}) and in paid extended support until ${entry.endOfExtendedSupport}`
        : `past extended support (ended ${entry.endOfExtendedSupport}): EKS upgrades such control planes automatically`;
    const [major, minorNumber] = minor.split('.').map(Number);
    const next = `${major}.${(minorNumber ?? 0) + 1}`;
    return {
      status: 'fail',
      severity: 'medium',
      summary: `Kubernetes ${minor} is ${state} (collected ${day}).`,
      evidence: [
        versionEvidence,
        entry
          ? { object: 'reference eks-versions', field: `${minor}.endOfStandardSupport`, value: entry.endOfStandardSupport, note: asOf }
          : { object: 'reference eks-versions', field: minor, value: null, note: `not listed (older than ${oldest.minor}); ${asOf}` },
      ],
      remediation: [
        note('Upgrade one minor version at a time: the control plane, then every node group; check CAL-DS-05 for the Calico release each step needs.'),
        cmd('aws', 'eks', 'update-cluster-version', '--region', value(facts.cluster.region, 'region'), '--name', value(cluster.name ?? facts.cluster.name, 'cluster name'), '--kubernetes-version', next),
      ],
    };
  },
});
