import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { getCACertificates } from 'node:tls';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queryError } from '../edge/aws-errors';
import { type EdgeRequest, type EdgeResponse, forward, reply, requestId, xmlEscape } from '../edge/http';
import { loadOrCreateCertificates, type SnsCertificates } from './certificates';
import { emailFooter, writeMail } from './email';
import {
  bodyFor,
  deliveryHeaders,
  type MessageAttribute,
  notification,
  type Published,
  type Signer,
  type SnsMessage,
  subscriptionConfirmation,
  unsubscribeConfirmation,
} from './messages';
import { deliveryPolicyProblems, effectiveContentType, effectivePolicy, retryDelays } from './policy';
import { isOwnProtocol, type Subscription, SubscriptionStore } from './subscriptions';

/**
 * SNS's HTTP, HTTPS, email and email-json subscribers, in front of fauxqs
 * (which keeps topics and SQS subscriptions). The edge hands every SNS request
 * to {@link SnsSubscribers.handle}: the subscription actions for these
 * protocols are answered here, everything else goes on to fauxqs, and after
 * each successful Publish the message is delivered here as SNS would:
 * signed JSON (or the raw message) POSTed with SNS's headers and retried on
 * the delivery policy's schedule, then the subscription's dead-letter queue;
 * email written as `.eml` files.
 *
 * The runtime also serves, over HTTPS on 127.0.0.1, what SNS serves on
 * sns.REGION.amazonaws.com: the signing certificate (`SigningCertURL`) and
 * the `SubscribeURL` / `UnsubscribeURL` links.
 */

export interface SnsSubscribersOptions {
  store: DatabaseSync;
  /** Certificates are kept under `<dataDir>/sns/`, mail is written under `<dataDir>/mail/`. */
  dataDir: string;
  fauxqsEndpoint: string;
  region: string;
  /**
   * Multiplies every wait of the delivery policy (tests: 0.01 turns 20 s into 0.2 s), and the
   * time an endpoint has to answer, though never below 1 s.
   * @default 1
   */
  delayScale?: number;
}

type Params = URLSearchParams;

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function snsResponse(action: string, result?: string): EdgeResponse {
  const body = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
  return reply(
    200,
    `<${action}Response xmlns="${XMLNS}">${body}<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`,
    'text/xml',
  );
}

const invalid = (message: string) =>
  queryError('sns', 400, 'InvalidParameter', `Invalid parameter: ${message}`);
const notFound = (message: string) => queryError('sns', 404, 'NotFound', message);

/** `Attributes.entry.N.key/value` (Subscribe) or `MessageAttributes.entry.N.Name/Value.*` (Publish). */
function entries(params: Params, prefix: string, keyName: string, valueName: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, value] of params) {
    const match = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.entry\\.(\\d+)\\.${keyName}$`).exec(name);
    if (match === null) continue;
    found.set(value, params.get(`${prefix}.entry.${match[1]}.${valueName}`) ?? '');
  }
  return found;
}

function messageAttributes(params: Params, prefix: string): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, value] of params) {
    const match = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.entry\\.(\\d+)\\.Name$`).exec(name);
    if (match === null) continue;
    const base = `${prefix}.entry.${match[1]}.Value`;
    attributes[value] = {
      Type: params.get(`${base}.DataType`) ?? 'String',
      Value: params.get(`${base}.StringValue`) ?? params.get(`${base}.BinaryValue`) ?? '',
    };
  }
  return attributes;
}

interface FilterModule {
  matchesFilterPolicy(
    policy: unknown,
    attributes: Record<string, { DataType: string; StringValue: string }>,
  ): boolean;
  matchesFilterPolicyOnBody(policy: unknown, body: string): boolean;
}

let filterModule: Promise<FilterModule> | undefined;
/**
 * fauxqs's filter-policy matcher, the one its SQS subscriptions use, so that
 * every protocol filters alike. It is not in fauxqs's exports: loaded by path.
 */
function filters(): Promise<FilterModule> {
  filterModule ??= import(join(__dirname, '..', '..', 'node_modules', 'fauxqs', 'dist', 'sns', 'filter.js'));
  return filterModule;
}

/** Whether a subscription's FilterPolicy lets a message through (no policy: everything). */
async function passes(subscription: Subscription, published: Published): Promise<boolean> {
  const text = subscription.attributes.FilterPolicy;
  if (text === undefined || text === '') return true;
  const policy = JSON.parse(text) as unknown;
  const { matchesFilterPolicy, matchesFilterPolicyOnBody } = await filters();
  if (subscription.attributes.FilterPolicyScope === 'MessageBody') {
    return matchesFilterPolicyOnBody(policy, bodyFor(published, subscription.protocol));
  }
  return matchesFilterPolicy(
    policy,
    Object.fromEntries(
      Object.entries(published.attributes).map(([name, value]) => [
        name,
        { DataType: value.Type, StringValue: value.Value },
      ]),
    ),
  );
}

const SETTABLE = [
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
];

interface Attempt {
  ok: boolean;
  /** 5xx, 429, no answer: the delivery policy applies. Anything else not 2xx is a permanent failure. */
  retryable: boolean;
  detail: string;
}

interface TopicAttributes {
  signatureVersion: '1' | '2';
  displayName: string;
  deliveryPolicy?: string;
}

export class SnsSubscribers {
  private readonly subscriptions: SubscriptionStore;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private readonly sqs: SQSClient;
  private server: Server | undefined;
  private signer: Signer | undefined;
  private stopped = false;
  /** Where the runtime's CA certificate is: NODE_EXTRA_CA_CERTS for a receiver that verifies signatures. */
  caFile = '';
  /** The HTTPS base of SigningCertURL, SubscribeURL and UnsubscribeURL. */
  baseUrl = '';
  readonly mailDir: string;

  constructor(private readonly options: SnsSubscribersOptions) {
    this.subscriptions = new SubscriptionStore(options.store);
    this.mailDir = join(options.dataDir, 'mail');
    this.sqs = new SQSClient({
      endpoint: options.fauxqsEndpoint,
      region: options.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  private readonly listeners = new Set<(line: string) => void>();

  /** Calls `listener` with one line per delivery attempt, confirmation and email written; returns a function that stops it. */
  onTrace(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private trace(line: string): void {
    for (const listener of this.listeners) listener(line);
  }

  /** Makes (or reads) the certificates and starts the HTTPS listener on 127.0.0.1. */
  async start(): Promise<void> {
    const dir = join(this.options.dataDir, 'sns');
    const certificates: SnsCertificates = await loadOrCreateCertificates(dir);
    this.caFile = certificates.caFile;
    // An https endpoint must present a certificate SNS would trust: a public CA's (Node's default list,
    // which NODE_EXTRA_CA_CERTS extends), or, locally, one issued by the runtime's own CA.
    this.endpointCas = [...getCACertificates('default'), certificates.caCertificate];
    this.server = createServer(
      { key: certificates.tlsKey, cert: certificates.tlsCertificate },
      (incoming, outgoing) => {
        void this.serveLink(incoming).then((response) => {
          outgoing.writeHead(response.status, {
            ...response.headers,
            'content-length': String(response.body.length),
          });
          outgoing.end(response.body);
        });
      },
    );
    // The same port as last time when it is free, so links in earlier messages keep working.
    const portFile = join(dir, 'port');
    const previous = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : 0;
    const listen = (port: number) =>
      new Promise<void>((resolve, reject) => {
        this.server?.once('error', reject);
        this.server?.listen(port, '127.0.0.1', () => {
          this.server?.off('error', reject);
          resolve();
        });
      });
    await listen(previous).catch(() => listen(0));
    const port = (this.server.address() as AddressInfo).port;
    mkdirSync(dir, { recursive: true });
    writeFileSync(portFile, String(port));
    this.baseUrl = `https://127.0.0.1:${port}`;
    this.signer = {
      baseUrl: this.baseUrl,
      signingCertUrl: `${this.baseUrl}/${certificates.signingCertificateName}`,
      privateKey: certificates.signingKey,
    };
    this.signingCertificate = {
      path: `/${certificates.signingCertificateName}`,
      pem: certificates.signingCertificate,
    };
  }

  private signingCertificate = { path: '', pem: '' };
  private endpointCas: string[] = [];

  /** Stops retrying, closes the listener; deliveries under way are abandoned, as a stopped service would. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
    const server = this.server;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.sqs.destroy();
  }

  /** Resolves when no delivery is in flight or waiting for a retry (tests, the demo). */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.timers.size > 0 || this.inFlight.size > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** GET SubscribeURL / UnsubscribeURL / SigningCertURL, as SNS serves them. */
  private async serveLink(incoming: IncomingMessage): Promise<EdgeResponse> {
    const url = new URL(incoming.url ?? '/', this.baseUrl);
    if (incoming.method === 'GET' && url.pathname === this.signingCertificate.path) {
      return reply(200, this.signingCertificate.pem, 'application/x-x509-ca-cert');
    }
    const action = url.searchParams.get('Action');
    if (url.pathname === '/' && action === 'ConfirmSubscription') {
      return this.confirm(url.searchParams, false) ?? invalid('Token');
    }
    if (url.pathname === '/' && action === 'Unsubscribe') {
      return this.unsubscribe(url.searchParams, false) ?? notFound('Subscription does not exist');
    }
    return reply(404, 'Not Found', 'text/plain');
  }

  /**
   * Answers an SNS API request: the subscription actions for http, https,
   * email and email-json here, the rest through `next` (fauxqs); delivers
   * what a successful Publish or PublishBatch sent.
   */
  async handle(
    request: EdgeRequest,
    next: (request: EdgeRequest) => Promise<EdgeResponse>,
  ): Promise<EdgeResponse> {
    const params = new URLSearchParams(`${request.url.search.slice(1)}&${request.body.toString('utf8')}`);
    switch (params.get('Action')) {
      case 'Subscribe':
        return isOwnProtocol(params.get('Protocol') ?? '') ? this.subscribe(params) : next(request);
      case 'ConfirmSubscription':
        return this.confirm(params, params.get('AuthenticateOnUnsubscribe') === 'true') ?? next(request);
      case 'Unsubscribe':
        return this.unsubscribe(params, true) ?? next(request);
      case 'GetSubscriptionAttributes':
        return this.getAttributes(params) ?? next(request);
      case 'SetSubscriptionAttributes':
        return this.setAttributes(params) ?? next(request);
      case 'ListSubscriptions':
      case 'ListSubscriptionsByTopic':
        return this.list(params, await next(request));
      case 'Publish':
      case 'PublishBatch':
        return this.afterPublish(params, await next(request));
      case 'GetTopicAttributes':
        return this.withCounts(params, await next(request));
      case 'SetTopicAttributes':
      case 'CreateTopic': {
        // SNS signs with SignatureVersion 1 (SHA1) or 2 (SHA256) only
        // (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
        const version = signatureVersionParam(params);
        if (version !== undefined && version !== '1' && version !== '2') {
          return invalid(`SignatureVersion: expected 1 or 2 (received ${JSON.stringify(version)})`);
        }
        return next(request);
      }
      case 'DeleteTopic': {
        const response = await next(request);
        if (response.status === 200) this.subscriptions.deleteTopic(params.get('TopicArn') ?? '');
        return response;
      }
      default:
        return next(request);
    }
  }

  /** A query to fauxqs of the runtime's own (topic attributes). */
  private async fauxqs(params: Record<string, string>): Promise<EdgeResponse> {
    return forward(this.options.fauxqsEndpoint, {
      method: 'POST',
      url: new URL('/', 'http://edge'),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: Buffer.from(new URLSearchParams({ Version: '2010-03-31', ...params }).toString(), 'utf8'),
      remoteAddress: '127.0.0.1',
    });
  }

  private async topicAttributes(topicArn: string): Promise<TopicAttributes | undefined> {
    const response = await this.fauxqs({ Action: 'GetTopicAttributes', TopicArn: topicArn });
    if (response.status !== 200) return undefined;
    const xml = response.body.toString('utf8');
    const value = (key: string) =>
      new RegExp(`<entry><key>${key}</key><value>([^<]*)</value></entry>`)
        .exec(xml)?.[1]
        ?.replace(
          /&(quot|amp|lt|gt|apos);/g,
          (_, name: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" })[name] ?? '',
        );
    const deliveryPolicy = value('DeliveryPolicy');
    return {
      signatureVersion: value('SignatureVersion') === '2' ? '2' : '1',
      displayName: value('DisplayName') ?? '',
      ...(deliveryPolicy ? { deliveryPolicy } : {}),
    };
  }

  private async subscribe(params: Params): Promise<EdgeResponse> {
    const topicArn = params.get('TopicArn') ?? '';
    const protocol = params.get('Protocol') ?? '';
    const endpoint = params.get('Endpoint') ?? '';
    if (!isOwnProtocol(protocol)) return invalid('Protocol');
    const topic = await this.topicAttributes(topicArn);
    if (topic === undefined) return notFound('Topic does not exist');
    if (protocol === 'http' || protocol === 'https') {
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      if (url?.protocol !== `${protocol}:`) return invalid('Endpoint must match the specified protocol');
    } else if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) {
      return invalid('Email address');
    }
    const attributes = Object.fromEntries(entries(params, 'Attributes', 'key', 'value'));
    for (const [name, value] of Object.entries(attributes)) {
      const problem = this.attributeProblem(protocol, name, value);
      if (problem !== undefined) return problem;
    }
    const existing = this.subscriptions
      .list(topicArn)
      .find((subscription) => subscription.protocol === protocol && subscription.endpoint === endpoint);
    const returnArn = params.get('ReturnSubscriptionArn') === 'true';
    if (existing !== undefined) {
      if (existing.status === 'pending') this.sendConfirmation(existing, topic);
      const shown = existing.status === 'confirmed' || returnArn ? existing.arn : 'pending confirmation';
      return snsResponse('Subscribe', `<SubscriptionArn>${xmlEscape(shown)}</SubscriptionArn>`);
    }
    const email = protocol === 'email' || protocol === 'email-json';
    const subscription: Subscription = {
      arn: `${topicArn}:${randomUUID()}`,
      topicArn,
      protocol,
      endpoint,
      token: randomBytes(64).toString('hex'),
      // Nobody can click a link in a local inbox: email subscriptions confirm themselves.
      status: email ? 'confirmed' : 'pending',
      attributes,
      authenticated: false,
    };
    this.subscriptions.put(subscription);
    if (email) {
      this.trace(
        `  ✉ sns ${protocol.padEnd(10)} ${endpoint}  subscribed and confirmed (locally there is no inbox to confirm from); mail goes to ${this.mailDir}`,
      );
    } else {
      this.sendConfirmation(subscription, topic);
    }
    const shown = email || returnArn ? subscription.arn : 'pending confirmation';
    return snsResponse('Subscribe', `<SubscriptionArn>${xmlEscape(shown)}</SubscriptionArn>`);
  }

  private attributeProblem(protocol: string, name: string, value: string): EdgeResponse | undefined {
    if (!SETTABLE.includes(name)) return invalid(`AttributeName`);
    const http = protocol === 'http' || protocol === 'https';
    if (name === 'RawMessageDelivery') {
      if (value !== 'true' && value !== 'false')
        return invalid(
          `Attributes Reason: RawMessageDelivery: Invalid value [${value}]. Must be true or false.`,
        );
      if (!http && value === 'true')
        return invalid(
          `Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`,
        );
    }
    if (name === 'DeliveryPolicy') {
      if (!http)
        return invalid(
          `Attributes Reason: Delivery protocol [${protocol}] does not support delivery policies.`,
        );
      const problems = deliveryPolicyProblems(value);
      if (problems.length > 0) return invalid(`Attributes Reason: DeliveryPolicy: ${problems.join('; ')}`);
    }
    if (name === 'FilterPolicy' && value !== '') {
      try {
        const policy = JSON.parse(value) as unknown;
        if (typeof policy !== 'object' || policy === null || Array.isArray(policy))
          throw new Error('not an object');
      } catch {
        return invalid('Attributes Reason: FilterPolicy: failed to parse JSON');
      }
    }
    if (name === 'FilterPolicyScope' && value !== 'MessageAttributes' && value !== 'MessageBody') {
      return invalid('Attributes Reason: FilterPolicyScope: must be MessageAttributes or MessageBody');
    }
    if (name === 'RedrivePolicy' && value !== '') {
      try {
        const target = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
        if (typeof target !== 'string' || !/^arn:aws:sqs:[^:]+:\d{12}:[^:]+$/.test(target)) {
          return invalid('RedrivePolicy: deadLetterTargetArn must be an Amazon SQS queue ARN');
        }
      } catch {
        return invalid('RedrivePolicy: failed to parse JSON');
      }
    }
    return undefined;
  }

  /** ConfirmSubscription (API call or SubscribeURL); undefined when the token is not one of ours. */
  private confirm(params: Params, authenticated: boolean): EdgeResponse | undefined {
    const subscription = this.subscriptions.byToken(params.get('TopicArn') ?? '', params.get('Token') ?? '');
    if (subscription === undefined) return undefined;
    const restored = subscription.status === 'deleted';
    if (subscription.status !== 'confirmed') {
      this.subscriptions.put({ ...subscription, status: 'confirmed', authenticated });
      this.trace(
        `  ✓ sns ${subscription.protocol.padEnd(10)} ${subscription.endpoint}  subscription ${restored ? 'restored' : 'confirmed'}${authenticated ? ' (unsubscribing needs a signed request)' : ''}`,
      );
    }
    return snsResponse(
      'ConfirmSubscription',
      `<SubscriptionArn>${xmlEscape(subscription.arn)}</SubscriptionArn>`,
    );
  }

  /** Unsubscribe (API call, or UnsubscribeURL when not signed); undefined when the subscription is not ours. */
  private unsubscribe(params: Params, signed: boolean): EdgeResponse | undefined {
    const subscription = this.subscriptions.byArn(params.get('SubscriptionArn') ?? '');
    if (subscription === undefined || subscription.status === 'deleted') return undefined;
    if (subscription.authenticated && !signed) {
      return queryError(
        'sns',
        403,
        'AuthorizationError',
        'Unsubscribe requires an authenticated request for this subscription',
      );
    }
    this.subscriptions.put({ ...subscription, status: 'deleted' });
    this.trace(`  ✗ sns ${subscription.protocol.padEnd(10)} ${subscription.endpoint}  unsubscribed`);
    if (subscription.protocol === 'http' || subscription.protocol === 'https') {
      void this.topicAttributes(subscription.topicArn).then((topic) => {
        if (topic === undefined || this.signer === undefined) return;
        const message = unsubscribeConfirmation(this.signer, {
          topicArn: subscription.topicArn,
          subscriptionArn: subscription.arn,
          token: subscription.token,
          signatureVersion: topic.signatureVersion,
        });
        this.deliverHttp(subscription, message, topic, { raw: false, withPolicy: false });
      });
    }
    return snsResponse('Unsubscribe');
  }

  private getAttributes(params: Params): EdgeResponse | undefined {
    const subscription = this.subscriptions.byArn(params.get('SubscriptionArn') ?? '');
    if (subscription === undefined) return undefined;
    if (subscription.status === 'deleted') return notFound('Subscription does not exist');
    const http = subscription.protocol === 'http' || subscription.protocol === 'https';
    const attributes: Record<string, string> = {
      ConfirmationWasAuthenticated: String(subscription.authenticated),
      Endpoint: subscription.endpoint,
      Owner: subscription.arn.split(':')[4] ?? '',
      PendingConfirmation: String(subscription.status === 'pending'),
      Protocol: subscription.protocol,
      RawMessageDelivery: subscription.attributes.RawMessageDelivery ?? 'false',
      SubscriptionArn: subscription.arn,
      TopicArn: subscription.topicArn,
      ...(http
        ? {
            EffectiveDeliveryPolicy: JSON.stringify({
              healthyRetryPolicy: effectivePolicy(subscription.attributes.DeliveryPolicy),
            }),
          }
        : {}),
      ...subscription.attributes,
    };
    const xml = Object.entries(attributes)
      .map(([key, value]) => `<entry><key>${xmlEscape(key)}</key><value>${xmlEscape(value)}</value></entry>`)
      .join('');
    return snsResponse('GetSubscriptionAttributes', `<Attributes>${xml}</Attributes>`);
  }

  private setAttributes(params: Params): EdgeResponse | undefined {
    const subscription = this.subscriptions.byArn(params.get('SubscriptionArn') ?? '');
    if (subscription === undefined) return undefined;
    if (subscription.status === 'deleted') return notFound('Subscription does not exist');
    const name = params.get('AttributeName') ?? '';
    const value = params.get('AttributeValue') ?? '';
    const problem = this.attributeProblem(subscription.protocol, name, value);
    if (problem !== undefined) return problem;
    const attributes = { ...subscription.attributes };
    if (value === '' && name !== 'RawMessageDelivery') delete attributes[name];
    else attributes[name] = value;
    this.subscriptions.put({ ...subscription, attributes });
    return snsResponse('SetSubscriptionAttributes');
  }

  /** Counts ours in the topic's SubscriptionsConfirmed and SubscriptionsPending. */
  private withCounts(params: Params, response: EdgeResponse): EdgeResponse {
    if (response.status !== 200) return response;
    const own = this.subscriptions.list(params.get('TopicArn') ?? '');
    if (own.length === 0) return response;
    const add = { SubscriptionsConfirmed: 0, SubscriptionsPending: 0 };
    for (const subscription of own) {
      add[subscription.status === 'pending' ? 'SubscriptionsPending' : 'SubscriptionsConfirmed'] += 1;
    }
    let xml = response.body.toString('utf8');
    for (const [key, extra] of Object.entries(add)) {
      xml = xml.replace(
        new RegExp(`<entry><key>${key}</key><value>(\\d+)</value></entry>`),
        (_, count: string) => `<entry><key>${key}</key><value>${Number(count) + extra}</value></entry>`,
      );
    }
    return { ...response, body: Buffer.from(xml, 'utf8') };
  }

  /** Adds ours to fauxqs's listing (on the first page; a local topic has few). */
  private list(params: Params, response: EdgeResponse): EdgeResponse {
    if (response.status !== 200 || params.get('NextToken')) return response;
    const topicArn =
      params.get('Action') === 'ListSubscriptionsByTopic' ? (params.get('TopicArn') ?? '') : undefined;
    const members = this.subscriptions
      .list(topicArn)
      .map(
        (subscription) =>
          `<member><SubscriptionArn>${xmlEscape(subscription.status === 'pending' ? 'PendingConfirmation' : subscription.arn)}</SubscriptionArn><TopicArn>${xmlEscape(subscription.topicArn)}</TopicArn><Protocol>${subscription.protocol}</Protocol><Endpoint>${xmlEscape(subscription.endpoint)}</Endpoint><Owner>${subscription.arn.split(':')[4] ?? ''}</Owner></member>`,
      )
      .join('');
    if (members === '') return response;
    const xml = response.body.toString('utf8');
    const merged = xml.includes('<Subscriptions/>')
      ? xml.replace('<Subscriptions/>', `<Subscriptions>${members}</Subscriptions>`)
      : xml.replace('</Subscriptions>', `${members}</Subscriptions>`);
    return { ...response, body: Buffer.from(merged, 'utf8') };
  }

  /** After fauxqs accepted a Publish or PublishBatch: deliver each message to our subscribers of the topic. */
  private afterPublish(params: Params, response: EdgeResponse): EdgeResponse {
    if (response.status !== 200) return response;
    const topicArn = params.get('TopicArn') ?? params.get('TargetArn') ?? '';
    const subscribers = this.subscriptions
      .list(topicArn)
      .filter((subscription) => subscription.status === 'confirmed');
    if (subscribers.length === 0) return response;
    const xml = response.body.toString('utf8');
    const timestamp = new Date().toISOString();
    const published: Published[] = [];
    if (params.get('Action') === 'Publish') {
      const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(xml)?.[1];
      if (messageId === undefined) return response;
      published.push({
        messageId,
        topicArn,
        ...(params.get('Subject') ? { subject: params.get('Subject') ?? '' } : {}),
        message: params.get('Message') ?? '',
        structured: params.get('MessageStructure') === 'json',
        attributes: messageAttributes(params, 'MessageAttributes'),
        timestamp,
      });
    } else {
      // Successful entries: <member><Id>..</Id><MessageId>..</MessageId></member>
      const successful = /<Successful>([\s\S]*?)<\/Successful>/.exec(xml)?.[1] ?? '';
      const ids = new Map<string, string>();
      for (const member of successful.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
        const id = /<Id>([^<]*)<\/Id>/.exec(member[1] ?? '')?.[1];
        const messageId = /<MessageId>([^<]*)<\/MessageId>/.exec(member[1] ?? '')?.[1];
        if (id !== undefined && messageId !== undefined) ids.set(id, messageId);
      }
      for (const [name, id] of params) {
        const entry = /^PublishBatchRequestEntries\.member\.(\d+)\.Id$/.exec(name);
        const messageId = ids.get(id);
        if (entry === null || messageId === undefined) continue;
        const base = `PublishBatchRequestEntries.member.${entry[1]}`;
        published.push({
          messageId,
          topicArn,
          ...(params.get(`${base}.Subject`) ? { subject: params.get(`${base}.Subject`) ?? '' } : {}),
          message: params.get(`${base}.Message`) ?? '',
          structured: params.get(`${base}.MessageStructure`) === 'json',
          attributes: messageAttributes(params, `${base}.MessageAttributes`),
          timestamp,
        });
      }
    }
    this.track(
      this.topicAttributes(topicArn).then(async (topic) => {
        if (topic === undefined) return;
        for (const message of published) {
          for (const subscription of subscribers) {
            if (await passes(subscription, message)) this.deliver(subscription, message, topic);
          }
        }
      }),
    );
    return response;
  }

  private track<T>(promise: Promise<T>): Promise<T | undefined> {
    const tracked = promise.catch((error: unknown) => {
      this.trace(`  ✗ sns delivery error: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  private deliver(subscription: Subscription, published: Published, topic: TopicAttributes): void {
    if (this.signer === undefined) return;
    const signed = notification(this.signer, published, {
      protocol: subscription.protocol,
      subscriptionArn: subscription.arn,
      signatureVersion: topic.signatureVersion,
    });
    if (subscription.protocol === 'email' || subscription.protocol === 'email-json') {
      const file = writeMail(this.mailDir, {
        to: subscription.endpoint,
        fromName: topic.displayName,
        subject: published.subject ?? 'AWS Notification Message',
        body:
          subscription.protocol === 'email'
            ? `${bodyFor(published, 'email')}${emailFooter(signed.UnsubscribeURL ?? '')}`
            : JSON.stringify(signed),
        date: new Date(published.timestamp),
        snsMessageId: published.messageId,
      });
      this.trace(`  ✉ sns ${subscription.protocol.padEnd(10)} ${subscription.endpoint}  ${file}`);
      return;
    }
    const raw = subscription.attributes.RawMessageDelivery === 'true';
    this.deliverHttp(subscription, signed, topic, { raw, withPolicy: true, published });
  }

  private sendConfirmation(subscription: Subscription, topic: TopicAttributes): void {
    if (this.signer === undefined) return;
    const message = subscriptionConfirmation(this.signer, {
      topicArn: subscription.topicArn,
      token: subscription.token,
      signatureVersion: topic.signatureVersion,
    });
    this.deliverHttp(subscription, message, topic, { raw: false, withPolicy: true });
  }

  /**
   * POSTs one message, then retries it on the delivery policy's schedule
   * while it fails with a retryable error; once the policy is exhausted (or
   * at once on a permanent failure) it goes to the RedrivePolicy's queue.
   */
  private deliverHttp(
    subscription: Subscription,
    message: SnsMessage,
    topic: TopicAttributes,
    how: { raw: boolean; withPolicy: boolean; published?: Published },
  ): void {
    const body =
      how.raw && how.published ? bodyFor(how.published, subscription.protocol) : JSON.stringify(message);
    const headers = deliveryHeaders({
      type: message.Type,
      messageId: message.MessageId,
      topicArn: message.TopicArn,
      subscriptionArn: subscription.arn,
      raw: how.raw,
      contentType: effectiveContentType(subscription.attributes.DeliveryPolicy, topic.deliveryPolicy),
    });
    const delays = how.withPolicy
      ? retryDelays(effectivePolicy(subscription.attributes.DeliveryPolicy, topic.deliveryPolicy))
      : [];
    const scale = this.options.delayScale ?? 1;
    const label = `  ⇢ sns ${subscription.protocol.padEnd(10)} ${subscription.endpoint}  ${message.Type} ${message.MessageId.slice(0, 8)}`;
    const attempt = async (number: number): Promise<void> => {
      if (this.stopped) return;
      // A retry stops when the subscription is gone (the UnsubscribeConfirmation itself is sent after).
      if (number > 1 && this.subscriptions.byArn(subscription.arn)?.status === 'deleted') return;
      const result = await this.post(subscription.endpoint, headers, body);
      if (result.ok) {
        this.trace(`${label.replace('⇢', '✓')}: delivered (attempt ${number}, ${result.detail})`);
        return;
      }
      const wait = delays[number - 1];
      if (result.retryable && wait !== undefined) {
        this.trace(
          `${label}: attempt ${number} failed (${result.detail}); retry ${number} of ${delays.length} in ${(wait * scale).toFixed(wait * scale < 1 ? 2 : 1)} s`,
        );
        this.later(wait * scale * 1000, () => attempt(number + 1));
        return;
      }
      const why = result.retryable
        ? `delivery policy exhausted after ${number} attempts`
        : `permanent failure`;
      const target = subscription.attributes.RedrivePolicy
        ? (JSON.parse(subscription.attributes.RedrivePolicy) as { deadLetterTargetArn: string })
            .deadLetterTargetArn
        : undefined;
      if (target === undefined || message.Type !== 'Notification') {
        this.trace(
          `${label.replace('⇢', '✗')}: attempt ${number} failed (${result.detail}); ${why}, message discarded${message.Type === 'Notification' ? ' (no RedrivePolicy)' : ''}`,
        );
        return;
      }
      await this.deadLetter(target, body, result, how);
      this.trace(
        `${label.replace('⇢', '✗')}: attempt ${number} failed (${result.detail}); ${why}, moved to ${target}`,
      );
    };
    this.track(attempt(1));
  }

  private later(ms: number, run: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(run());
    }, ms);
    this.timers.add(timer);
  }

  /** Sends an undeliverable message to the subscription's dead-letter queue (inside "AWS": fauxqs directly). */
  private async deadLetter(
    targetArn: string,
    body: string,
    failure: Attempt,
    how: { raw: boolean; published?: Published },
  ): Promise<void> {
    const [, , , , account, name] = targetArn.split(':');
    const queueUrl = `${this.options.fauxqsEndpoint}/${account}/${name}`;
    const attributes: Record<string, { DataType: string; StringValue: string }> = {
      ErrorCode: {
        DataType: 'String',
        StringValue: failure.retryable ? 'EndpointUnavailable' : 'EndpointRejected',
      },
      ErrorMessage: { DataType: 'String', StringValue: failure.detail },
    };
    if (how.raw && how.published) {
      // SQS takes at most 10 message attributes: the two above and the first eight published.
      for (const [key, value] of Object.entries(how.published.attributes).slice(0, 8)) {
        attributes[key] = { DataType: value.Type, StringValue: value.Value };
      }
    }
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes: attributes }),
      {
        abortSignal: this.abort.signal,
      },
    );
  }

  /** One POST: 2xx delivered; 5xx, 429 and no answer retryable; any other status permanent. */
  private post(endpoint: string, headers: Record<string, string>, body: string): Promise<Attempt> {
    const url = new URL(endpoint);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = Buffer.from(body, 'utf8');
    // SNS gives an endpoint 15 s to answer.
    const timeoutMs = Math.max(1_000, 15_000 * (this.options.delayScale ?? 1));
    return new Promise((resolve) => {
      const outgoing = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(payload.length) },
          signal: this.abort.signal,
          ...(url.protocol === 'https:' ? { ca: this.endpointCas } : {}),
          ...(url.username
            ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
            : {}),
        },
        (incoming) => {
          incoming.resume();
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              retryable: status >= 500 || status === 429,
              detail: `HTTP ${status}`,
            });
          });
          incoming.on('error', (error) => resolve({ ok: false, retryable: true, detail: error.message }));
        },
      );
      outgoing.setTimeout(timeoutMs, () =>
        outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)),
      );
      outgoing.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ ok: false, retryable: true, detail: error.code ?? error.message }),
      );
      outgoing.end(payload);
    });
  }
}

/** Starts the SNS subscribers of a runtime. */
export async function startSnsSubscribers(options: SnsSubscribersOptions): Promise<SnsSubscribers> {
  const subscribers = new SnsSubscribers(options);
  await subscribers.start();
  return subscribers;
}

/** The SignatureVersion a SetTopicAttributes or CreateTopic request sets, if it sets one. */
function signatureVersionParam(params: URLSearchParams): string | undefined {
  if (params.get('AttributeName') === 'SignatureVersion') return params.get('AttributeValue') ?? '';
  for (const [name, value] of params) {
    const entry = /^Attributes\.entry\.(\d+)\.key$/.exec(name);
    if (entry && value === 'SignatureVersion') return params.get(`Attributes.entry.${entry[1]}.value`) ?? '';
  }
  return undefined;
}
