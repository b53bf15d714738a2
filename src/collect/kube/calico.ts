/** API group discovery: which Calico group is served, and which other groups are. */
import { CALICO_CRD, CALICO_V3, type GroupVersion } from './resources.js';

export interface Discovery {
  /** projectcalico.org/v3 when the Calico API server is installed, else crd.projectcalico.org/v1, else null (no Calico). */
  calico: GroupVersion | null;
  /** Whether a group/version is served (e.g. operator.tigera.io/v1: an operator install may exist). */
  serves(api: GroupVersion): boolean;
}

interface ApiGroupList {
  groups?: Array<{ name?: string; versions?: Array<{ version?: string }> }>;
}

/** Reads `/apis` (an APIGroupList). */
export function readDiscovery(body: unknown): Discovery {
  const groups = (body as ApiGroupList | null)?.groups ?? [];
  const served = (api: GroupVersion): boolean => groups.some((g) => g.name === api.group && (g.versions ?? []).some((v) => v.version === api.version));
  return { calico: served(CALICO_V3) ? CALICO_V3 : served(CALICO_CRD) ? CALICO_CRD : null, serves: served };
}

/** The label selector naming every tier, so the v3 API server authorises each one (403) instead of silently skipping some. */
export const tierSelector = (tierNames: readonly string[]): string => `projectcalico.org/tier in (${tierNames.join(',')})`;
