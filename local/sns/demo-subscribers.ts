import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import type { Runtime } from '../runtime';

/**
 * The demo's SNS subscribers: examples/webhook-receiver, run as a person runs
 * it (its own process, the runtime's CA through NODE_EXTRA_CA_CERTS, the
 * local certificate host pattern) and subscribed over HTTP; and an email
 * address, whose messages become .eml files.
 */

const ROOT = join(__dirname, '..', '..');
const EMAIL = 'demo@example.com';

export interface DemoSubscribers {
  /** Prints the receiver's verified delivery of `key` and the .eml file of it; false if they did not arrive in time. */
  show(key: string, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startDemoSubscribers(
  runtime: Runtime,
  write: (line: string) => void,
): Promise<DemoSubscribers> {
  const topicArn = runtime.resources.topicArn;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('examples', 'webhook-receiver', 'receiver.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        NODE_EXTRA_CA_CERTS: runtime.sns.caFile,
        SNS_CERT_HOST_PATTERN: '^127\\.0\\.0\\.1:\\d+$',
        TOPIC_ARN: topicArn,
        PORT: '0',
      },
    },
  );
  // The receiver goes when the runtime goes, however it ends.
  const kill = () => child.kill();
  process.once('exit', kill);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the webhook receiver did not start:\n${output}`)),
      20_000,
    );
    const check = () => {
      const found = /listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      if (found === undefined) return;
      clearTimeout(timer);
      resolve(found);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the webhook receiver exited (${code}):\n${output}`));
    });
  });

  const sns = new SNSClient({
    endpoint: runtime.endpoint,
    region: runtime.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const subscriptions: string[] = [];
  for (const [protocol, endpoint] of [
    ['http', url],
    ['email', EMAIL],
  ] as const) {
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: protocol,
        Endpoint: endpoint,
        ReturnSubscriptionArn: true,
      }),
    );
    if (SubscriptionArn) subscriptions.push(SubscriptionArn);
  }
  write(`\nSubscribed to the topic: the example webhook (${url}) and ${EMAIL}.`);

  const lines = () => output.split('\n');
  return {
    async show(key, timeoutMs) {
      const bucketKey = `s3://${runtime.resources.bucket}/${key}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const delivered = lines().find((line) => line.includes(`object.created ${bucketKey} `));
        const mail = readdirSync(runtime.sns.mailDir, { withFileTypes: true })
          .filter((entry) => entry.name.endsWith('.eml'))
          .map((entry) => join(runtime.sns.mailDir, entry.name))
          .find((file) => readFileSync(file, 'utf8').includes(`Subject: New object: ${bucketKey}\r\n`));
        if (delivered !== undefined && mail !== undefined) {
          const verified = lines().filter((line) => line.startsWith('✓ object.')).length;
          write(
            `\nThe example webhook (examples/webhook-receiver) verified ${verified} signed notification(s) with sns-validator; ${key}:`,
          );
          for (const line of lines().filter(
            (line) => line.startsWith('✓ subscription') || line === delivered,
          )) {
            write(`  webhook │ ${line}`);
          }
          write(
            `\nThe email subscriber's copy of it, as its inbox would get it (${mail}${runtime.persistent ? '' : ', removed on exit: keep it with --data-dir'}):`,
          );
          const text = readFileSync(mail, 'utf8').split('\r\n');
          for (const line of text.slice(0, 20)) write(`  mail │ ${line}`);
          if (text.length > 20) write('  mail │ ...');
          return true;
        }
        if (Date.now() > deadline) {
          write(`\nThe webhook or the email of ${key} did not arrive in time. Receiver output:\n${output}`);
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      for (const SubscriptionArn of subscriptions) {
        await sns.send(new UnsubscribeCommand({ SubscriptionArn })).catch(() => undefined);
      }
      // The receiver is told it is unsubscribed (UnsubscribeConfirmation) before it goes.
      await runtime.sns.idle(3_000);
      process.off('exit', kill);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      sns.destroy();
    },
  };
}
