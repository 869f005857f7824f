import { join } from 'node:path';
import { clientsFor } from '../support/aws-clients';
import { readmeQueries, withValue } from '../support/readme-queries';
import { eventually } from '../support/runtime-process';
import { aws, clientsEndpoint, describeWithClients } from './support/clients';

/*
 * The README's "Querying the table" commands run as written, with Debian's
 * AWS CLI (only the day is today's), against items the pipeline wrote from
 * uploads made with the same CLI. test/e2e/queries.test.ts sends the same
 * queries through the SDK.
 */

const PREFIX = 'clients-queries/';
const SAMPLES = join(__dirname, '..', '..', 'local', 'samples');
const UPLOADS = [
  { name: 'old.png', type: 'image/png', file: 'photo.png' },
  { name: 'doc.txt', type: 'text/plain', file: 'README.txt' },
  { name: 'photo.jpg', type: 'image/jpeg', file: 'camera.jpg' },
  { name: 'deleted.png', type: 'image/png', file: 'photo.png' },
  { name: 'new.png', type: 'image/png', file: 'photo.png' },
] as const;

/** The rows `--output text` prints (tab-separated columns), this file's keys only, without the prefix. */
function rows(stdout: string, keyColumn: number): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'))
    .filter((columns) => columns[keyColumn]?.startsWith(PREFIX))
    .map((columns) => columns.map((column, i) => (i === keyColumn ? column.slice(PREFIX.length) : column)));
}

describeWithClients("the README's queries, as written, with the AWS CLI", () => {
  const [newestPng, imagesOfDay, dayAll] = readmeQueries();
  let day = '';

  /** Runs one README command (the day replaced by the uploads' day); its text output. */
  async function run(query: typeof newestPng): Promise<string> {
    if (query === undefined) throw new Error('README: a query is missing');
    const command = query.args.some((arg) => arg.includes('":day"'))
      ? withValue(query, ':day', { S: day })
      : query;
    return succeed(command.args);
  }

  /** Runs the CLI; its output, or a failure with what it said. */
  async function succeed(args: string[]): Promise<string> {
    const result = await aws(args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  }

  beforeAll(async () => {
    const clients = clientsFor(clientsEndpoint() ?? '');
    for (const upload of UPLOADS) {
      await succeed([
        's3',
        'cp',
        join(SAMPLES, upload.file),
        `s3://uploads/${PREFIX}${upload.name}`,
        '--content-type',
        upload.type,
      ]);
      await eventually(
        async () =>
          (await clients.item(`${PREFIX}${upload.name}`))?.Status === 'present' ? true : undefined,
        60_000,
        `${upload.name} recorded`,
      );
    }
    await succeed(['s3', 'rm', `s3://uploads/${PREFIX}deleted.png`]);
    await eventually(
      async () => ((await clients.item(`${PREFIX}deleted.png`))?.Status === 'deleted' ? true : undefined),
      60_000,
      'the tombstone of deleted.png',
    );
    day = String((await clients.item(`${PREFIX}old.png`))?.UploadDay);
  });

  it('newest PNG images first, deleted ones left out', async () => {
    const found = rows(await run(newestPng), 2);
    expect(found.map((columns) => columns[2])).toEqual(['new.png', 'old.png']);
    const times = found.map((columns) => columns[0] ?? '');
    expect(times).toEqual([...times].sort().reverse());
  });

  it('every image of the day, newest first, whatever its type, deleted ones left out', async () => {
    expect(rows(await run(imagesOfDay), 2).map((columns) => columns[2])).toEqual([
      'new.png',
      'photo.jpg',
      'old.png',
    ]);
  });

  it('what arrived on the day, in order of arrival, with its status', async () => {
    expect(rows(await run(dayAll), 3).map((columns) => `${columns[3]} ${columns[1]}`)).toEqual([
      'old.png present',
      'doc.txt present',
      'photo.jpg present',
      'deleted.png deleted',
      'new.png present',
    ]);
  });
});
