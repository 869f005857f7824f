import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttributeValue,
  DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { clientsFor } from '../support/aws-clients';
import { readmeQueries, toQueryInput, withValue } from '../support/readme-queries';
import { eventually } from '../support/runtime-process';
import { e2eEndpoint } from './support/endpoint';

/*
 * The README's "Querying the table" commands, read from the README and sent
 * through the SDK as the CLI sends them (same KeyConditionExpression,
 * FilterExpression, ScanIndexForward), against items the pipeline wrote.
 */

const endpoint = e2eEndpoint();
const clients = clientsFor(endpoint);
const dynamo = new DynamoDBClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const PREFIX = 'e2e-queries/';
const SAMPLES = join(__dirname, '..', '..', 'local', 'samples');

/** Uploaded in this order, each once the previous is recorded (so their UploadTimes are in this order). */
const UPLOADS = [
  { name: 'old.png', type: 'image/png', file: 'photo.png' },
  { name: 'doc.txt', type: 'text/plain', file: 'README.txt' },
  { name: 'photo.jpg', type: 'image/jpeg', file: 'camera.jpg' },
  { name: 'deleted.png', type: 'image/png', file: 'photo.png' },
  { name: 'new.png', type: 'image/png', file: 'photo.png' },
] as const;

type Item = Record<string, AttributeValue>;

/** Every page of a query, as the CLI follows them by itself. */
async function queryAll(input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** This file's items among the results (other suites share the table), by name, in the order returned. */
const ours = (items: Item[]) =>
  items
    .filter((item) => item.BucketName?.S === 'uploads' && item.ObjectKey?.S?.startsWith(PREFIX))
    .map((item) => (item.ObjectKey?.S ?? '').slice(PREFIX.length));

const uploadTimes = (items: Item[]) => items.map((item) => item.UploadTime?.S ?? '');
const descending = (times: string[]) => times.every((time, i) => i === 0 || (times[i - 1] ?? '') >= time);

const queries = readmeQueries();
const [newestPng, imagesOfDay, dayAll] = queries;
let day = '';

beforeAll(async () => {
  for (const upload of UPLOADS) {
    const key = `${PREFIX}${upload.name}`;
    const put = await clients.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: key,
        Body: readFileSync(join(SAMPLES, upload.file)),
        ContentType: upload.type,
      }),
    );
    const eTag = (put.ETag ?? '').replace(/"/g, '');
    await eventually(
      async () => ((await clients.item(key))?.ETag === eTag ? true : undefined),
      30_000,
      `${upload.name} recorded`,
    );
  }
  await clients.s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: `${PREFIX}deleted.png` }));
  await eventually(
    async () => ((await clients.item(`${PREFIX}deleted.png`))?.Status === 'deleted' ? true : undefined),
    30_000,
    'the tombstone of deleted.png',
  );
  const items = await Promise.all(UPLOADS.map((upload) => clients.item(`${PREFIX}${upload.name}`)));
  const times = items.map((item) => String(item?.UploadTime));
  expect(times).toEqual([...times].sort());
  expect(new Set(times).size).toBe(UPLOADS.length);
  day = String(items[0]?.UploadDay);
  // Uploads around midnight UTC would span two days: the day queries below need them on one.
  expect(items.map((item) => item?.UploadDay)).toEqual(UPLOADS.map(() => day));
});

describe("the README's queries (Querying the table)", () => {
  it('are the three commands the section shows, each translated to the SDK', () => {
    expect(queries.map((query) => toQueryInput(query).IndexName)).toEqual([
      'ByContentType',
      'ByUploadDay',
      'ByUploadDay',
    ]);
  });

  // ScanIndexForward false reads the sort key (UploadTime) in descending order; a FilterExpression is
  // applied after the read, before the results are returned
  // (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html).
  it('newest PNG images first, deleted ones left out (ByContentType, descending, #status = :present)', async () => {
    if (newestPng === undefined) throw new Error('README: no first query');
    const input = toQueryInput(newestPng);
    expect(input).toMatchObject({ IndexName: 'ByContentType', ScanIndexForward: false });
    const items = await queryAll(input);
    expect(ours(items)).toEqual(['new.png', 'old.png']);
    expect(descending(uploadTimes(items))).toBe(true);
    expect(items.every((item) => item.Status?.S === 'present' && item.ContentType?.S === 'image/png')).toBe(
      true,
    );
  });

  it('without the filter the tombstone is there, in its place: the filter is what leaves it out', async () => {
    if (newestPng === undefined) throw new Error('README: no first query');
    const { FilterExpression: _filter, ExpressionAttributeNames: _names, ...input } = toQueryInput(newestPng);
    const { ':present': _present, ...values } = input.ExpressionAttributeValues ?? {};
    const items = await queryAll({ ...input, ExpressionAttributeValues: values });
    expect(ours(items)).toEqual(['new.png', 'deleted.png', 'old.png']);
  });

  it('every image of the day, newest first, whatever its type, deleted ones left out (ByUploadDay)', async () => {
    if (imagesOfDay === undefined) throw new Error('README: no second query');
    const input = toQueryInput(withValue(imagesOfDay, ':day', { S: day }));
    expect(input).toMatchObject({ IndexName: 'ByUploadDay', ScanIndexForward: false });
    const items = await queryAll(input);
    expect(ours(items)).toEqual(['new.png', 'photo.jpg', 'old.png']);
    expect(descending(uploadTimes(items))).toBe(true);
    expect(
      items.every((item) => item.ContentType?.S?.startsWith('image/') && item.Status?.S === 'present'),
    ).toBe(true);
  });

  it('what arrived on the day, in order of arrival, deleted ones included with their status', async () => {
    if (dayAll === undefined) throw new Error('README: no third query');
    const input = toQueryInput(withValue(dayAll, ':day', { S: day }));
    const items = await queryAll(input);
    expect(ours(items)).toEqual(UPLOADS.map((upload) => upload.name));
    expect(descending([...uploadTimes(items)].reverse())).toBe(true);
    const statuses = Object.fromEntries(
      items
        .filter((item) => item.ObjectKey?.S?.startsWith(PREFIX))
        .map((item) => [(item.ObjectKey?.S ?? '').slice(PREFIX.length), item.Status?.S]),
    );
    expect(statuses).toMatchObject({ 'deleted.png': 'deleted', 'new.png': 'present', 'doc.txt': 'present' });
  });
});
