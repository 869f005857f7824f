import { createHash } from 'node:crypto';
import type { ObjectEvent } from './object-event';
import { padSequencer } from './sequencer';

/** Step Functions execution names: at most 80 characters. */
export const MAX_EXECUTION_NAME_LENGTH = 80;
const HASH_LENGTH = 32;
const PREFIX_LENGTH = MAX_EXECUTION_NAME_LENGTH - HASH_LENGTH - 1;

type EventIdentity = Pick<ObjectEvent, 'bucket' | 'key' | 'versionId' | 'sequencer'> &
  Partial<Pick<ObjectEvent, 'eventName' | 'eventTime' | 'requestId'>>;

/**
 * A stable id for one S3 event: the same bucket, key, version and sequencer
 * always give the same 32 hex digits. It names the execution (so a duplicate
 * delivery cannot start a second one) and identifies the notification (so
 * subscribers can drop repeats). An event S3 sends without a sequencer (tags,
 * Lifecycle transitions, restores) is identified by its name, time and request id instead.
 */
export function eventId(event: EventIdentity): string {
  const identity =
    event.sequencer !== undefined
      ? // The padded form: one sequencer, however it is spelled (case, leading zeros), gives one id.
        [event.bucket, event.key, event.versionId ?? '', padSequencer(event.sequencer)]
      : [
          event.bucket,
          event.key,
          event.versionId ?? '',
          event.eventName ?? '',
          event.eventTime ?? '',
          event.requestId ?? '',
        ];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * The deterministic execution name of one S3 event: a readable prefix from the
 * key's last segment, then {@link eventId}. Only `A-Z a-z 0-9 - _` are used,
 * the set Step Functions accepts everywhere (CloudWatch Logs included).
 *
 * @example executionName({ bucket: 'b', key: 'photos/cat 1.jpg', sequencer: '0A' }) // 'cat_1_jpg-<32 hex>'
 */
export function executionName(event: EventIdentity): string {
  const segments = event.key.split('/').filter((segment) => segment !== '');
  const readable = (segments.at(-1) ?? '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, PREFIX_LENGTH)
    .replace(/[_-]+$/, '');
  return `${readable === '' ? 'object' : readable}-${eventId(event)}`;
}
