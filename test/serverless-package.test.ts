/**
 * `serverless package` runs offline with no AWS credentials, and the CloudFormation it generates
 * gives each function its own role with the least it needs: no `*` actions, writes only to the
 * reports bucket's prefixes, SES send and the dead-letter queue; and the state machine a role with
 * exactly what its Distributed Map needs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers/fixtures.js';
import { packageService, type Template } from './support/serverless.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

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
      ItemReader: { Parameters: { Bucket: string } };
      ResultWriter: { Parameters: { Bucket: string } };
      ItemProcessor: {
        ProcessorConfig: unknown;
        States: { AuditCluster: { Retry: Retry[]; Catch: unknown[]; TimeoutSeconds: number }; ClusterNotAudited: { Parameters: unknown } };
      };
    };
    Summarize: { Retry: Retry[]; Parameters: unknown };
  };
}
interface AlarmProperties {
  Dimensions: unknown;
}
/** A resource's properties, read as `T`. */
const propertiesOf = <T>(resource: string): T => template.Resources[resource]!.Properties as T;

let template: Template;

beforeAll(async () => {
  // The external id has no default: a deployment must name its own (packageService passes one).
  template = await packageService();
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
    // The run's inputs: its targets file (the Map's ItemReader reads it) and the accounts not listed.
    expect(putPrefixes('EnumerateRole')).toEqual(['runs/*/enumeration-failures.jsonl', 'runs/*/targets.jsonl']);
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

  it('fans out with a Distributed Map that reads the targets from S3, writes its results to S3, and retries and catches per cluster, on a schedule', () => {
    const definitionString = propertiesOf<{ DefinitionString: { 'Fn::Sub': [string, Record<string, unknown>] } }>('FleetAuditStateMachine').DefinitionString;
    const [text, references] = definitionString['Fn::Sub'];
    const definition = JSON.parse(text) as StateMachineDefinition;
    const map = definition.States.AuditClusters;
    const reference = (value: unknown) => references[/^\$\{(.+)\}$/.exec(String(value))![1]!];
    expect(definition.StartAt).toBe('Enumerate');
    expect(definition.States.Enumerate.Next).toBe('AuditClusters');
    expect(map).toMatchObject({
      Type: 'Map',
      // The targets enumerate wrote, one child execution per line; the results to the run's map/ folder.
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { 'Key.$': '$.targets.key' } },
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Prefix.$': '$.mapResultsPrefix' } },
      // Bounded by the configuration, handed over by Enumerate (a number there, whatever --param passed).
      MaxConcurrencyPath: '$.concurrency',
      ToleratedFailurePercentagePath: '$.toleratedFailurePercentage',
      ResultPath: '$.map',
      Next: 'Summarize',
    });
    expect(map).not.toHaveProperty('ItemsPath');
    expect(reference(map.ItemReader.Parameters.Bucket)).toEqual({ Ref: 'ReportsBucket' });
    expect(reference(map.ResultWriter.Parameters.Bucket)).toEqual({ Ref: 'ReportsBucket' });
    // STANDARD children: an Express child execution may run at most five minutes, an audit up to 600 s and its retries.
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const task = map.ItemProcessor.States.AuditCluster;
    expect(task.Retry[0]).toMatchObject({ MaxAttempts: 3, BackoffRate: 2 });
    // The handlers raise throttling, timeouts and 5xx as TransientError: every task retries it.
    for (const state of [definition.States.Enumerate, task, definition.States.Summarize]) expect(state.Retry[0]!.ErrorEquals).toContain('TransientError');
    expect(task.TimeoutSeconds).toBeGreaterThan(600);
    expect(task.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'ClusterNotAudited' });
    expect(map.ItemProcessor.States.ClusterNotAudited.Parameters).toMatchObject({ status: 'failed', 'target.$': '$.target' });
    // Summarize is handed where the results are, never the results.
    expect(definition.States.Summarize.Parameters).toEqual({ 'runId.$': '$.runId', 'mapResults.$': '$.map.ResultWriterDetails' });
    // The bounds' defaults reach the functions' configuration: the simulation's concurrency, a tolerance below all.
    const environment = propertiesOf<{ Environment: { Variables: Record<string, unknown> } }>('EnumerateLambdaFunction').Environment.Variables;
    expect([environment['CALICO_AUDIT_CONCURRENCY'], environment['CALICO_AUDIT_TOLERATED_FAILURE_PERCENTAGE']].map(String)).toEqual(['10', '10']);
    const schedule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule')!;
    expect(schedule.Properties['ScheduleExpression']).toMatch(/^cron\(/);
    expect(template.Resources['FailedInvocationsQueue']!.Type).toBe('AWS::SQS::Queue');
  });

  it('gives the state machine exactly what its Distributed Map needs: invoke the three functions, run and stop its own children, read the targets, write the results', () => {
    expect(propertiesOf<{ RoleArn: unknown }>('FleetAuditStateMachine').RoleArn).toEqual({ 'Fn::GetAtt': ['FleetAuditStateMachineRole', 'Arn'] });
    const role = propertiesOf<{ AssumeRolePolicyDocument: { Statement: Statement[] } }>('FleetAuditStateMachineRole');
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: { 'Fn::Sub': 'states.${AWS::Region}.amazonaws.com' } }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    const statements = rolePolicy('FleetAuditStateMachineRole');
    const grants = (action: string) => statements.filter((s) => actions(s).includes(action)).flatMap((s) => [s.Resource].flat());
    expect(grants('lambda:InvokeFunction')).toEqual(['EnumerateLambdaFunction', 'AuditClusterLambdaFunction', 'SummarizeLambdaFunction'].map((fn) => ({ 'Fn::GetAtt': [fn, 'Arn'] })));
    const machine = 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}';
    expect(grants('states:StartExecution')).toEqual([{ 'Fn::Sub': `${machine}:stateMachine:calico-eks-auditor-ci-fleet-audit` }]);
    // Child executions are named execution:<state machine>/<map label>:<id>.
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) expect(grants(action)).toEqual([{ 'Fn::Sub': `${machine}:execution:calico-eks-auditor-ci-fleet-audit/*` }]);
    expect(propertiesOf<{ Name?: string; StateMachineName?: string }>('FleetAuditStateMachine').StateMachineName).toBe('calico-eks-auditor-ci-fleet-audit');
    // ItemReader: the targets file only; ResultWriter: the run's map/ folder only.
    expect(grants('s3:GetObject')).toEqual([{ 'Fn::Sub': '${ReportsBucket.Arn}/runs/*/targets.jsonl' }, { 'Fn::Sub': '${ReportsBucket.Arn}/runs/*/map/*' }]);
    for (const action of ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload']) expect(grants(action), action).toEqual([{ 'Fn::Sub': '${ReportsBucket.Arn}/runs/*/map/*' }]);
    // Nothing else: the statement for CloudWatch Logs delivery is the only one on `*`, whose actions take no resource.
    const granted = statements.flatMap(actions).sort();
    expect(granted).toEqual(
      [
        'lambda:InvokeFunction', 'states:StartExecution', 'states:DescribeExecution', 'states:StopExecution', 's3:GetObject', 's3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload',
        'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
      ].sort(),
    );
    expect(statements.filter((s) => JSON.stringify(s.Resource) === '"*"').flatMap(actions).every((a) => a.startsWith('logs:'))).toBe(true);
  });

  it('grants no role in the template a wildcard action, or a wildcard resource beyond the log-delivery actions that take none', () => {
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles.map(([id]) => id).sort()).toEqual(['AuditClusterRole', 'EnumerateRole', 'FleetAuditScheduleToStepFunctionsRole', 'FleetAuditStateMachineRole', 'SummarizeRole']);
    for (const [id] of roles) {
      for (const statement of rolePolicy(id)) {
        expect(statement.Effect, id).toBe('Allow');
        for (const action of actions(statement)) {
          expect(action, `${id}: ${action}`).not.toContain('*');
          if (JSON.stringify(statement.Resource) === '"*"') expect(action, `${id}: ${action} on *`).toMatch(/^(logs:(Create|Get|Update|Delete|List)LogDeliver|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)$|organizations:ListAccounts$)/);
        }
      }
    }
  });
});
