/**
 * CAL-DS-05 — Calico is a supported release, tested with the cluster's Kubernetes version.
 *
 * Seed 001's report opens with the version: "Calico Version: v3.29.1 (Client: v3.29.3)". Calico
 * publishes, per minor release, the Kubernetes versions it was tested with; an end-of-life release
 * gets no fixes, and a Kubernetes version outside the tested range is untested ground for the CNI.
 * The table lives in src/reference/calico-releases.json.
 */
import { calicoReleaseFor, calicoReleases, compareMinor, minorOf, type CalicoRelease } from '../../../reference/index.js';
import { SNAPSHOT_SOURCES } from '../../../snapshot/sources.js';
import { assign, capture, cmd, comment, joined, pipeline, value, variable, type Remediation } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import type { Facts } from '../../facts.js';
import { calicoPresent } from '../applies.js';
import { calicoManifestFile } from '../configuration.js';

const { releases } = calicoReleases;
const oldest = releases[0]!;
const newest = releases[releases.length - 1]!;

const testedWith = (release: CalicoRelease, kubernetes: string) =>
  compareMinor(kubernetes, release.kubernetes[0]!) >= 0 && compareMinor(kubernetes, release.kubernetes[1]!) <= 0;

/** The newest supported Calico minor tested with this Kubernetes minor, if any. */
const releaseFor = (kubernetes: string): CalicoRelease | undefined =>
  [...releases].reverse().find((r) => !r.endOfLife && testedWith(r, kubernetes));

/** The manifest of the chosen release, by the `CALICO_VERSION` the commands before it set. */
const manifestUrl = (file: string) => joined('https://raw.githubusercontent.com/projectcalico/calico/', variable('CALICO_VERSION'), `/manifests/${file}`);

function upgradeCommands(facts: Facts, target: string): Remediation {
  if (facts.calico.variant === 'Calico Enterprise') {
    return [
      comment`Calico Enterprise: upgrade to the Enterprise release built on Calico ${target}, following "Upgrade Calico Enterprise"`,
      comment`(docs.tigera.io/calico-enterprise) with the tigera-operator manifest and custom resources of that release.`,
    ];
  }
  const pick = assign(
    'CALICO_VERSION',
    capture(
      pipeline(
        cmd('curl', '-fsSL', 'https://api.github.com/repos/projectcalico/calico/releases'),
        cmd('jq', '-r', `[.[] | select(.prerelease | not) | .tag_name | select(startswith("v${target}."))][0]`),
      ),
    ),
  );
  const path = comment`Check the release notes for the upgrade path from ${facts.calico.version ?? 'your version'}.`;
  if (facts.calico.method === 'operator') {
    return [
      comment`Upgrade to the latest Calico ${target} patch: the operator then upgrades every Calico component.`,
      path,
      pick,
      cmd('kubectl', 'apply', '--server-side', '--force-conflicts', '-f', manifestUrl('tigera-operator.yaml')),
    ];
  }
  const manifest = calicoManifestFile(facts);
  return [
    comment`Upgrade to the latest Calico ${target} patch from ${manifest}, the manifest this install matches; carry your own changes over before applying.`,
    path,
    pick,
    cmd('curl', '-fsSLO', manifestUrl(manifest)),
    cmd('kubectl', 'apply', '--server-side', '--force-conflicts', '-f', manifest),
  ];
}

export default defineRule({
  id: 'CAL-DS-05',
  title: 'The Calico version is supported and supports the Kubernetes version',
  problem: 'The Calico version is unsupported or does not support the Kubernetes version',
  why: 'an unsupported release gets no fixes, and an untested pairing can break',
  deadline: true,
  area: 'DS',
  severities: ['medium'],
  seed: '001 version header ("Calico Version: v3.29.1")',
  appliesWhen: calicoPresent,
  evaluate({ model, facts, need }) {
    if (!facts.calico.version) {
      // Name only the sources that failed; a source that was read but carries no version is said so.
      const sources = (['calico.clusterInformations', 'calico.installation', 'kubernetes.daemonSets'] as const).filter((field) =>
        model.errors.some((e) => e.source === SNAPSHOT_SOURCES[field]),
      );
      if (sources.length) need(null, ...sources);
      return {
        status: 'unknown',
        summary: 'No Calico version is recorded: the ClusterInformation and Installation carry none and the calico-node image has no version tag.',
        evidence: [{ object: 'DaemonSet calico-node', field: 'image', value: model.components?.calicoNode?.image ?? null }],
      };
    }
    const version = facts.calico.version;
    const source = facts.calico.versionSource ?? 'Calico install';
    // Calico Enterprise numbers its own releases (v3.21 is built on open-source 3.30): only the
    // ClusterInformation's calicoVersion carries the open-source version the table lists.
    if (facts.calico.variant === 'Calico Enterprise' && !source.startsWith('ClusterInformation')) {
      if (model.errors.some((e) => e.source === SNAPSHOT_SOURCES['calico.clusterInformations'])) need(null, 'calico.clusterInformations');
      return {
        status: 'unknown',
        summary: `Calico Enterprise ${version} was read from the ${source}, which follows Enterprise numbering; the open-source version that the reference table lists comes from the ClusterInformation, which does not give it.`,
        evidence: [{ object: 'Calico install', field: 'version', value: version, note: source }],
      };
    }
    const minor = minorOf(version);
    if (!minor) {
      return {
        status: 'unknown',
        summary: `The Calico version "${version}" (${source}) does not name a major.minor release.`,
        evidence: [{ object: 'Calico install', field: 'version', value: version, note: source }],
      };
    }
    const versionEvidence: Evidence = { object: 'Calico install', field: 'version', value: version, note: source };
    const kubernetes = facts.cluster.kubernetesVersion ? minorOf(facts.cluster.kubernetesVersion) : null;
    const release = calicoReleaseFor(minor);
    const asOf = `reference table as of ${calicoReleases.asOf}`;

    // End of life (or older than anything the table lists): no fixes whatever Kubernetes runs.
    if (compareMinor(minor, oldest.minor) < 0 || release?.endOfLife) {
      const target = (kubernetes ? releaseFor(kubernetes) : undefined) ?? newest;
      return {
        status: 'fail',
        severity: 'medium',
        summary: `Calico ${version} is end of life${release ? '' : ` (older than ${oldest.minor}, the oldest release in the ${asOf})`}: it receives no security or bug fixes.`,
        evidence: [versionEvidence, { object: 'reference calico-releases', field: minor, value: release ? 'endOfLife: true' : 'not listed (older)', note: asOf }],
        remediation: upgradeCommands(facts, target.minor),
      };
    }

    const k8sVersion = need(kubernetes, 'kubernetes.serverVersion', 'aws.cluster');
    const k8sEvidence: Evidence = { object: 'cluster', field: 'Kubernetes version', value: facts.cluster.kubernetesVersion };
    if (!release) {
      // Newer than the table: a release the table has not caught up with yet.
      return {
        status: 'pass',
        summary: `Calico ${version} is newer than every release in the ${asOf} (newest ${newest.minor}); its tested Kubernetes range is not recorded there, so check Kubernetes ${k8sVersion} against its release notes.`,
        evidence: [versionEvidence, k8sEvidence],
      };
    }
    const [low, high] = release.kubernetes as [string, string];
    const rangeEvidence: Evidence = { object: 'reference calico-releases', field: `${minor}.kubernetes`, value: `${low}-${high}`, note: asOf };
    if (testedWith(release, k8sVersion)) {
      return {
        status: 'pass',
        summary: `Calico ${version} is a supported release and was tested with Kubernetes ${low}-${high}, which includes the cluster's ${k8sVersion}.`,
        evidence: [versionEvidence, k8sEvidence, rangeEvidence],
      };
    }

    const kubernetesNewer = compareMinor(k8sVersion, high) > 0;
    let remediation: Remediation;
    if (kubernetesNewer) {
      const target = releaseFor(k8sVersion);
      remediation = target
        ? upgradeCommands(facts, target.minor)
        : [comment`No release in the ${asOf} was tested with Kubernetes ${k8sVersion}: check the Calico release notes for a newer one.`];
    } else {
      // Calico is ahead of Kubernetes: move Kubernetes up, not Calico down.
      const [major, minorNumber] = k8sVersion.split('.').map(Number);
      const { region, name } = facts.cluster;
      remediation = [
        comment`Upgrade the cluster to Kubernetes ${low} or later, one minor version at a time (control plane, then node groups)`,
        cmd('aws', 'eks', 'update-cluster-version', '--region', value(region, 'region'), '--name', value(name, 'cluster name'), '--kubernetes-version', `${major}.${(minorNumber ?? 0) + 1}`),
      ];
    }
    return {
      status: 'fail',
      severity: 'medium',
      summary: `Calico ${version} was tested with Kubernetes ${low}-${high}, but the cluster runs ${k8sVersion}: ${kubernetesNewer ? 'Calico is older than the Kubernetes it runs on' : 'Kubernetes is older than this Calico release supports'}.`,
      evidence: [versionEvidence, k8sEvidence, rangeEvidence],
      remediation,
    };
  },
});
