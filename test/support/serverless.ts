/**
 * The deployment as CloudFormation: `serverless package` run offline, with no AWS credentials, no
 * metadata service, notifications or telemetry (packaging must not need AWS), and the state
 * machine's definition read back out of the template it generates.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/fixtures.js';
import type { StateMachineDefinition } from './asl/executor.js';

export interface Template {
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;
}

/** What packaging is given besides the stage: the external id has no default, a deployment must name its own. */
export const PACKAGE_PARAMS = { externalId: 'ci-external-id-0123456789' };

/** Packages the service for the `ci` stage and returns its CloudFormation template. */
export async function packageService(params: Record<string, string> = PACKAGE_PARAMS): Promise<Template> {
  const out = mkdtempSync(path.join(tmpdir(), 'sls-package-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
  const args = ['package', '--stage', 'ci', '--package', out, ...Object.entries(params).flatMap(([name, value]) => ['--param', `${name}=${value}`])];
  try {
    await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/serverless'), args, { cwd: ROOT, env });
    return JSON.parse(readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A CloudFormation reference the definition's `Fn::Sub` names: `Ref` or `Fn::GetAtt`. */
export type TemplateReference = { Ref: string } | { 'Fn::GetAtt': [string, string] };

/**
 * The state machine's definition as deployed: its `DefinitionString` (`Fn::Sub` of the text and the
 * references serverless-step-functions put in it), with each `${name}` replaced by what `resolve`
 * gives for its reference (a function's ARN → the name the test's executor knows it by, the
 * bucket's Ref → the local bucket). A reference `resolve` does not know fails the test.
 */
export function stateMachineDefinition(template: Template, logicalId: string, resolve: (reference: TemplateReference) => string | undefined): StateMachineDefinition {
  const sub = (template.Resources[logicalId]!.Properties['DefinitionString'] as { 'Fn::Sub': [string, Record<string, TemplateReference>] })['Fn::Sub'];
  const [text, references] = sub;
  const resolved = text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const reference = references[name];
    const value = reference && resolve(reference);
    if (value === undefined) throw new Error(`the definition names \${${name}} (${JSON.stringify(reference ?? null)}), which the test does not resolve`);
    // Inside a JSON string: the value is spliced in as JSON string content.
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(resolved) as StateMachineDefinition;
}
