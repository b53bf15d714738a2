/**
 * `serverless package` runs offline with no AWS credentials, and the CloudFormation it generates
 * gives each function its own role with the least it needs: no `*` actions, writes only to the
 * reports bucket's prefixes, SES send and the dead-letter queue.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers/fixtures.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Template = { Conditions: Record<string, unknown>; Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

// The parts of the generated resources these tests read, as CloudFormation spells them.
interface RoleProperties {
  Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
}
interface BucketProperties {
  BucketEncryption: { ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }> };
  PublicAccessBlockConfiguration: unknown;
  OwnershipControls: { Rules: Array<{ ObjectOwnership: string }> };
  LifecycleConfiguration: { Rules: Array<{ Id: string; ExpirationInDays?: number }> };
}
interface Retry {
  ErrorEquals: string[];
}
interface StateMachineDefinition {
  StartAt: string;
  States: {
    Enumerate: { Next: string; Retry: Retry[] };
    AuditClusters: {
      MaxConcurrency: number;
      ItemProcessor: { States: { AuditCluster: { Retry: Retry[]; Catch: unknown[]; TimeoutSeconds: number }; ClusterNotAudited: { Parameters: unknown } } };
    };
    Summarize: { Retry: Retry[] };
  };
}
interface AlarmProperties {
  Dimensions: unknown;
}
/** A resource's properties, read as `T`. */
const propertiesOf = <T>(resource: string): T => template.Resources[resource]!.Properties as T;

let template: Template;
const out = mkdtempSync(path.join(tmpdir(), 'sls-package-'));

beforeAll(async () => {
  // No credentials, no metadata service, no notifications or telemetry: packaging must not need AWS.
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
  // The external id has no default: a deployment must name its own.
  await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', 'ci', '--package', out, '--param', 'externalId=ci-external-id-0123456789'], { cwd: ROOT, env });
  template = JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 120_000);

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const rolePolicy = (role: string): Statement[] =>
  propertiesOf<RoleProperties>(role).Policies.flatMap((p) => p.PolicyDocument.Statement);
const FUNCTIONS = { EnumerateLambdaFunction: 'EnumerateRole', AuditClusterLambdaFunction: 'AuditClusterRole', SummarizeLambdaFunction: 'SummarizeRole' };
/** Actions that change something; everything else a role holds must be a read. */
const WRITES = /^(s3:PutObject|ses:SendEmail|sqs:SendMessage|logs:CreateLogStream|logs:PutLogEvents|sts:AssumeRole|events:PutEvents)$/;
/** The S3 object keys a role may write: the tails of its PutObject resources after the bucket ARN (the prefix param is empty here). */
const putPrefixes = (role: string): string[] =>
  rolePolicy(role)
    .filter((s) => actions(s).includes('s3:PutObject'))
    .flatMap((s) => [s.Resource].flat())
    .map((r) => (r as { 'Fn::Sub': string })['Fn::Sub'].replace('${ReportsBucket.Arn}/', ''))
    .sort();

describe('the packaged deployment', () => {
  it('packages the three functions individually, on Node 22 and arm64', () => {
    for (const [fn] of Object.entries(FUNCTIONS)) {
      const properties = template.Resources[fn]!.Properties;
      expect(properties['Runtime'], fn).toBe('nodejs22.x');
      expect(properties['Architectures'], fn).toEqual(['arm64']);
    }
  });

  it('gives each function its own role', () => {
    for (const [fn, role] of Object.entries(FUNCTIONS)) expect(template.Resources[fn]!.Properties['Role']).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
  });

  it('grants no wildcard action and no write beyond the bucket prefixes, SES send, the DLQ and logs', () => {
    for (const role of Object.values(FUNCTIONS)) {
      for (const statement of rolePolicy(role)) {
        expect(statement.Effect).toBe('Allow');
        for (const action of actions(statement)) {
          expect(action, `${role}: ${action}`).not.toContain('*');
          const read = /^[a-z0-9-]+:(Get|List|Describe)/.test(action);
          expect(read || WRITES.test(action), `${role} may not ${action}`).toBe(true);
          if (action === 's3:PutObject') {
            const resources = JSON.stringify(statement.Resource);
            expect(resources).toContain('ReportsBucket.Arn');
            // The suppressions file in config/ is written by people, never by the functions.
            expect(resources, role).not.toContain('config/');
          }
        }
      }
    }
  });

  it('lets each function write only its own prefix: a cluster\'s files, the fleet page, latest/\'s pointer and page; nothing deletes', () => {
    expect(putPrefixes('AuditClusterRole')).toEqual(['runs/*/clusters/*']);
    expect(putPrefixes('SummarizeRole')).toEqual(['latest/fleet/index.html', 'latest/index.json', 'ledger/findings.json', 'runs/*/fleet/*']);
    expect(putPrefixes('EnumerateRole')).toEqual([]);
    for (const role of Object.values(FUNCTIONS)) expect(rolePolicy(role).flatMap(actions).filter((a) => a.startsWith('s3:Delete')), role).toEqual([]);
  });

  it('lets the member role be assumed only in the configured accounts or the organization, by roles named for this stage', () => {
    for (const role of ['EnumerateRole', 'AuditClusterRole']) {
      const assume = rolePolicy(role).find((s) => actions(s).includes('sts:AssumeRole'))!;
      expect(assume.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/CalicoAuditReadOnly' });
      expect(assume.Condition).toEqual({
        'Fn::If': [
          'AuditsOrganization',
          { StringEquals: { 'aws:ResourceOrgID': '' } },
          { StringEquals: { 'aws:ResourceAccount': { 'Fn::Split': [',', 'organization'] } } },
        ],
      });
    }
    expect(template.Conditions['AuditsOrganization']).toEqual({ 'Fn::Equals': ['organization', 'organization'] });
    expect(propertiesOf<{ RoleName: string }>('EnumerateRole').RoleName).toBe('calico-eks-auditor-ci-enumerate');
    expect(propertiesOf<{ RoleName: string }>('AuditClusterRole').RoleName).toBe('calico-eks-auditor-ci-audit-cluster');
    // No default external id: the deployment must be given one.
    const serverless = parse(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')) as { params: { default: Record<string, unknown> } };
    expect(serverless.params.default).not.toHaveProperty('externalId');
    const environment = propertiesOf<{ Environment: { Variables: Record<string, unknown> } }>('AuditClusterLambdaFunction').Environment.Variables;
    expect(environment['CALICO_AUDIT_EXTERNAL_ID']).toBe('ci-external-id-0123456789');
  });

  it('logs failed executions of the state machine to CloudWatch Logs and alarms on them', () => {
    const machine = propertiesOf<{ LoggingConfiguration: unknown }>('FleetAuditStateMachine');
    expect(machine.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['FleetAuditStateMachineLogGroup', 'Arn'] } } }],
    });
    expect(propertiesOf<{ RetentionInDays: number }>('FleetAuditStateMachineLogGroup').RetentionInDays).toBeGreaterThan(0);
    const failed = propertiesOf<AlarmProperties>('FleetAuditFailedAlarm');
    expect(failed).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: 'FleetAuditAlarmTopic' }] });
    expect(failed.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: 'FleetAuditStateMachine' } }]);
    const stopped = JSON.stringify(template.Resources['FleetAuditTimedOutAlarm']!.Properties);
    expect(stopped).toContain('ExecutionsTimedOut');
    expect(stopped).toContain('ExecutionsAborted');
    expect(template.Resources['FleetAuditAlarmTopic']!.Type).toBe('AWS::SNS::Topic');
  });

  it('lets only summarize send email and move latest/, and only auditCluster and enumerate assume member roles', () => {
    const holders = (action: string) => Object.values(FUNCTIONS).filter((role) => rolePolicy(role).some((s) => actions(s).includes(action)));
    expect(holders('ses:SendEmail')).toEqual(['SummarizeRole']);
    // Summarize assumes member roles only to import findings into their Security Hub.
    expect(holders('sts:AssumeRole').sort()).toEqual(['AuditClusterRole', 'EnumerateRole', 'SummarizeRole']);
    expect(holders('events:PutEvents')).toEqual(['SummarizeRole']);
    const putEvents = rolePolicy('SummarizeRole').find((s) => actions(s).includes('events:PutEvents'))!;
    expect(JSON.stringify(putEvents.Resource)).toMatch(/event-bus\/default/);
    expect(holders('organizations:ListAccounts')).toEqual(['EnumerateRole']);
    const latestWriters = Object.values(FUNCTIONS).filter((role) => rolePolicy(role).some((s) => actions(s).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('latest/')));
    expect(latestWriters).toEqual(['SummarizeRole']);
    expect(holders('s3:DeleteObject')).toEqual([]);
  });

  it('lets auditCluster read the findings ledger and the suppressions file, and only summarize write the ledger', () => {
    const readers = (prefix: string) =>
      Object.values(FUNCTIONS).filter((role) => rolePolicy(role).some((s) => actions(s).includes('s3:GetObject') && JSON.stringify(s.Resource).includes(`${prefix}/*`)));
    expect(readers('ledger').sort()).toEqual(['AuditClusterRole', 'SummarizeRole']);
    expect(readers('config').sort()).toEqual(['AuditClusterRole', 'SummarizeRole']);
    const ledgerWriters = Object.values(FUNCTIONS).filter((role) => rolePolicy(role).some((s) => actions(s).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('ledger/')));
    expect(ledgerWriters).toEqual(['SummarizeRole']);
    const environment = propertiesOf<{ Environment: { Variables: Record<string, string> } }>('SummarizeLambdaFunction').Environment.Variables;
    expect(environment).toMatchObject({ CALICO_AUDIT_SECURITY_HUB: 'false', CALICO_AUDIT_EVENT_BUS: 'default' });
  });

  it('creates an encrypted, private, TLS-only reports bucket that expires old runs', () => {
    const bucket = propertiesOf<BucketProperties>('ReportsBucket');
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0]!.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.OwnershipControls.Rules[0]!.ObjectOwnership).toBe('BucketOwnerEnforced');
    expect(bucket.LifecycleConfiguration.Rules.find((r) => r.Id === 'expire-old-runs')!.ExpirationInDays).toBeGreaterThan(0);
    const policy = propertiesOf<{ PolicyDocument: { Statement: Statement[] } }>('ReportsBucketPolicy').PolicyDocument.Statement[0];
    expect(policy).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('fans out with a bounded Map that retries and catches per cluster, on a schedule', () => {
    const definitionString = propertiesOf<{ DefinitionString: { 'Fn::Sub': [string, ...unknown[]] } }>('FleetAuditStateMachine').DefinitionString;
    const definition = JSON.parse(definitionString['Fn::Sub'][0]) as StateMachineDefinition;
    const map = definition.States.AuditClusters;
    expect(definition.StartAt).toBe('Enumerate');
    expect(definition.States.Enumerate.Next).toBe('AuditClusters');
    expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.targets', Next: 'Summarize' });
    expect(map.MaxConcurrency).toBeGreaterThan(0);
    const task = map.ItemProcessor.States.AuditCluster;
    expect(task.Retry[0]).toMatchObject({ MaxAttempts: 3, BackoffRate: 2 });
    // The handlers raise throttling, timeouts and 5xx as TransientError: every task retries it.
    for (const state of [definition.States.Enumerate, task, definition.States.Summarize]) expect(state.Retry[0]!.ErrorEquals).toContain('TransientError');
    expect(task.TimeoutSeconds).toBeGreaterThan(600);
    expect(task.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'ClusterNotAudited' });
    expect(map.ItemProcessor.States.ClusterNotAudited.Parameters).toMatchObject({ status: 'failed', 'target.$': '$.target' });
    const schedule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule')!;
    expect(schedule.Properties['ScheduleExpression']).toMatch(/^cron\(/);
    expect(template.Resources['FailedInvocationsQueue']!.Type).toBe('AWS::SQS::Queue');
  });
});
