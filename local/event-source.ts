import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** The starter's contract: an SQS event in, a partial batch response out. */
export type SqsHandler = (event: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: SqsHandler;
  /** Messages per invocation (as the event source mapping's BatchSize). */
  batchSize: number;
  /** Invocations at once (as its maximum concurrency). */
  concurrency: number;
  /** Told about each invocation that failed as a whole. */
  onError?: (error: unknown) => void;
}

/**
 * Invokes a handler with messages of a queue the way Lambda's SQS event
 * source mapping does: long-polled batches, the Lambda SQS event shape,
 * partial batch responses (only the messages reported as failures stay),
 * whole-batch retry when the handler throws or answers with an unknown id.
 * Messages that stay come back after the queue's visibility timeout, and move
 * to its dead-letter queue after maxReceiveCount receives (the queue's own
 * redrive policy).
 */
export class SqsEventSource {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly options: EventSourceOptions) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.poll());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async poll(): Promise<void> {
    const { sqs, queueUrl } = this.options;
    while (this.running) {
      let messages: Message[];
      try {
        const received = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: this.options.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (messages.length === 0) continue;
      const records = messages.map((message) => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: message.Attributes ?? {},
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              stringValue: value.StringValue,
              dataType: value.DataType,
              stringListValues: [],
              binaryListValues: [],
            },
          ]),
        ),
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: this.options.queueArn,
        awsRegion: this.options.region,
      }));
      let failed: Set<string>;
      try {
        const response = await this.options.handler({ Records: records });
        failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        // Lambda treats a failure id that is not in the batch as a failure of the whole batch.
        if ([...failed].some((id) => !records.some((record) => record.messageId === id))) {
          failed = new Set(records.map((record) => record.messageId));
        }
      } catch (error) {
        this.options.onError?.(error);
        failed = new Set(records.map((record) => record.messageId));
      }
      const done = records.filter((record) => !failed.has(record.messageId));
      if (done.length > 0) {
        await sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((record, index) => ({
                Id: String(index),
                ReceiptHandle: record.receiptHandle,
              })),
            }),
          )
          .catch((error: unknown) => this.options.onError?.(error));
      }
    }
  }
}
