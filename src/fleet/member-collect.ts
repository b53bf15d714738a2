/** Collecting a member account's cluster through its read-only role (kept apart from enumeration, which needs no collector). */
import { createAwsClients } from '../collect/aws/clients.js';
import { collectSnapshot } from '../collect/collect.js';
import type { Snapshot } from '../snapshot/schema.js';
import type { MemberAccess } from './member-access.js';
import type { ClusterTarget } from '../target/index.js';

export const collectThroughMemberRole =
  (access: MemberAccess, options: { deadlineMs?: number } = {}) =>
  (target: ClusterTarget): Promise<Snapshot> => {
    const credentials = access.credentialsFor(target.accountId, target.region);
    return collectSnapshot(
      { clusterName: target.clusterName, region: target.region, ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}) },
      { aws: createAwsClients({ region: target.region, credentials }), credentials },
    );
  };
