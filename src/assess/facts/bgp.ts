/** BGP as configured: on or off, mesh, route reflectors, peers, AS number and advertised service CIDRs. */
import type { ClusterModel } from '../model.js';
import type { Facts } from '../facts.js';
export function bgpFacts(model: ClusterModel): Facts['bgp'] {
  const enabled = model.install.presence === 'absent' ? false : model.install.bgpEnabled;
  const config = model.bgpConfiguration;
  const routeReflectors = model.nodes ? model.nodes.filter((n) => n.routeReflectorClusterId !== null).map((n) => n.name) : null;
  const peers =
    model.bgpPeers?.map((p) => ({
      name: p.name,
      scope: p.node ? `node ${p.node}` : p.nodeSelector ? `nodes matching ${p.nodeSelector}` : 'every node',
      peerIP: p.peerIP,
      peerSelector: p.peerSelector,
      asNumber: p.asNumber,
    })) ?? null;
  let mode: Facts['bgp']['mode'] = null;
  if (enabled === false) mode = 'off';
  else if (enabled && config) {
    if (config.nodeToNodeMeshEnabled) mode = 'mesh';
    else if (routeReflectors?.length) mode = 'route-reflectors';
    else if (peers?.length) mode = 'peers';
    else if (peers && routeReflectors) mode = 'no-peering';
  }
  return {
    enabled,
    source: model.install.presence === 'absent' ? 'Calico not found' : model.install.bgpSource,
    mode,
    meshEnabled: config?.nodeToNodeMeshEnabled ?? null,
    asNumber: config?.asNumber ?? null,
    peers,
    routeReflectors,
    serviceClusterIPs: config?.serviceClusterIPs ?? [],
    serviceExternalIPs: config?.serviceExternalIPs ?? [],
  };
}
