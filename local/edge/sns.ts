import { queryError } from './aws-errors';
import type { EdgeRequest, EdgeResponse } from './http';

/**
 * SNS `MessageStructure: json`: the message is a JSON object with one body per
 * protocol, and each subscriber gets its own (`sqs` for queues, else
 * `default`). fauxqs delivers the whole object instead; this rewrites such a
 * Publish (and each such PublishBatch entry) into the message an SQS
 * subscriber of SNS would receive. Every subscriber here is a queue.
 */

/** The body an SQS subscriber receives for a json-structured message. */
function sqsBody(structured: string): string | EdgeResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(structured);
  } catch {
    return queryError(
      'sns',
      400,
      'InvalidParameter',
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
  }
  const bodies = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof bodies.default !== 'string') {
    return queryError(
      'sns',
      400,
      'InvalidParameter',
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
  }
  return typeof bodies.sqs === 'string' ? bodies.sqs : bodies.default;
}

/**
 * Rewrites a json-structured Publish or PublishBatch; returns the request
 * unchanged when there is nothing to rewrite, or an SNS error response.
 */
export function rewriteStructuredPublish(request: EdgeRequest): EdgeRequest | EdgeResponse {
  const params = new URLSearchParams(request.body.toString('utf8'));
  const action = params.get('Action');
  let changed = false;
  if (action === 'Publish' && params.get('MessageStructure') === 'json') {
    const body = sqsBody(params.get('Message') ?? '');
    if (typeof body !== 'string') return body;
    params.set('Message', body);
    params.delete('MessageStructure');
    changed = true;
  }
  if (action === 'PublishBatch') {
    for (const [name, value] of [...params]) {
      const entry = /^PublishBatchRequestEntries\.member\.(\d+)\.MessageStructure$/.exec(name);
      if (entry === null || value !== 'json') continue;
      const messageKey = `PublishBatchRequestEntries.member.${entry[1]}.Message`;
      const body = sqsBody(params.get(messageKey) ?? '');
      if (typeof body !== 'string') return body;
      params.set(messageKey, body);
      params.delete(name);
      changed = true;
    }
  }
  return changed ? { ...request, body: Buffer.from(params.toString(), 'utf8') } : request;
}
