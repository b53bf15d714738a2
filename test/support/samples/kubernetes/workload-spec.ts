/** Pieces of a workload's pod template, with the defaults the API server fills in, and the workloads the builder runs. */
import type { Json, WorkloadKind } from '../plan.js';

type Probe = { exec: string[] } | { http: { path: string; port: number; host?: string; scheme?: string } } | { tcp: number };

export function probe(kind: Probe, options: { period?: number; timeout?: number; initialDelay?: number; failure?: number } = {}): Json {
  const handler: Json =
    'exec' in kind
      ? { exec: { command: kind.exec } }
      : 'http' in kind
        ? { httpGet: { ...(kind.http.host ? { host: kind.http.host } : {}), path: kind.http.path, port: kind.http.port, scheme: kind.http.scheme ?? 'HTTP' } }
        : { tcpSocket: { port: kind.tcp } };
  return {
    ...handler,
    failureThreshold: options.failure ?? 3,
    ...(options.initialDelay !== undefined ? { initialDelaySeconds: options.initialDelay } : {}),
    periodSeconds: options.period ?? 10,
    successThreshold: 1,
    timeoutSeconds: options.timeout ?? 1,
  };
}

export type EnvSource = string | { configMap: string; key: string } | { field: string };

export const env = (entries: Array<[string, EnvSource]>): Json[] =>
  entries.map(([name, source]) =>
    typeof source === 'string'
      ? { name, value: source }
      : 'configMap' in source
        ? { name, valueFrom: { configMapKeyRef: { key: source.key, name: source.configMap } } }
        : { name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: source.field } } },
  );

export function container(name: string, image: string, fields: Json = {}): Json {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...fields,
  };
}

export function podSpec(fields: Json): Json {
  return {
    dnsPolicy: fields['hostNetwork'] ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    ...fields,
  };
}

export const CRITICAL_TOLERATIONS = [
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { effect: 'NoSchedule', operator: 'Exists' },
  { effect: 'NoExecute', operator: 'Exists' },
];

/** A system workload whose apps/v1 object is collected, with the pods it runs. */
export interface WorkloadDef {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** Selector labels, also on every pod. */
  selector: Record<string, string>;
  objectLabels?: Record<string, string>;
  objectAnnotations?: Record<string, string>;
  ownerReferences?: Json[];
  replicas?: number;
  hostNetwork?: boolean;
  /** `template.spec` without `hostNetwork` (added from the field above). */
  spec: Json;
  templateAnnotations?: Record<string, string>;
  /** Deployment `strategy` / DaemonSet `updateStrategy`. */
  strategy?: Json;
  /** Collected as an apps/v1 object (its namespace is one the collector lists). */
  collected: boolean;
}
