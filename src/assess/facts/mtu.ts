/** The MTU the network allows, the encapsulation overhead, and what Calico is configured with. */
import { awsNetwork, calicoDefaults, supportsJumboFrames } from '../../reference/index.js';
import type { Facts } from '../facts.js';
import type { ClusterModel } from '../model.js';
import type { NodeFact } from './nodes.js';
export function mtuFacts(model: ClusterModel, nodes: NodeFact[] | null, encapsulation: Facts['encapsulation'], wireguard: boolean | null): Facts['mtu'] {
  const types = [...new Set((nodes ?? []).map((n) => n.instanceType).filter((t): t is string => !!t))];
  let networkMtu: number | null = null;
  let networkMtuReason: string | null = null;
  if (types.length) {
    const small = types.filter((t) => !supportsJumboFrames(t));
    networkMtu = small.length ? awsNetwork.standardMtu : awsNetwork.jumboFrameMtu;
    networkMtuReason = small.length
      ? `${small.join(', ')} ${small.length > 1 ? 'do' : 'does'} not support jumbo frames`
      : `every node type (${types.join(', ')}) supports ${awsNetwork.jumboFrameMtu}-byte jumbo frames inside the VPC`;
  }
  let overhead: number | null = null;
  let overheadReason: string | null = null;
  let configured: number | null = null;
  let configuredSource: string | null = null;
  if (encapsulation && wireguard !== null) {
    const { encapsulationOverhead } = calicoDefaults;
    const candidates: Array<[number, string, number | null]> = [[0, 'native routing', null]];
    if (encapsulation.ipip) candidates.push([encapsulationOverhead.IPIP, 'IP-in-IP', model.felix?.ipipMTU ?? null]);
    if (encapsulation.vxlan) candidates.push([encapsulationOverhead.VXLAN, 'VXLAN', model.felix?.vxlanMTU ?? null]);
    // IPv6 pools tunnel VXLAN over IPv6 (70 bytes), and WireGuard over IPv6 costs 80 (Calico "Configure MTU").
    if (encapsulation.vxlanIpv6) candidates.push([encapsulationOverhead.VXLANv6, 'VXLAN over IPv6', model.felix?.vxlanMTUV6 ?? null]);
    if (wireguard && (model.felix?.wireguardEnabled ?? true)) candidates.push([encapsulationOverhead.WireGuard, 'WireGuard', model.felix?.wireguardMTU ?? null]);
    if (wireguard && model.felix?.wireguardEnabledV6) candidates.push([encapsulationOverhead.WireGuardv6, 'WireGuard over IPv6', model.felix?.wireguardMTUV6 ?? null]);
    const [bytes, reason, specific] = candidates.reduce((a, b) => (b[0] > a[0] ? b : a));
    overhead = bytes;
    overheadReason = `${reason}${bytes ? ` (${bytes} bytes)` : ''}`;
    if (specific) {
      const FIELDS: Record<string, string> = {
        'IP-in-IP': 'ipipMTU',
        VXLAN: 'vxlanMTU',
        'VXLAN over IPv6': 'vxlanMTUV6',
        WireGuard: 'wireguardMTU',
        'WireGuard over IPv6': 'wireguardMTUV6',
      };
      const field = FIELDS[reason] ?? 'wireguardMTU';
      const envNames = field === 'ipipMTU' ? ['FELIX_IPINIPMTU', 'FELIX_IPIPMTU'] : [`FELIX_${field.toUpperCase()}`];
      const envName = model.felix?.sources.find((s) => s.kind === 'calico-node env' && envNames.includes(s.name))?.name;
      configured = specific;
      // Operators and manifests hand their MTU to Felix through calico-node env: name the setting a person edits.
      configuredSource = !envName
        ? `FelixConfiguration ${field}`
        : model.install.mtu === specific && model.install.mtuSource
          ? model.install.mtuSource
          : `calico-node ${envName}`;
    } else {
      configured = model.install.mtu;
      configuredSource = model.install.mtuSource;
    }
  }
  return {
    networkMtu,
    networkMtuReason,
    overhead,
    overheadReason,
    expected: networkMtu !== null && overhead !== null ? networkMtu - overhead : null,
    configured,
    configuredSource,
  };
}
