import { createSign, randomUUID } from 'node:crypto';

/**
 * The JSON documents SNS POSTs to HTTP/HTTPS endpoints (and writes into
 * email-json mail), signed as SNS signs them.
 *
 * Sources: "HTTP/HTTPS subscription confirmation JSON format",
 * "HTTP/HTTPS notification JSON format", "HTTP/HTTPS unsubscribe confirmation
 * JSON format" and "Verifying the signatures of Amazon SNS messages" in the
 * Amazon SNS Developer Guide.
 */

export type SnsMessageType = 'SubscriptionConfirmation' | 'Notification' | 'UnsubscribeConfirmation';

export interface MessageAttribute {
  Type: string;
  Value: string;
}

/** One message as delivered: the signed fields first, in the order SNS writes them. */
export interface SnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  Token?: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  SubscribeURL?: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL?: string;
  MessageAttributes?: Record<string, MessageAttribute>;
}

/**
 * The fields a signature covers, in SNS's order: byte-wise sorted names, each
 * written as `Name\nValue\n`, an absent optional field (Subject) left out.
 */
const SIGNED_FIELDS: Record<SnsMessageType, readonly (keyof Omit<SnsMessage, 'Signature'>)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** The string SNS signs for a message (see "Verifying the signatures of Amazon SNS messages"). */
export function stringToSign(message: Omit<SnsMessage, 'Signature'>): string {
  return SIGNED_FIELDS[message.Type]
    .filter((field) => message[field] !== undefined)
    .map((field) => `${field}\n${String(message[field])}\n`)
    .join('');
}

/** Signs with SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2), base64, as SNS does. */
export function sign(message: Omit<SnsMessage, 'Signature'>, privateKey: string): SnsMessage {
  const signer = createSign(message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(stringToSign(message), 'utf8');
  const signed = { ...message, Signature: signer.sign(privateKey, 'base64') };
  // Key order as SNS writes it: Signature before SigningCertURL.
  const ordered: Partial<SnsMessage> = {};
  for (const key of ORDER) {
    if (signed[key] !== undefined) (ordered as Record<string, unknown>)[key] = signed[key];
  }
  return ordered as SnsMessage;
}

const ORDER: readonly (keyof SnsMessage)[] = [
  'Type',
  'MessageId',
  'Token',
  'TopicArn',
  'Subject',
  'Message',
  'SubscribeURL',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
  'UnsubscribeURL',
  'MessageAttributes',
];

/** What every message of one runtime shares: where its certificate and control URLs are. */
export interface Signer {
  /** The HTTPS base the runtime serves SubscribeURL, UnsubscribeURL and the certificate from. */
  baseUrl: string;
  signingCertUrl: string;
  privateKey: string;
}

const timestamp = () => new Date().toISOString();

export function subscriptionConfirmation(
  signer: Signer,
  input: { topicArn: string; token: string; signatureVersion: '1' | '2' },
): SnsMessage {
  return sign(
    {
      Type: 'SubscriptionConfirmation',
      MessageId: randomUUID(),
      Token: input.token,
      TopicArn: input.topicArn,
      Message: `You have chosen to subscribe to the topic ${input.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: subscribeUrl(signer, input.topicArn, input.token),
      Timestamp: timestamp(),
      SignatureVersion: input.signatureVersion,
      SigningCertURL: signer.signingCertUrl,
    },
    signer.privateKey,
  );
}

export function unsubscribeConfirmation(
  signer: Signer,
  input: { topicArn: string; subscriptionArn: string; token: string; signatureVersion: '1' | '2' },
): SnsMessage {
  return sign(
    {
      Type: 'UnsubscribeConfirmation',
      MessageId: randomUUID(),
      Token: input.token,
      TopicArn: input.topicArn,
      Message: `You have chosen to deactivate subscription ${input.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: subscribeUrl(signer, input.topicArn, input.token),
      Timestamp: timestamp(),
      SignatureVersion: input.signatureVersion,
      SigningCertURL: signer.signingCertUrl,
    },
    signer.privateKey,
  );
}

/** A published message, as it is for every subscriber before the per-protocol body is chosen. */
export interface Published {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The message, or (with MessageStructure json) the JSON object of bodies per protocol. */
  message: string;
  structured: boolean;
  attributes: Record<string, MessageAttribute>;
  timestamp: string;
}

/**
 * The body a protocol receives: with `MessageStructure: json`, its own key
 * (`http`, `https`, `email`, `email-json`) or else `default`.
 */
export function bodyFor(published: Published, protocol: string): string {
  if (!published.structured) return published.message;
  const bodies = JSON.parse(published.message) as Record<string, unknown>;
  const own = bodies[protocol];
  return typeof own === 'string' ? own : String(bodies.default);
}

export function notification(
  signer: Signer,
  published: Published,
  input: { protocol: string; subscriptionArn: string; signatureVersion: '1' | '2' },
): SnsMessage {
  return sign(
    {
      Type: 'Notification',
      MessageId: published.messageId,
      TopicArn: published.topicArn,
      ...(published.subject !== undefined ? { Subject: published.subject } : {}),
      Message: bodyFor(published, input.protocol),
      Timestamp: published.timestamp,
      SignatureVersion: input.signatureVersion,
      SigningCertURL: signer.signingCertUrl,
      UnsubscribeURL: `${signer.baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(input.subscriptionArn)}`,
      ...(Object.keys(published.attributes).length > 0 ? { MessageAttributes: published.attributes } : {}),
    },
    signer.privateKey,
  );
}

function subscribeUrl(signer: Signer, topicArn: string, token: string): string {
  return `${signer.baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${encodeURIComponent(token)}`;
}

/**
 * The headers of SNS's POST ("HTTP/HTTPS headers"): the message type, id and
 * topic, the subscription (not on a SubscriptionConfirmation, which precedes
 * it), and `x-amz-sns-rawdelivery: true` on a raw message.
 */
export function deliveryHeaders(input: {
  type: SnsMessageType;
  messageId: string;
  topicArn: string;
  subscriptionArn?: string;
  raw?: boolean;
  contentType?: string;
}): Record<string, string> {
  return {
    'x-amz-sns-message-type': input.type,
    'x-amz-sns-message-id': input.messageId,
    'x-amz-sns-topic-arn': input.topicArn,
    ...(input.subscriptionArn !== undefined && input.type !== 'SubscriptionConfirmation'
      ? { 'x-amz-sns-subscription-arn': input.subscriptionArn }
      : {}),
    ...(input.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    'content-type': input.contentType ?? 'text/plain; charset=UTF-8',
    'user-agent': 'Amazon Simple Notification Service Agent',
  };
}
