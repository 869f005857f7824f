import { createHash } from 'node:crypto';
import { jsonError, queryError, s3Error } from './edge/aws-errors';
import type { EdgeRequest, EdgeResponse } from './edge/http';
import { requestId } from './edge/http';
import type { Interceptor, ServiceName } from './edge/server';
import type { LambdaHandler } from './lambda-invoke';

/**
 * Fault injection for the local runtime, off by default:
 *
 *   --faults throttle=0.2,transient=0.1,crash-after-write=0.05,deny=restricted/  [--faults-seed 7]
 *   (or S3MP_FAULTS and S3MP_FAULTS_SEED)
 *
 * - `throttle`: a pipeline call to S3, DynamoDB, SNS or Step Functions answers
 *   with that service's own throttling error (SlowDown, ProvisionedThroughput
 *   ExceededException, Throttling, ThrottlingException).
 * - `transient`: it answers with that service's 500 error.
 * - `crash-after-write`: a function finishes its work (its write, its
 *   publish, its StartExecution) and then dies, as a Lambda whose process
 *   exits: Step Functions sees `Runtime.ExitError`, the event source sees a
 *   failed batch.
 * - `deny=PREFIX`: reads of objects under PREFIX are refused (403
 *   AccessDenied), as for an object encrypted with a key the pipeline may not use.
 *
 * Faults touch only the pipeline's own calls (the handlers reach the edge on a
 * port of their own); uploads through the public endpoint never fail. Each
 * decision is drawn from the seed and the call's identity (service, action,
 * object, attempt), so a run with the same seed and the same uploads makes the
 * same decisions, whatever the interleaving.
 */

export interface FaultSpec {
  throttle: number;
  transient: number;
  crashAfterWrite: number;
  deny?: string;
  seed: number;
}

export const NO_FAULTS: FaultSpec = { throttle: 0, transient: 0, crashAfterWrite: 0, seed: 0 };

const KNOWN = ['throttle', 'transient', 'crash-after-write', 'deny'];

/** A fault specification that cannot be used; the message says what and what is allowed. */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/** Parses `throttle=0.2,transient=0.1,crash-after-write=0.05,deny=prefix/`. */
export function parseFaults(spec: string | undefined, seed: string | undefined): FaultSpec {
  const faults: FaultSpec = { ...NO_FAULTS };
  if (seed !== undefined && seed !== '') {
    if (!/^\d{1,15}$/.test(seed))
      throw new FaultSpecError(`--faults-seed must be a whole number (received "${seed}")`);
    faults.seed = Number(seed);
  }
  if (spec === undefined || spec.trim() === '') return faults;
  for (const part of spec.split(',')) {
    const [name = '', value = ''] = part.split('=').map((text) => text.trim());
    if (!KNOWN.includes(name)) {
      throw new FaultSpecError(
        `--faults: unknown fault "${name}" in "${spec}" (allowed: ${KNOWN.join(', ')})`,
      );
    }
    if (name === 'deny') {
      if (value === '') throw new FaultSpecError('--faults: deny needs a key prefix, e.g. deny=restricted/');
      faults.deny = value;
      continue;
    }
    const probability = Number(value);
    if (value === '' || !Number.isFinite(probability) || probability < 0 || probability > 1) {
      throw new FaultSpecError(`--faults: ${name} must be a probability from 0 to 1 (received "${value}")`);
    }
    if (name === 'throttle') faults.throttle = probability;
    else if (name === 'transient') faults.transient = probability;
    else faults.crashAfterWrite = probability;
  }
  if (faults.throttle + faults.transient > 1) {
    throw new FaultSpecError(
      `--faults: throttle + transient must not exceed 1 (received ${faults.throttle} + ${faults.transient})`,
    );
  }
  return faults;
}

/** Whether any fault is on. */
export function anyFaults(faults: FaultSpec): boolean {
  return (
    faults.throttle > 0 || faults.transient > 0 || faults.crashAfterWrite > 0 || faults.deny !== undefined
  );
}

/** A uniform number in [0, 1) from the seed and a call identity. */
function draw(seed: number, identity: string): number {
  return createHash('sha256').update(`${seed}\u0000${identity}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** The object a request is about, for a stable identity (S3 path, DynamoDB key, SNS key attribute, execution name). */
function target(service: ServiceName, request: EdgeRequest): string {
  if (service === 's3') return decodeURIComponent(request.url.pathname);
  const body = request.body.toString('utf8');
  if (service === 'sns') {
    const params = new URLSearchParams(body);
    for (const [name, value] of params) {
      const entry = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(name);
      if (entry !== null && value === 'key')
        return params.get(`MessageAttributes.entry.${entry[1]}.Value.StringValue`) ?? '';
    }
  }
  return (
    /"ObjectKey":\{"S":"((?:[^"\\]|\\.)*)"/.exec(body)?.[1] ??
    /"name":"([^"]+)"/.exec(body)?.[1] ??
    body.slice(0, 200)
  );
}

const THROTTLE: Record<string, () => EdgeResponse> = {
  s3: () => s3Error(503, 'SlowDown', 'Please reduce your request rate. (injected fault)'),
  dynamodb: () =>
    jsonError(
      400,
      'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded. (injected fault)',
    ),
  sns: () => queryError('sns', 400, 'Throttling', 'Rate exceeded (injected fault)'),
  states: () => jsonError(400, 'ThrottlingException', 'Rate exceeded (injected fault)'),
};

const TRANSIENT: Record<string, () => EdgeResponse> = {
  s3: () =>
    s3Error(500, 'InternalError', 'We encountered an internal error. Please try again. (injected fault)'),
  dynamodb: () =>
    jsonError(
      500,
      'com.amazonaws.dynamodb.v20120810#InternalServerError',
      'Internal server error (injected fault)',
    ),
  sns: () => queryError('sns', 500, 'InternalError', 'Internal error (injected fault)'),
  states: () => jsonError(500, 'InternalFailure', 'Internal failure (injected fault)'),
};

/** Counts of what was injected, for the trace and the tests. */
export interface FaultCounts {
  throttle: number;
  transient: number;
  crash: number;
  deny: number;
}

/** Builds the edge interceptor and the function wrapper of a fault specification. */
export function faultInjector(faults: FaultSpec) {
  const attempts = new Map<string, number>();
  const counts: FaultCounts = { throttle: 0, transient: 0, crash: 0, deny: 0 };
  const next = (identity: string) => {
    const attempt = (attempts.get(identity) ?? 0) + 1;
    attempts.set(identity, attempt);
    return draw(faults.seed, `${identity}\u0000${attempt}`);
  };

  const interceptor: Interceptor = (service, action, request) => {
    if (
      faults.deny !== undefined &&
      service === 's3' &&
      (request.method === 'GET' || request.method === 'HEAD')
    ) {
      const [, , ...key] = request.url.pathname.split('/');
      if (decodeURIComponent(key.join('/')).startsWith(faults.deny)) {
        counts.deny += 1;
        return s3Error(403, 'AccessDenied', 'Access Denied (injected fault: deny)');
      }
    }
    const throttled = THROTTLE[service];
    const failing = TRANSIENT[service];
    if (throttled === undefined || failing === undefined) return undefined;
    if (faults.throttle === 0 && faults.transient === 0) return undefined;
    const roll = next(`${service}\u0000${action}\u0000${target(service, request)}`);
    if (roll < faults.throttle) {
      counts.throttle += 1;
      return throttled();
    }
    if (roll < faults.throttle + faults.transient) {
      counts.transient += 1;
      return failing();
    }
    return undefined;
  };

  const wrapFunction = (name: string, handler: LambdaHandler): LambdaHandler => {
    if (faults.crashAfterWrite === 0) return handler;
    return async (event) => {
      const result = await handler(event);
      // Receipt handles and message ids change from run to run; the bodies do not.
      const records = (event as { Records?: { body?: string }[] }).Records;
      const identity = `${name}\u0000${records ? records.map((record) => record.body).join('\u0000') : JSON.stringify(event)}`;
      if (next(identity) < faults.crashAfterWrite) {
        counts.crash += 1;
        const error = new Error(
          `RequestId: ${requestId()} Error: Runtime exited with error: signal: killed (injected fault: crash after the work was done)`,
        );
        error.name = 'Runtime.ExitError';
        throw error;
      }
      return result;
    };
  };

  return { interceptor, wrapFunction, counts };
}
