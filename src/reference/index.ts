/** Reference data the rules read: one JSON file per table, each with its source and date. */
import awsNetwork from './aws-network.json' with { type: 'json' };
import calicoDefaults from './calico-defaults.json' with { type: 'json' };
import calicoReleases from './calico-releases.json' with { type: 'json' };
import eksVersions from './eks-versions.json' with { type: 'json' };
import ec2InstanceSizes from './ec2-instance-sizes.json' with { type: 'json' };

export { awsNetwork, calicoDefaults, calicoReleases, ec2InstanceSizes, eksVersions };

/**
 * The fewest vCPUs an instance of this size (`large`, `4xlarge`) or type (`m5.large`) can have,
 * or null when the size is not one the table knows.
 */
export function minimumVcpus(sizeOrType: string): number | null {
  const size = sizeOrType.includes('.') ? sizeOrType.slice(sizeOrType.indexOf('.') + 1) : sizeOrType;
  const known = (ec2InstanceSizes.vcpuBySize as Record<string, number>)[size];
  if (known !== undefined) return known;
  const multiple = /^(\d+)xlarge$/.exec(size);
  return multiple ? 4 * Number(multiple[1]) : null;
}

/** System namespaces: excluded from the workload-namespace checks. */
export function isSystemNamespace(name: string): boolean {
  return (
    calicoDefaults.systemNamespaces.includes(name) || calicoDefaults.systemNamespacePrefixes.some((prefix) => name.startsWith(prefix))
  );
}

/** `m5.xlarge` → true: the instance type's family supports 9001-byte frames inside a VPC. */
export function supportsJumboFrames(instanceType: string): boolean {
  const family = instanceType.split('.')[0] ?? '';
  return !awsNetwork.familiesWithoutJumboFrames.includes(family);
}

/** `v3.29.1` → `3.29`, `1.31` → `1.31`: the `major.minor` a version text names, or `null`. */
export function minorOf(version: string): string | null {
  const match = /(\d+)\.(\d+)/.exec(version);
  return match ? `${Number(match[1])}.${Number(match[2])}` : null;
}

/** Orders `major.minor` versions numerically: `1.9` before `1.10`. */
export function compareMinor(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

export type CalicoRelease = (typeof calicoReleases.releases)[number];
export type EksVersion = (typeof eksVersions.versions)[number];

/** The reference entry for a Calico minor release (`3.29`), if the table lists it. */
export const calicoReleaseFor = (minor: string): CalicoRelease | undefined => calicoReleases.releases.find((r) => r.minor === minor);

/** The EKS release calendar entry for a Kubernetes minor version (`1.31`), if the table lists it. */
export const eksVersionFor = (minor: string): EksVersion | undefined => eksVersions.versions.find((v) => v.minor === minor);
