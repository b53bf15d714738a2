/** The member-account role template grants exactly the collector's reads plus eks:ListClusters, to the auditor only. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type Tags } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/fixtures.js';

/** CloudFormation's short-form functions (!Sub, !Ref, !GetAtt) as plain objects. */
const cloudFormationTags: Tags = ['Sub', 'Ref', 'GetAtt'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value }),
}));

/** An IAM policy statement's actions. */
interface Statement {
  Action: string | string[];
}
/** The parts of the member-account template these tests read. */
interface MemberRoleTemplate {
  Parameters: {
    RoleName: { Default: string };
    AllowSecurityHubImport: { Default: string };
    ExternalId: { Default?: string; NoEcho?: boolean; MinLength?: number };
    AuditorStage: { Default?: string };
  };
  Conditions: Record<string, unknown>;
  Resources: {
    CalicoAuditReadOnlyRole: {
      Properties: {
        Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
        AssumeRolePolicyDocument: { Statement: Array<{ Principal: { AWS: unknown }; Condition: Partial<Record<'StringEquals' | 'ArnLike' | 'ArnEquals', Record<string, unknown>>> }> };
      };
    };
  };
}

const template = parse(readFileSync(path.join(ROOT, 'infra/member-account-role.yaml'), 'utf8'), { customTags: cloudFormationTags }) as MemberRoleTemplate;
const collectorPolicy = JSON.parse(readFileSync(path.join(ROOT, 'infra/iam/collector-policy.json'), 'utf8')) as { Statement: Statement[] };
const role = template.Resources.CalicoAuditReadOnlyRole.Properties;
type PolicyStatement = Statement & { Sid?: string; Effect?: string; Resource?: unknown };
const all = role.Policies[0]!.PolicyDocument.Statement as unknown as Array<PolicyStatement | { 'Fn::If': [string, PolicyStatement, unknown] }>;
/** The statements the role always has; the Security Hub import is granted only when the stack enables it. */
const statements = all.filter((s): s is PolicyStatement => !('Fn::If' in s));
const conditional = all.filter((s): s is { 'Fn::If': [string, PolicyStatement, unknown] } => 'Fn::If' in s);
const actionsOf = (list: Array<{ Action: string | string[] }>) => list.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe('infra/member-account-role.yaml', () => {
  it('grants the collector policy and eks:ListClusters (for enumeration), nothing else', () => {
    expect(actionsOf(statements)).toEqual([...actionsOf(collectorPolicy.Statement), 'eks:ListClusters'].sort());
    for (const action of actionsOf(statements)) expect(action).toMatch(/^(eks|ec2|autoscaling):(Describe|List)[A-Za-z]+$/);
  });

  it('trusts only the two reading roles of one auditor stage, with an external id that has no default', () => {
    const trust = role.AssumeRolePolicyDocument.Statement[0]!;
    expect(role.AssumeRolePolicyDocument.Statement).toHaveLength(1);
    expect(trust.Principal.AWS).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AuditorAccountId}:root' });
    expect(trust.Condition.StringEquals!['sts:ExternalId']).toEqual({ Ref: 'ExternalId' });
    expect(trust.Condition.ArnLike).toBeUndefined();
    expect(trust.Condition.ArnEquals!['aws:PrincipalArn']).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AuditorAccountId}:role/calico-eks-auditor-${AuditorStage}-enumerate' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AuditorAccountId}:role/calico-eks-auditor-${AuditorStage}-audit-cluster' },
    ]);
    expect(JSON.stringify(trust)).not.toContain('*');
    // Required, secret, and at least 16 characters: no public default to guess.
    expect(template.Parameters.ExternalId).toMatchObject({ NoEcho: true, MinLength: 16 });
    expect(template.Parameters.ExternalId.Default).toBeUndefined();
    expect(template.Parameters.AuditorStage.Default).toBeUndefined();
  });

  it('names exactly the roles serverless.yml gives the enumerate and auditCluster functions', () => {
    const serverless = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');
    expect(serverless).toContain('RoleName: ${self:service}-${sls:stage}-enumerate');
    expect(serverless).toContain('RoleName: ${self:service}-${sls:stage}-audit-cluster');
    expect(serverless).toMatch(/^service: calico-eks-auditor$/m);
  });

  it('may import findings into its own Security Hub only when enabled: BatchImportFindings on the account\'s own product, nothing more', () => {
    expect(conditional).toHaveLength(1);
    const [condition, statement, otherwise] = conditional[0]!['Fn::If'];
    expect(condition).toBe('ImportFindingsIntoSecurityHub');
    expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
    expect(statement).toEqual({
      Sid: 'ImportFindingsIntoOwnSecurityHub',
      Effect: 'Allow',
      Action: 'securityhub:BatchImportFindings',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default' },
    });
    expect(template.Conditions['ImportFindingsIntoSecurityHub']).toEqual({ 'Fn::Equals': [{ Ref: 'AllowSecurityHubImport' }, 'true'] });
    expect(template.Parameters.AllowSecurityHubImport.Default).toBe('false');
  });

  it('defaults to the role name the deployment assumes', () => {
    const serverless = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8');
    expect(serverless).toContain(`memberRoleName: ${template.Parameters.RoleName.Default}`);
  });
});
