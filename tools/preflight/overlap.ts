import { SUBSCRIBED_EVENT_TYPES } from '../../functions/core/names';

/**
 * S3's rule for a bucket's event notification configurations: two
 * configurations (queue, topic or Lambda) may not share an event type with
 * overlapping key filters, or PutBucketNotificationConfiguration is refused
 * ("Configurations overlap. Configurations on the same bucket cannot share a
 * common event type.") and the deploy rolls back
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html).
 *
 * - Event types overlap when they are equal or one is the wildcard of the
 *   other's family (`s3:ObjectCreated:*` and `s3:ObjectCreated:Put`).
 * - Prefixes overlap when one starts with the other (an absent prefix is the
 *   empty one: it overlaps every prefix); suffixes when one ends with the other.
 * - Two filters overlap when some key matches both: their prefixes overlap
 *   AND their suffixes overlap (a prefix-only filter and a suffix-only filter
 *   always overlap). The same prefix with suffixes that do not overlap
 *   (`.jpg`, `.png`) is allowed.
 * EventBridge delivery (EventBridgeConfiguration) has no filter and never conflicts.
 */

/** One notification rule: its event types and its key filter. */
export interface NotificationRule {
  /** Where it delivers (an ARN), or what the pipeline would add. */
  readonly destination: string;
  readonly id?: string;
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
}

/** A rule of the bucket that would conflict with one the deploy adds, and why. */
export interface Overlap {
  readonly existing: NotificationRule;
  readonly planned: NotificationRule;
  /** The event types both cover. */
  readonly events: string[];
}

/** Whether two event types cover a common event. */
export function eventTypesOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const family = (type: string) => (type.endsWith(':*') ? type.slice(0, -1) : undefined);
  const familyA = family(a);
  const familyB = family(b);
  return (familyA !== undefined && b.startsWith(familyA)) || (familyB !== undefined && a.startsWith(familyB));
}

/** Whether some key starts with both prefixes (an absent prefix matches every key). */
export function prefixesOverlap(a = '', b = ''): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** Whether some key ends with both suffixes (an absent suffix matches every key). */
export function suffixesOverlap(a = '', b = ''): boolean {
  return a.endsWith(b) || b.endsWith(a);
}

/** Whether some key matches both filters. */
export function filtersOverlap(a: NotificationRule, b: NotificationRule): boolean {
  return prefixesOverlap(a.prefix, b.prefix) && suffixesOverlap(a.suffix, b.suffix);
}

/** Every existing rule that would conflict with a planned one. */
export function findOverlaps(
  existing: readonly NotificationRule[],
  planned: readonly NotificationRule[],
): Overlap[] {
  const overlaps: Overlap[] = [];
  for (const rule of existing) {
    for (const ours of planned) {
      const events = rule.events.filter((event) =>
        ours.events.some((type) => eventTypesOverlap(event, type)),
      );
      if (events.length > 0 && filtersOverlap(rule, ours))
        overlaps.push({ existing: rule, planned: ours, events });
    }
  }
  return overlaps;
}

/** The shape GetBucketNotificationConfiguration returns (the fields read here). */
export interface NotificationConfiguration {
  QueueConfigurations?: readonly ConfigurationEntry[];
  TopicConfigurations?: readonly ConfigurationEntry[];
  LambdaFunctionConfigurations?: readonly ConfigurationEntry[];
}

interface ConfigurationEntry {
  Id?: string;
  QueueArn?: string;
  TopicArn?: string;
  LambdaFunctionArn?: string;
  Events?: readonly string[];
  Filter?: { Key?: { FilterRules?: readonly { Name?: string; Value?: string }[] } };
}

/** The rules of a bucket's notification configuration (filter rule names are case-insensitive). */
export function rulesOf(configuration: NotificationConfiguration): NotificationRule[] {
  const entries = [
    ...(configuration.QueueConfigurations ?? []),
    ...(configuration.TopicConfigurations ?? []),
    ...(configuration.LambdaFunctionConfigurations ?? []),
  ];
  return entries.map((entry) => {
    const filter = (name: string) =>
      entry.Filter?.Key?.FilterRules?.find((rule) => rule.Name?.toLowerCase() === name)?.Value;
    const prefix = filter('prefix');
    const suffix = filter('suffix');
    return {
      destination: entry.QueueArn ?? entry.TopicArn ?? entry.LambdaFunctionArn ?? '(unknown)',
      ...(entry.Id !== undefined ? { id: entry.Id } : {}),
      events: [...(entry.Events ?? [])],
      ...(prefix ? { prefix } : {}),
      ...(suffix ? { suffix } : {}),
    };
  });
}

/**
 * The rules a deploy adds to a watched bucket: one per event type of
 * SUBSCRIBED_EVENT_TYPES (cdk/metadata-pipeline.ts subscribeBuckets), removals
 * only when deletes are recorded.
 */
export function plannedRules(watch: {
  prefix?: string;
  suffix?: string;
  recordDeletes: boolean;
}): NotificationRule[] {
  const filter = {
    ...(watch.prefix ? { prefix: watch.prefix } : {}),
    ...(watch.suffix ? { suffix: watch.suffix } : {}),
  };
  const types = [
    ...SUBSCRIBED_EVENT_TYPES.always,
    ...(watch.recordDeletes ? SUBSCRIBED_EVENT_TYPES.removals : []),
  ];
  return types.map((type) => ({ destination: 'the pipeline ingest queue', events: [type], ...filter }));
}
