import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ExecutionEvent, ExecutionRecord, StepFunctionsService } from './step-functions';

/**
 * The live trace: one line per execution when it ends (object, the Task
 * states it went through, outcome, time taken), one line per retry as it
 * happens (state, error, attempt, wait), and one per notification received.
 */

interface Progress {
  object: string;
  tasks: string[];
  failedAt: Map<string, { error: string; at: number }>;
}

function objectOf(execution: ExecutionRecord): string {
  try {
    const input = JSON.parse(execution.input) as {
      object?: { bucket?: string; key?: string; eventName?: string };
    };
    return `s3://${input.object?.bucket ?? '?'}/${input.object?.key ?? '?'}`;
  } catch {
    return execution.name;
  }
}

/** What an execution's output says happened. */
export function outcomeOf(execution: ExecutionRecord): string {
  if (execution.status !== 'SUCCEEDED') return execution.status;
  try {
    const output = JSON.parse(execution.output ?? '{}') as {
      outcome?: { status?: string };
      write?: { result?: { status?: string } };
    };
    return output.outcome?.status ?? output.write?.result?.status ?? 'succeeded';
  } catch {
    return 'succeeded';
  }
}

const MARK: Record<string, string> = {
  recorded: '✓',
  deleted: '✓',
  superseded: '⊘',
  gone: '⊘',
  FAILED: '✗',
  TIMED_OUT: '✗',
  ABORTED: '✗',
};

/** Prints the trace of every execution of a service; returns a function that stops it. */
export function traceExecutions(service: StepFunctionsService, write: (line: string) => void): () => void {
  const progress = new Map<string, Progress>();
  return service.onExecutionEvent((execution: ExecutionRecord, event: ExecutionEvent) => {
    let state = progress.get(execution.arn);
    if (state === undefined) {
      state = { object: objectOf(execution), tasks: [], failedAt: new Map() };
      progress.set(execution.arn, state);
    }
    switch (event.type) {
      case 'Restarted':
        write(`  ⟳ restarted    ${state.object}  (it was running when the runtime stopped)`);
        break;
      case 'StateEntered':
        if (event.state.type === 'Task') state.tasks.push(event.state.name);
        break;
      case 'StateFailed':
        state.failedAt.set(event.state.name, { error: event.Error, at: event.timestamp });
        break;
      case 'StateRetried': {
        const failed = state.failedAt.get(event.state.name);
        const waited =
          failed === undefined ? '' : `, waited ${((event.timestamp - failed.at) / 1000).toFixed(1)} s`;
        write(
          `  ↻ retry        ${state.object}  ${event.state.name}: ${failed?.error ?? 'error'} (attempt ${event.retry.attempt}${waited})`,
        );
        break;
      }
      case 'Finished': {
        progress.delete(execution.arn);
        const outcome = outcomeOf(execution);
        const took =
          execution.stopDate === undefined
            ? ''
            : `${Math.round((execution.stopDate - execution.startDate) * 1000)} ms`;
        const detail =
          execution.status === 'SUCCEEDED'
            ? state.tasks.join(' › ')
            : `${execution.error ?? ''}: ${(execution.cause ?? '').slice(0, 160)}`;
        write(`  ${MARK[outcome] ?? '•'} ${outcome.padEnd(12)} ${state.object}  ${detail}  ${took}`);
        break;
      }
      default:
        break;
    }
  });
}

/** A notification as a subscriber's queue receives it (SNS envelope). */
export interface ReceivedNotification {
  subject?: string;
  document: { id: string; type: string; bucket: string; key: string; [field: string]: unknown };
  attributes: Record<string, string>;
}

/**
 * Reads the runtime's own subscription to the notification topic and prints
 * each notification; with `keep`, also keeps them (the demo reads them back).
 */
export class NotificationTap {
  /** What arrived, when `keep` is on; otherwise always empty (a long run would only grow it). */
  readonly received: ReceivedNotification[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly write: (line: string) => void,
    private readonly keep = false,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.poll();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop?.catch(() => undefined);
  }

  private async poll(): Promise<void> {
    while (this.running) {
      const response = await this.sqs
        .send(
          new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
          { abortSignal: this.abort.signal },
        )
        .catch(() => undefined);
      const messages = response?.Messages ?? [];
      for (const message of messages) {
        try {
          const envelope = JSON.parse(message.Body ?? '{}') as {
            Subject?: string;
            Message?: string;
            MessageAttributes?: Record<string, { Value: string }>;
          };
          const notification: ReceivedNotification = {
            ...(envelope.Subject ? { subject: envelope.Subject } : {}),
            document: JSON.parse(envelope.Message ?? '{}'),
            attributes: Object.fromEntries(
              Object.entries(envelope.MessageAttributes ?? {}).map(([name, value]) => [name, value.Value]),
            ),
          };
          if (this.keep) this.received.push(notification);
          this.write(
            `  ✉ ${notification.document.type.padEnd(15)} s3://${notification.document.bucket}/${notification.document.key}  (id ${notification.document.id.slice(0, 12)}…)`,
          );
        } catch {
          this.write(`  ✉ (unreadable notification) ${(message.Body ?? '').slice(0, 80)}`);
        }
      }
      if (messages.length > 0) {
        await this.sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: messages.map((message, index) => ({
                Id: String(index),
                ReceiptHandle: message.ReceiptHandle ?? '',
              })),
            }),
          )
          .catch(() => undefined);
      }
    }
  }
}
