// Runs executions of a Step Functions definition with aws-local-stepfunctions, its tasks calling local stand-ins
// the way Step Functions' integrations call AWS:
//   arn:aws:states:::lambda:invoke                    -> the Lambda Invoke API at lambdaEndpoint
//   arn:aws:states:::aws-sdk:backup:describeBackupJob -> the AWS Backup rest-json API at backupEndpoint
//   arn:aws:states:::aws-sdk:backup:listCopyJobs      -> the same, GET /copy-jobs/ with the model's query names
// Waits and retry intervals take no time. Usage:
//   node run-workflow.mjs '{"definition": "<path>", "substitutions": {...}, "lambdaEndpoint": "http://127.0.0.1:N",
//                           "backupEndpoint": "http://127.0.0.1:M"}'
// then one JSON line on stdin per execution, {"execution": {"Id": "...", "Name": "..."}, "input": {...}}, answered,
// one at a time, by one JSON line on stdout: {"status": "SUCCEEDED", "output": ...} or
// {"status": "FAILED", "error": "...", "cause": "..."}. It ends when stdin does.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

// aws-local-stepfunctions 3.0.0 declares Node 22; on Node 20 it only lacks this (ES2024) helper.
if (!Promise.withResolvers) {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
  };
}
const { StateMachine } = await import('aws-local-stepfunctions');

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const DESCRIBE_BACKUP_JOB = 'arn:aws:states:::aws-sdk:backup:describeBackupJob';
const LIST_COPY_JOBS = 'arn:aws:states:::aws-sdk:backup:listCopyJobs';
// ListCopyJobs' parameters and where the service model (backup/2018-11-15) puts each in the query string.
const LIST_COPY_JOBS_QUERY = {
  NextToken: 'nextToken', MaxResults: 'maxResults', ByResourceArn: 'resourceArn', ByState: 'state',
  ByCreatedBefore: 'createdBefore', ByCreatedAfter: 'createdAfter', ByResourceType: 'resourceType',
  ByDestinationVaultArn: 'destinationVaultArn', ByAccountId: 'accountId', ByCompleteBefore: 'completeBefore',
  ByCompleteAfter: 'completeAfter', ByParentJobId: 'parentJobId', ByMessageCategory: 'messageCategory',
  BySourceRecoveryPointArn: 'sourceRecoveryPointArn',
};

const setup = JSON.parse(process.argv[2]);
const definition = withIntrinsicCausePaths(substitute(JSON.parse(readFileSync(setup.definition, 'utf8')),
  setup.substitutions ?? {}));

const handlers = {};
const waits = {};
const retryIntervals = {};
for (const [name, state] of Object.entries(definition.States)) {
  if (state.Type === 'Wait') {
    waits[name] = 0;
  }
  if (state.Retry) {
    retryIntervals[name] = 0;
  }
  if (state.Type === 'Task') {
    handlers[name] = taskHandler(name, state.Resource);
  }
}

const stateMachine = new StateMachine(definition);
for await (const line of createInterface({ input: process.stdin })) {
  const { execution, input } = JSON.parse(line);
  process.stdout.write(JSON.stringify(await execute(execution, input)) + '\n');
}

async function execute(execution, input) {
  try {
    const output = await stateMachine.run(input, {
      context: { Execution: execution },
      overrides: {
        taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retryIntervals,
      },
    }).result;
    return { status: 'SUCCEEDED', output };
  } catch (e) {
    const failure = e.cause ?? e;
    return { status: 'FAILED', error: failure.name, cause: failure.message };
  }
}

function taskHandler(stateName, resource) {
  switch (resource) {
    case LAMBDA_INVOKE:
      return invokeLambda;
    case DESCRIBE_BACKUP_JOB:
      return describeBackupJob;
    case LIST_COPY_JOBS:
      return listCopyJobs;
    default:
      throw new Error(`${stateName}: no local stand-in for ${resource}`);
  }
}

/** As the lambda:invoke integration: a function error fails the task with its errorType, the payload as cause. */
async function invokeLambda({ FunctionName, Payload }) {
  const response = await fetch(
    `${setup.lambdaEndpoint}/2015-03-31/functions/${encodeURIComponent(FunctionName)}/invocations`,
    { method: 'POST', body: JSON.stringify(Payload), headers: { 'Content-Type': 'application/json' } });
  const body = await response.text();
  if (response.status !== 200) {
    throw error(`Lambda.${response.headers.get('x-amzn-ErrorType') ?? 'AWSLambdaException'}`,
      `${JSON.parse(body).message} (Service: Lambda, Status Code: ${response.status})`);
  }
  if (response.headers.has('X-Amz-Function-Error')) {
    throw error(JSON.parse(body).errorType, body);
  }
  return {
    ExecutedVersion: response.headers.get('X-Amz-Executed-Version'),
    Payload: JSON.parse(body),
    StatusCode: response.status,
  };
}

/** As the aws-sdk:backup integration: the API's answer as is, an error as Backup.<its code>. */
async function describeBackupJob({ BackupJobId }) {
  const response = await fetch(`${setup.backupEndpoint}/backup-jobs/${encodeURIComponent(BackupJobId)}`);
  const body = await response.json();
  if (response.status !== 200) {
    throw error(`Backup.${response.headers.get('x-amzn-ErrorType') ?? body.__type}`,
      `${body.Message} (Service: Backup, Status Code: ${response.status})`);
  }
  return body;
}

/** As the aws-sdk:backup integration: a parameter the model does not know fails the task, as the SDK would. */
async function listCopyJobs(parameters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (!(name in LIST_COPY_JOBS_QUERY)) {
      throw error('States.Runtime', `ListCopyJobs has no parameter ${name}`);
    }
    query.set(LIST_COPY_JOBS_QUERY[name], String(value));
  }
  const response = await fetch(`${setup.backupEndpoint}/copy-jobs/?${query}`);
  const body = await response.json();
  if (response.status !== 200) {
    throw error(`Backup.${response.headers.get('x-amzn-ErrorType') ?? body.__type}`,
      `${body.Message} (Service: Backup, Status Code: ${response.status})`);
  }
  return body;
}

function error(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** DefinitionSubstitutions: each ${Key} in a string becomes its value, as when the stack is deployed. */
function substitute(node, substitutions) {
  if (typeof node === 'string') {
    return node.replace(/\$\{([^}]+)\}/g, (placeholder, key) => substitutions[key] ?? placeholder);
  }
  if (Array.isArray(node)) {
    return node.map((item) => substitute(item, substitutions));
  }
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, substitute(value, substitutions)]));
  }
  return node;
}

/**
 * Step Functions accepts an intrinsic function (States.Format, ...) as a Fail state's CausePath; this library reads
 * CausePath as a plain path only. So each such Fail state becomes what it means: a Pass state evaluating the function,
 * with the library's own intrinsics, into the input, then the same Fail reading it back. Error and cause are unchanged.
 */
function withIntrinsicCausePaths(stateMachine) {
  const states = {};
  for (const [name, state] of Object.entries(stateMachine.States)) {
    if (state.Type === 'Fail' && state.CausePath?.startsWith('States.')) {
      const { CausePath, ...fail } = state;
      const failName = `${name} (fail)`;
      states[name] = {
        Type: 'Pass', Parameters: { 'Cause.$': CausePath }, ResultPath: '$.IntrinsicCause', Next: failName,
      };
      states[failName] = { ...fail, CausePath: '$.IntrinsicCause.Cause' };
    } else {
      states[name] = state;
    }
  }
  return { ...stateMachine, States: states };
}
