/** Reference data the rules read: one JSON file per table, each with its source and date. */
import awsNetwork from './aws-network.json' with { type: 'json' };
import calicoDefaults from './calico-defaults.json' with { type: 'json' };
import calicoReleases from './calico-releases.json' with { type: 'json' };
import eksVersions from './eks-versions.json' with { type: 'json' };

export { awsNetwork, calicoDefaults, calicoReleases, eksVersions };

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
