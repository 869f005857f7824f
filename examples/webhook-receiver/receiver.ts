import { createServer, type IncomingMessage, type Server } from 'node:http';
import { get } from 'node:https';
import type { AddressInfo } from 'node:net';
import MessageValidator from 'sns-validator';

/**
 * A webhook for the s3-metadata-pipeline's SNS topic, with no framework:
 * it verifies each message's signature with AWS's own verifier
 * (`sns-validator`), confirms the subscription, ignores other topics, drops
 * repeated notifications by their stable `id`, and prints each object event.
 *
 * The same code runs against the local runtime and in AWS; only configuration
 * differs (see README.md beside this file):
 *   TOPIC_ARN              the topic whose messages are accepted (required)
 *   SNS_CERT_HOST_PATTERN  the hosts SigningCertURL may name (a regular expression);
 *                          unset: sns-validator's default, sns.<region>.amazonaws.com
 *   NODE_EXTRA_CA_CERTS    (read by Node itself) the local runtime's CA certificate
 *   PORT, HOST             where to listen (default 8080 on 127.0.0.1)
 */

/** What this receiver reads of a notification (docs/notifications.md has the whole document). */
interface ObjectEvent {
  id: string;
  type: 'object.created' | 'object.deleted' | 'object.failed';
  bucket: string;
  key: string;
  object?: { size?: number; contentType?: string };
  failure?: { error: string; cause: string };
}

/** The fields of an SNS HTTP/HTTPS message this receiver uses. */
interface SnsMessage {
  Type: string;
  TopicArn: string;
  Message: string;
  MessageId: string;
  SubscribeURL?: string;
  SignatureVersion: string;
}

export interface ReceiverOptions {
  topicArn: string;
  /** Hosts SigningCertURL and SubscribeURL may name. @default sns-validator's: sns.<region>.amazonaws.com(.cn) */
  certHostPattern?: RegExp;
  /** @default 8080 (0: any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Where lines go. @default stdout */
  print?: (line: string) => void;
}

const AWS_HOSTS = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

/** Repeats are dropped by id; the last 10,000 ids are remembered. */
class RecentIds {
  private readonly ids = new Set<string>();
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > 10_000) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // SNS messages are at most 256 KiB, plus the envelope.
      if (size > 512 * 1024) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** GETs a URL (the SubscribeURL); resolves with the status. */
function visit(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    }).on('error', reject);
  });
}

export function createReceiver(options: ReceiverOptions): Server {
  const validator = new MessageValidator(options.certHostPattern);
  const hostPattern = options.certHostPattern ?? AWS_HOSTS;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const seen = new RecentIds();
  const verify = (message: unknown) =>
    new Promise<SnsMessage>((resolve, reject) =>
      validator.validate(message as Record<string, unknown>, (error, valid) =>
        error ? reject(error) : resolve(valid as unknown as SnsMessage),
      ),
    );

  return createServer((request, response) => {
    const answer = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(text);
    };
    if (request.method !== 'POST') return answer(405, 'POST only');
    void (async () => {
      let message: SnsMessage;
      try {
        const body = JSON.parse(await readBody(request)) as SnsMessage;
        if (body.Type === 'UnsubscribeConfirmation') {
          // Nothing is done with it, so it need not be trusted; and sns-validator 0.3.5 cannot verify
          // it: it leaves Token out of this type's string to sign, which SNS includes.
          print(`• unsubscribed from ${body.TopicArn} (UnsubscribeConfirmation, not verified)`);
          return answer(200, 'ok');
        }
        message = await verify(body);
      } catch (error) {
        print(`✗ rejected: ${error instanceof Error ? error.message : String(error)}`);
        return answer(403, 'not a valid SNS message');
      }
      if (message.TopicArn !== options.topicArn) {
        print(`✗ rejected: topic ${message.TopicArn} is not ${options.topicArn}`);
        return answer(403, 'unexpected topic');
      }
      switch (message.Type) {
        case 'SubscriptionConfirmation': {
          // Only a link to SNS itself is followed: the same hosts the certificate may come from.
          const url = new URL(message.SubscribeURL ?? '');
          if (url.protocol !== 'https:' || !hostPattern.test(url.host)) {
            print(`✗ rejected: SubscribeURL ${url.origin} is not an SNS host`);
            return answer(403, 'unexpected SubscribeURL');
          }
          const status = await visit(url.href);
          print(`✓ subscription confirmed (SubscribeURL answered ${status}) for ${message.TopicArn}`);
          return answer(200, 'confirmed');
        }
        case 'Notification': {
          // A verified message that is not a pipeline document (a test publish from the console, say) is
          // acknowledged and ignored: answering an error would only make SNS retry it.
          const event = parseEvent(message.Message);
          if (event === undefined) {
            print(`• ignored: a message that is not an object event (${message.Message.slice(0, 60)})`);
            return answer(200, 'ignored');
          }
          if (!seen.add(event.id)) {
            print(`↺ repeat of ${event.id} ignored`);
            return answer(200, 'repeat');
          }
          const detail =
            event.type === 'object.failed'
              ? `${event.failure?.error}: ${event.failure?.cause}`
              : `${event.object?.size ?? '?'} bytes ${event.object?.contentType ?? ''}`;
          print(
            `✓ ${event.type} s3://${event.bucket}/${event.key}  ${detail}  id ${event.id}  (signature v${message.SignatureVersion} verified)`,
          );
          return answer(200, 'ok');
        }
        default:
          print(`• ${message.Type} for ${message.TopicArn}`);
          return answer(200, 'ok');
      }
    })().catch((error: unknown) => {
      print(`✗ error: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) answer(500, 'error');
    });
  });
}

/** Starts the receiver; resolves with its URL once it listens. */
export async function startReceiver(options: ReceiverOptions): Promise<{ url: string; server: Server }> {
  const server = createReceiver(options);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  return { url: `http://${host}:${(server.address() as AddressInfo).port}/`, server };
}

if (require.main === module) {
  const topicArn = process.env.TOPIC_ARN;
  if (!topicArn) {
    process.stderr.write('TOPIC_ARN is required: the ARN of the topic to accept messages from\n');
    process.exit(2);
  }
  const pattern = process.env.SNS_CERT_HOST_PATTERN;
  startReceiver({
    topicArn,
    ...(pattern ? { certHostPattern: new RegExp(pattern) } : {}),
    port: Number(process.env.PORT ?? 8080),
    host: process.env.HOST ?? '127.0.0.1',
  }).then(
    ({ url }) => process.stdout.write(`webhook-receiver listening on ${url} for ${topicArn}\n`),
    (error: unknown) => {
      process.stderr.write(`webhook-receiver could not start: ${String(error)}\n`);
      process.exit(1);
    },
  );
}

/** The pipeline's notification document in a message, or undefined when it is something else. */
function parseEvent(text: string): ObjectEvent | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<ObjectEvent> | null;
    return parsed !== null &&
      typeof parsed === 'object' &&
      typeof parsed.id === 'string' &&
      typeof parsed.type === 'string'
      ? (parsed as ObjectEvent)
      : undefined;
  } catch {
    return undefined;
  }
}
