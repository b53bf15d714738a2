/**
 * The nightly state machine as packaged (serverless.yml → CloudFormation), run by the test executor
 * (test/support/asl/executor.ts) with its three Lambda tasks the real handlers called in-process:
 * each task's input is the event, what the handler returns its result, what it throws its error
 * (`Error` the error's name, `Cause` Lambda's JSON), as Step Functions invokes a function by its ARN.
 * The Distributed Map reads its items from and writes its results to the S3 the handlers use.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { vi } from 'vitest';
import { lambdaContext } from '../helpers/lambda.js';
import { StateMachineExecutor, type ExecutionResult } from './asl/executor.js';
import { stateMachineDefinition, type Template, type TemplateReference } from './serverless.js';

type Json = unknown;
type Handler = (event: Json, context: unknown) => Promise<Json>;

export interface FleetHandlers {
  enumerate: Handler;
  auditCluster: Handler;
  summarize: Handler;
}

/**
 * The functions' configuration as serverless.yml sets it, for a run against the local S3 server
 * (its credentials and endpoint, logs silenced), then the three handlers, loaded once it is set
 * because they build their clients when loaded.
 */
export async function loadFleetHandlers(s3Endpoint: string, settings: Record<string, string>): Promise<FleetHandlers> {
  const environment: Record<string, string> = {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...settings,
  };
  for (const [variable, value] of Object.entries(environment)) vi.stubEnv(variable, value);
  return {
    enumerate: (await import('../../functions/enumerate.js')).handler as never,
    auditCluster: (await import('../../functions/audit-cluster.js')).handler as never,
    summarize: (await import('../../functions/summarize.js')).handler as never,
  };
}

export interface FleetMachineOptions {
  /** The local bucket standing for the template's ReportsBucket. */
  bucket: string;
  s3: S3Client;
  handlers: FleetHandlers;
  /** Stands in front of the auditCluster task (a task that times out, counting invocations); default: the handler. */
  auditCluster?: (input: Json, handler: (input: Json) => Promise<Json>) => Promise<Json>;
}

/** The functions' logical ids in the template, and the task names the executor knows them by. */
const FUNCTIONS: Record<string, keyof FleetHandlers> = {
  EnumerateLambdaFunction: 'enumerate',
  AuditClusterLambdaFunction: 'auditCluster',
  SummarizeLambdaFunction: 'summarize',
};

export function fleetMachine(template: Template, options: FleetMachineOptions): StateMachineExecutor {
  const resolve = (reference: TemplateReference): string | undefined => {
    if ('Ref' in reference) return reference.Ref === 'ReportsBucket' ? options.bucket : undefined;
    const [id, attribute] = reference['Fn::GetAtt'];
    return attribute === 'Arn' ? FUNCTIONS[id] : undefined;
  };
  const definition = stateMachineDefinition(template, 'FleetAuditStateMachine', resolve);
  const invoke = (name: keyof FleetHandlers) => (input: Json) => options.handlers[name](input, lambdaContext(name));
  const audit = invoke('auditCluster');
  return new StateMachineExecutor(
    definition,
    {
      resources: {
        enumerate: invoke('enumerate'),
        auditCluster: options.auditCluster ? (input) => options.auditCluster!(input, audit) : audit,
        summarize: invoke('summarize'),
      },
      s3: options.s3,
      // Retries wait no real time; jitter is fixed.
      sleep: () => Promise.resolve(),
      random: () => 0.5,
    },
    'calico-eks-auditor-ci-fleet-audit',
  );
}

/** The input a task state was last given in an execution (Summarize's: where the Map's results are). */
export function lastTaskInput(execution: ExecutionResult, state: string): Json {
  const entry = execution.history.findLast((h) => h.state === state);
  if (!entry) throw new Error(`the execution never ran ${state}`);
  return entry.input;
}
