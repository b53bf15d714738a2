/**
 * How Calico is installed: an operator install is described by its `Installation` (its
 * `status.computed` when the operator has filled it, else `spec`); a manifest install by the
 * `calico-config` ConfigMap and the calico-node container's environment.
 */
import type { KubeObject } from '../../snapshot/schema.js';
import type { CalicoInstall, CalicoVariant, CniPlugin, Components, DatastoreType, FelixSettings } from '../model.js';
import { integer, record, text } from './read.js';

export interface InstallInputs {
  apiGroup: string | null;
  /** `undefined` when the Installation could not be read. */
  installation: KubeObject | null | undefined;
  components: Components | null;
  configMaps: KubeObject[] | null;
  clusterInformations: KubeObject[] | null;
  tierNames: string[] | null;
  felix: FelixSettings | null;
  /** Nothing Calico-related could be listed at all. */
  calicoListsMissing: boolean;
}

const ENTERPRISE_VARIANTS = new Set(['tigerasecureenterprise', 'calicoenterprise', 'calicocloud', 'enterprise']);

/** The Installation's effective spec: what the operator computed, else what was asked for. */
export function installationSpec(installation: KubeObject): Record<string, unknown> {
  const computed = record(record(installation.status)['computed']);
  return Object.keys(computed).length ? computed : record(installation.spec);
}

const configData = (configMaps: KubeObject[] | null): Record<string, unknown> => {
  const map = configMaps?.find((m) => m.metadata?.name === 'calico-config');
  return map ? record((map as Record<string, unknown>)['data']) : {};
};

const imageTag = (image: string | null): string | null => {
  const match = image ? /:(v?\d+\.\d+(?:\.\d+)?[^@]*)/.exec(image.slice(image.lastIndexOf('/'))) : null;
  return match ? match[1]! : null;
};

export function detectInstall(inputs: InstallInputs): CalicoInstall {
  const { installation, components, configMaps } = inputs;
  const calicoNode = components?.calicoNode ?? null;
  const env = calicoNode?.env ?? {};
  const config = configData(configMaps);
  const installSpec = installation ? installationSpec(installation) : null;
  const calicoNetwork = record(installSpec?.['calicoNetwork']);

  const presence: CalicoInstall['presence'] =
    inputs.apiGroup || installation || calicoNode
      ? 'present'
      : components !== null && !inputs.calicoListsMissing
        ? 'absent'
        : 'unknown';

  const method: CalicoInstall['method'] = installation
    ? 'operator'
    : calicoNode?.namespace === 'kube-system' || Object.keys(config).length
      ? 'manifest'
      : calicoNode?.namespace === 'calico-system'
        ? 'operator'
        : 'unknown';

  // Variant and version: ClusterInformation first (Calico writes it), then the Installation, then images.
  const clusterInfo = inputs.clusterInformations?.find((c) => c.metadata?.name === 'default') ?? inputs.clusterInformations?.[0];
  const clusterInfoSpec = record(clusterInfo?.spec);
  const variantText = (text(clusterInfoSpec['variant']) ?? text(installSpec?.['variant']) ?? text(record(installation?.status)['variant']) ?? '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
  const enterprise =
    ENTERPRISE_VARIANTS.has(variantText) ||
    (inputs.tierNames?.includes('allow-tigera') ?? false) ||
    /tigera\/(cnx-node|node)/.test(calicoNode?.image ?? '');
  const variant: CalicoVariant = enterprise ? 'Calico Enterprise' : 'Calico';

  let version: string | null = null;
  let versionSource: string | null = null;
  const versionCandidates: Array<[unknown, string]> = [
    [clusterInfoSpec['calicoVersion'], 'ClusterInformation default spec.calicoVersion'],
    [record(installation?.status)['calicoVersion'], 'Installation default status.calicoVersion'],
    [imageTag(calicoNode?.image ?? null), 'calico-node image tag'],
  ];
  for (const [candidate, source] of versionCandidates) {
    const value = text(candidate);
    if (value) {
      version = value.startsWith('v') ? value : `v${value}`;
      versionSource = source;
      break;
    }
  }

  // CNI plugin: the operator's cni.type (on EKS it defaults to AmazonVPC), or the manifest's backend.
  let cni: CniPlugin | null = null;
  let cniSource: string | null = null;
  const backend = env['CALICO_NETWORKING_BACKEND'] ?? text(config['calico_backend']);
  if (installation) {
    const declared = text(record(installSpec?.['cni'])['type']);
    const provider = text(installSpec?.['kubernetesProvider']);
    if (declared) {
      cni = declared === 'Calico' ? 'Calico' : declared === 'AmazonVPC' ? 'AmazonVPC' : 'other';
      cniSource = `Installation default spec.cni.type: ${declared}`;
    } else {
      cni = provider === 'EKS' ? 'AmazonVPC' : 'Calico';
      cniSource = `Installation default spec.cni.type unset (operator default for provider ${provider ?? 'unset'})`;
    }
  } else if (backend) {
    if (backend === 'none') {
      cni = components?.awsNode ? 'AmazonVPC' : 'other';
      cniSource = `calico-node CALICO_NETWORKING_BACKEND=none${components?.awsNode ? ' with aws-node DaemonSet' : ''}`;
    } else {
      cni = 'Calico';
      cniSource = `calico-node CALICO_NETWORKING_BACKEND=${backend}`;
    }
  } else if (presence === 'present' && components?.awsNode) {
    cni = 'AmazonVPC';
    cniSource = 'aws-node DaemonSet present';
  } else if (presence === 'present' && calicoNode) {
    cni = 'Calico';
    cniSource = 'calico-node without a networking backend setting (Calico defaults to bird)';
  }

  // BGP: BIRD runs only with Calico networking and the bird backend / bgp Enabled.
  let bgpEnabled: boolean | null = null;
  let bgpSource: string | null = null;
  if (cni && cni !== 'Calico') {
    bgpEnabled = false;
    bgpSource = 'Calico is not the CNI plugin, so BIRD does not run';
  } else if (installation) {
    const bgp = text(calicoNetwork['bgp']);
    const provider = text(installSpec?.['kubernetesProvider']);
    bgpEnabled = bgp ? bgp === 'Enabled' : provider !== 'EKS';
    bgpSource = bgp ? `Installation default calicoNetwork.bgp: ${bgp}` : `Installation default calicoNetwork.bgp unset (operator default for provider ${provider ?? 'unset'})`;
  } else if (backend) {
    bgpEnabled = backend === 'bird';
    bgpSource = `CALICO_NETWORKING_BACKEND=${backend}`;
  } else if (calicoNode) {
    bgpEnabled = calicoNode.probes.includes('-bird-ready') || calicoNode.probes.includes('-bird-live');
    bgpSource = `calico-node probes ${bgpEnabled ? 'check' : 'do not check'} BIRD`;
  }

  // Datastore: explicit env, then the CNI config, then what the install implies.
  let datastore: DatastoreType | null = null;
  let datastoreSource: string | null = null;
  const cniConfig = text(config['cni_network_config']) ?? '';
  const cniDatastore = /"datastore_type"\s*:\s*"(\w+)"/.exec(cniConfig)?.[1];
  if (env['DATASTORE_TYPE']) {
    datastore = env['DATASTORE_TYPE'] === 'kubernetes' ? 'kubernetes' : 'etcd';
    datastoreSource = `calico-node DATASTORE_TYPE=${env['DATASTORE_TYPE']}`;
  } else if (cniDatastore) {
    datastore = cniDatastore === 'kubernetes' ? 'kubernetes' : 'etcd';
    datastoreSource = `calico-config cni_network_config datastore_type: ${cniDatastore}`;
  } else if (text(config['etcd_endpoints'])) {
    datastore = 'etcd';
    datastoreSource = 'calico-config etcd_endpoints';
  } else if (installation || method === 'operator') {
    datastore = 'kubernetes';
    datastoreSource = 'operator installs always use the Kubernetes datastore';
  } else if (inputs.apiGroup === 'crd.projectcalico.org/v1') {
    datastore = 'kubernetes';
    datastoreSource = 'Calico resources are stored as crd.projectcalico.org custom resources';
  } else if (calicoNode) {
    // calico-node's own default when DATASTORE_TYPE is unset.
    datastore = 'etcd';
    datastoreSource = 'calico-node DATASTORE_TYPE unset (defaults to etcdv3)';
  }

  // MTU Calico was told to use (0 = auto-detect).
  let mtu: number | null = null;
  let mtuSource: string | null = null;
  if (installation) {
    mtu = integer(calicoNetwork['mtu']) ?? 0;
    mtuSource = calicoNetwork['mtu'] === undefined ? 'Installation default calicoNetwork.mtu unset (auto-detect)' : 'Installation default calicoNetwork.mtu';
  } else if (config['veth_mtu'] !== undefined) {
    mtu = integer(config['veth_mtu']) ?? 0;
    mtuSource = 'calico-config veth_mtu';
  } else if (env['CNI_MTU'] !== undefined || env['FELIX_VETHMTU'] !== undefined) {
    mtu = integer(env['CNI_MTU'] ?? env['FELIX_VETHMTU']) ?? 0;
    mtuSource = 'calico-node CNI_MTU';
  }

  let dataplane: CalicoInstall['dataplane'] = null;
  let dataplaneSource: string | null = null;
  const linuxDataplane = text(calicoNetwork['linuxDataplane']);
  if (inputs.felix?.bpfEnabled) {
    [dataplane, dataplaneSource] = ['bpf', 'FelixConfiguration bpfEnabled: true'];
  } else if (inputs.felix?.nftablesMode === 'Enabled') {
    [dataplane, dataplaneSource] = ['nftables', 'FelixConfiguration nftablesMode: Enabled'];
  } else if (linuxDataplane) {
    dataplane = linuxDataplane === 'BPF' ? 'bpf' : linuxDataplane === 'Nftables' ? 'nftables' : 'iptables';
    dataplaneSource = `Installation default calicoNetwork.linuxDataplane: ${linuxDataplane}`;
  } else if (inputs.felix) {
    [dataplane, dataplaneSource] = ['iptables', 'FelixConfiguration: bpfEnabled false, nftablesMode not Enabled'];
  }

  let typhaConfigured: boolean | null = null;
  if (installation || method === 'operator') typhaConfigured = true;
  else if (method === 'manifest') {
    const service = env['FELIX_TYPHAK8SSERVICENAME'] ?? text(config['typha_service_name']) ?? inputs.felix?.typhaK8sServiceName ?? 'none';
    typhaConfigured = service !== 'none' && service !== '';
  }

  return {
    presence,
    method,
    variant,
    version,
    versionSource,
    cni,
    cniSource,
    bgpEnabled,
    bgpSource,
    datastore,
    datastoreSource,
    mtu,
    mtuSource,
    dataplane,
    dataplaneSource,
    typhaConfigured,
  };
}
