import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { decodeS3Key } from '../../functions/core/keys';
import { padSequencer } from '../../functions/core/sequencer';
import { clientsFor } from '../support/aws-clients';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

/**
 * The local S3's event notifications and tagging, each proven here: event
 * notifications as S3 sends them (with filters and the TestEvent), and object
 * tagging. Its own bucket and queue, so the records can be read raw.
 */
const { s3, sqs, item } = clientsFor(e2eEndpoint());
const BUCKET = 'e2e-raw-events';
const QUEUE = 'e2e-raw-events-queue';
type RawRecord = {
  eventVersion: string;
  eventName: string;
  awsRegion: string;
  s3: {
    bucket: { name: string; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
};

let queueUrl = '';
const received: { Records?: RawRecord[]; Event?: string }[] = [];

async function records(count: number): Promise<RawRecord[]> {
  return eventually(
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of Messages) received.push(JSON.parse(message.Body ?? '{}'));
      const all = received.flatMap((body) => body.Records ?? []);
      return all.length >= count ? all.splice(0, count).map((record) => record) : undefined;
    },
    20_000,
    `${count} event record(s)`,
  ).then((found) => {
    received.splice(0, received.length);
    return found;
  });
}

beforeAll(async () => {
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'csv-under-incoming',
            QueueArn: `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`,
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'prefix', Value: 'incoming/' },
                  { Name: 'suffix', Value: '.csv' },
                ],
              },
            },
          },
        ],
      },
    }),
  );
});

describe('S3 event notifications', () => {
  it('sends an s3:TestEvent when a configuration is saved, and returns the configuration', async () => {
    const test = await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
        );
        return Messages.map((message) => JSON.parse(message.Body ?? '{}')).find(
          (body) => body.Event === 's3:TestEvent',
        );
      },
      10_000,
      'the s3:TestEvent',
    );
    expect(test).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: BUCKET });
    const configuration = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
    expect(configuration.QueueConfigurations).toEqual([
      expect.objectContaining({
        Id: 'csv-under-incoming',
        Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
      }),
    ]);
  });

  it('sends version 2.1 records with the key URL-encoded as S3 does, the bucket ARN, size and ETag', async () => {
    const key = 'incoming/Q3 report (final)+draft é.csv';
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'a,b\n1,2\n' }));
    const [record] = await records(1);
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'us-east-1',
      s3: {
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
        object: {
          key: 'incoming/Q3+report+%28final%29%2Bdraft+%C3%A9.csv',
          size: 8,
          eTag: put.ETag?.replace(/"/g, ''),
        },
      },
    });
    expect(decodeS3Key(record?.s3.object.key ?? '')).toBe(key);
  });

  it('names each kind of write and delete, with sequencers that increase for a key', async () => {
    const key = 'incoming/kinds.csv';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x,y\n' }));
    await s3.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'incoming/copy.csv', CopySource: `${BUCKET}/${key}` }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    await s3.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'incoming/copy.csv' }] } }),
    );
    const found = await records(4);
    expect(found.map((record) => `${record.eventName} ${record.s3.object.key}`)).toEqual([
      `ObjectCreated:Put ${key}`,
      'ObjectCreated:Copy incoming/copy.csv',
      `ObjectRemoved:Delete ${key}`,
      'ObjectRemoved:Delete incoming/copy.csv',
    ]);
    const sequencers = found.map((record) => padSequencer(record.s3.object.sequencer));
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(4);
  });

  it('announces a browser form upload (PostObject) as ObjectCreated:Post', async () => {
    const boundary = '----e2e-form-boundary';
    const form = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="key"',
      '',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own placeholder for the file name
      'incoming/${filename}',
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="form upload.csv"',
      'Content-Type: text/csv',
      '',
      'c,d',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const response = await fetch(`${e2eEndpoint()}/${BUCKET}`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: form,
    });
    expect(response.status).toBeLessThan(300);
    const [record] = await records(1);
    expect(record).toMatchObject({
      eventName: 'ObjectCreated:Post',
      s3: { object: { key: 'incoming/form+upload.csv', size: 3 } },
    });
  });

  it('applies the prefix and suffix filters', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/skip.csv', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/skip.txt', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming/keep.csv', Body: '1' }));
    // The edge sends a record before it answers the upload: by the time the last record is in the
    // queue, the records of the two uploads before it would be there too.
    const keys: string[] = [];
    await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        for (const message of Messages) {
          const body = JSON.parse(message.Body ?? '{}') as { Records?: RawRecord[] };
          keys.push(...(body.Records ?? []).map((record) => record.s3.object.key));
        }
        return keys.includes('incoming/keep.csv') ? true : undefined;
      },
      20_000,
      'the record of incoming/keep.csv',
    );
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    expect(Messages).toHaveLength(0);
    expect(keys).toEqual(['incoming/keep.csv']);
  });

  it('refuses a configuration it cannot deliver, saying why', async () => {
    await expect(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: BUCKET,
          NotificationConfiguration: {
            QueueConfigurations: [
              {
                QueueArn: 'arn:aws:sqs:us-east-1:000000000000:no-such-queue',
                Events: ['s3:ObjectCreated:*'],
              },
            ],
          },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidArgument' });
  });
});

describe('S3 object tagging', () => {
  it('stores tags given on upload, and the record carries them', async () => {
    const key = 'e2e-s3/tagged.txt';
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'tag me', Tagging: 'team=data&tier=gold' }),
    );
    const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: key }));
    expect(tagging.TagSet).toEqual([
      { Key: 'team', Value: 'data' },
      { Key: 'tier', Value: 'gold' },
    ]);
    // Both count the tags, as S3 does: describe-object reads the tags only when HeadObject counts some.
    expect((await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: key }))).TagCount).toBe(2);
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: key }))).TagCount).toBe(2);
    const recorded = await eventually(
      async () => {
        const found = await item(key);
        return found?.ETag === put.ETag?.replace(/"/g, '') ? found : undefined;
      },
      30_000,
      'the tagged item',
    );
    expect(recorded.Tags).toEqual({ team: 'data', tier: 'gold' });
  });

  it('replaces and deletes tags, and refuses tags of a missing object', async () => {
    const key = 'e2e-s3/retagged.txt';
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: key, Body: 'x' }));
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'uploads',
        Key: key,
        Tagging: { TagSet: [{ Key: 'a', Value: '1' }] },
      }),
    );
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: key }))).TagSet).toEqual([
      { Key: 'a', Value: '1' },
    ]);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'uploads', Key: key }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: key }))).TagSet).toEqual([]);
    // S3 sends no count for an object without tags.
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'uploads', Key: key }))).TagCount).toBeUndefined();
    await expect(
      s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: 'e2e-s3/missing' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('copies tags with the object, as S3 does by default', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: 'e2e-s3/source.txt',
        Body: 'x',
        Tagging: 'origin=source',
      }),
    );
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'uploads',
        Key: 'e2e-s3/copy.txt',
        CopySource: 'uploads/e2e-s3/source.txt',
      }),
    );
    expect(
      (await s3.send(new GetObjectTaggingCommand({ Bucket: 'uploads', Key: 'e2e-s3/copy.txt' }))).TagSet,
    ).toEqual([{ Key: 'origin', Value: 'source' }]);
  });
});

describe('S3 reads', () => {
  it('serves ranged GETs', async () => {
    const png = readFileSync(join(__dirname, '..', '..', 'local', 'samples', 'photo.png'));
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'e2e-s3/range.png', Body: png }));
    const part = await s3.send(
      new GetObjectCommand({ Bucket: 'uploads', Key: 'e2e-s3/range.png', Range: 'bytes=1-3' }),
    );
    expect(part.ContentRange).toBe(`bytes 1-3/${png.length}`);
    expect(Buffer.from((await part.Body?.transformToByteArray()) ?? [])).toEqual(png.subarray(1, 4));
  });
});
