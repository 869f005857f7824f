/**
 * SNS's HTTP/S delivery policy: how many times a failed delivery is retried
 * and how long each retry waits ("Amazon SNS message delivery retries",
 * "Creating an HTTP/S delivery policy"). Without a policy of its own, an
 * HTTP/S subscription gets SNS's default: "up to three retries with a delay
 * between failed attempts set at 20 seconds" (SNS Developer Guide, "Set the
 * delivery policy for the Amazon SNS subscription"), i.e. the policy below.
 */

export type BackoffFunction = 'arithmetic' | 'exponential' | 'geometric' | 'linear';

export interface HealthyRetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: BackoffFunction;
}

/** SNS's default HTTP/S policy, as `EffectiveDeliveryPolicy` shows it. */
export const DEFAULT_HTTP_POLICY: HealthyRetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: 'linear',
};

type Json = Record<string, unknown>;

function parsed(text: string | undefined): Json | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const json = JSON.parse(text) as unknown;
    return typeof json === 'object' && json !== null ? (json as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The subscription's and the topic's policies, and whether the topic's win (`disableSubscriptionOverrides`). */
function policies(subscriptionPolicy?: string, topicPolicy?: string) {
  const http = (parsed(topicPolicy)?.http ?? {}) as Json;
  const own = http.disableSubscriptionOverrides === true ? {} : (parsed(subscriptionPolicy) ?? {});
  return { own, http };
}

/**
 * The effective retry policy of a subscription: its own `DeliveryPolicy`
 * (`healthyRetryPolicy`), else the topic's (`http.defaultHealthyRetryPolicy`,
 * which wins over the subscription's with `disableSubscriptionOverrides`),
 * else SNS's default; missing numbers take the default's.
 */
export function effectivePolicy(subscriptionPolicy?: string, topicPolicy?: string): HealthyRetryPolicy {
  const { own, http } = policies(subscriptionPolicy, topicPolicy);
  return {
    ...DEFAULT_HTTP_POLICY,
    ...((http.defaultHealthyRetryPolicy as Partial<HealthyRetryPolicy> | undefined) ?? {}),
    ...((own.healthyRetryPolicy as Partial<HealthyRetryPolicy> | undefined) ?? {}),
  };
}

/**
 * The Content-Type of the POST: the policy's `requestPolicy.headerContentType`
 * (the topic's `http.defaultRequestPolicy`), else `text/plain; charset=UTF-8`.
 */
export function effectiveContentType(subscriptionPolicy?: string, topicPolicy?: string): string {
  const { own, http } = policies(subscriptionPolicy, topicPolicy);
  const type =
    (own.requestPolicy as Json | undefined)?.headerContentType ??
    (http.defaultRequestPolicy as Json | undefined)?.headerContentType;
  return typeof type === 'string' && type !== '' ? type : 'text/plain; charset=UTF-8';
}

/** Problems with a DeliveryPolicy value, as SNS's InvalidParameter message words them; empty when valid. */
export function deliveryPolicyProblems(text: string): string[] {
  let json: { healthyRetryPolicy?: Partial<Record<keyof HealthyRetryPolicy, unknown>> };
  try {
    json = JSON.parse(text);
  } catch {
    return ['DeliveryPolicy: failed to parse JSON'];
  }
  const policy = json.healthyRetryPolicy;
  if (policy === undefined) return [];
  const problems: string[] = [];
  const merged = { ...DEFAULT_HTTP_POLICY, ...policy } as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_HTTP_POLICY) as (keyof HealthyRetryPolicy)[]) {
    if (key === 'backoffFunction') continue;
    const value = merged[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      problems.push(`${key} must be a whole number of at least 0`);
    }
  }
  if (!['arithmetic', 'exponential', 'geometric', 'linear'].includes(String(merged.backoffFunction))) {
    problems.push('backoffFunction must be one of arithmetic, exponential, geometric, linear');
  }
  if (problems.length > 0) return problems;
  const valid = merged as unknown as HealthyRetryPolicy;
  if (valid.minDelayTarget < 1) problems.push('minDelayTarget must be at least 1');
  if (valid.maxDelayTarget < valid.minDelayTarget)
    problems.push('maxDelayTarget must be at least minDelayTarget');
  if (valid.numRetries > 100) problems.push('numRetries must be at most 100');
  if (valid.numNoDelayRetries + valid.numMinDelayRetries + valid.numMaxDelayRetries > valid.numRetries) {
    problems.push('numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries must not exceed numRetries');
  }
  if (problems.length === 0 && retryDelays(valid).reduce((sum, delay) => sum + delay, 0) > 3600) {
    problems.push('the total retry time must not exceed 3,600 seconds');
  }
  return problems;
}

/**
 * The wait before each retry, in seconds, phase by phase: immediate retries
 * (0), pre-backoff retries (minDelayTarget), the backoff phase (from min to
 * max along the backoff function), post-backoff retries (maxDelayTarget).
 * SNS adds jitter; the local runtime does not, so a schedule can be checked.
 */
export function retryDelays(policy: HealthyRetryPolicy): number[] {
  const delays: number[] = [];
  const backoff =
    policy.numRetries - policy.numNoDelayRetries - policy.numMinDelayRetries - policy.numMaxDelayRetries;
  for (let i = 0; i < policy.numNoDelayRetries; i += 1) delays.push(0);
  for (let i = 0; i < policy.numMinDelayRetries; i += 1) delays.push(policy.minDelayTarget);
  const { minDelayTarget: min, maxDelayTarget: max } = policy;
  for (let i = 1; i <= backoff; i += 1) {
    // Position in the phase, 0 < share <= 1: the last backoff retry waits the maximum.
    const share = i / backoff;
    const curve: Record<BackoffFunction, number> = {
      linear: share,
      arithmetic: share * share,
      geometric: share ** 3,
      exponential: min === max ? share : (Math.exp(share * Math.log(max / min)) - 1) / (max / min - 1),
    };
    delays.push(Math.round(min + (max - min) * curve[policy.backoffFunction]));
  }
  for (let i = 0; i < policy.numMaxDelayRetries; i += 1) delays.push(policy.maxDelayTarget);
  return delays;
}
