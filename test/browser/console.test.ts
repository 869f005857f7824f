import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Browser, Page } from 'puppeteer-core';
import { type Clients, clientsFor } from '../support/aws-clients';
import { eventually, type RuntimeProcess, startRuntimeProcess } from '../support/runtime-process';
import { executionsOfKey, listExecutions } from '../support/settle';
import { launchChromium } from './support/chromium';

/**
 * The local console in a real Chromium: the runtime as `npm start` runs it,
 * uploads through the SDK and through the page, the list updating live, the
 * definition's graph coloured as the execution history says, the object's
 * item and notification, a failed execution (fault injection's deny=) and
 * its redrive after a restart without the fault. Every check reads the DOM;
 * what it is compared with comes from the AWS APIs (GetExecutionHistory,
 * GetItem), not from the page's code.
 *
 * Screenshots of each view go to test/browser/output/ (or $CONSOLE_SCREENSHOT_DIR);
 * with UPDATE_CONSOLE_SCREENSHOTS=1 the README's docs/images/console-*.png are rewritten too.
 */

const ROOT = join(__dirname, '..', '..');
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:metadata-pipeline';
const OUTPUT = process.env.CONSOLE_SCREENSHOT_DIR ?? join(__dirname, 'output');
const README_IMAGES =
  process.env.UPDATE_CONSOLE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : undefined;
const DEFINITION = JSON.parse(
  readFileSync(join(ROOT, 'statemachine', 'metadata-pipeline.asl.json'), 'utf8'),
) as {
  States: Record<string, unknown>;
};
const STATE_NAMES = Object.keys(DEFINITION.States);

/**
 * What the history says happened to each state, read as the Step Functions
 * console reads it (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-view-execution-details.html):
 * a state entered then exited succeeded (retried when its task was scheduled
 * more than once); left for another state without exiting, or exited with its
 * last attempt failed, its error was caught; followed by ExecutionFailed, it failed.
 */
function outcomesFromHistory(events: HistoryEvent[]): Record<string, string> {
  const outcomes: Record<string, string> = Object.fromEntries(
    STATE_NAMES.map((name) => [name, 'not-entered']),
  );
  events.forEach((event, index) => {
    const name = event.stateEnteredEventDetails?.name;
    if (name === undefined) return;
    let scheduled = 0;
    let failed = false;
    for (const later of events.slice(index + 1)) {
      if (later.type === 'TaskScheduled') {
        scheduled += 1;
        failed = false;
      }
      if (later.type === 'TaskFailed') failed = true;
      if (later.stateExitedEventDetails?.name === name) {
        // Exited with its last attempt failed: a Catch took the error on.
        outcomes[name] = failed ? 'caught' : scheduled > 1 ? 'retried' : 'succeeded';
        return;
      }
      if (later.stateEnteredEventDetails !== undefined) {
        outcomes[name] = 'caught';
        return;
      }
      if (later.type === 'ExecutionFailed') {
        outcomes[name] = 'failed';
        return;
      }
    }
    outcomes[name] = 'running';
  });
  return outcomes;
}

async function historyOf(clients: Clients, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The one execution of a key once it has ended, described. */
async function endedExecution(clients: Clients, key: string): Promise<DescribeExecutionCommandOutput> {
  return eventually(
    async () => {
      const [execution] = await executionsOfKey(clients.sfn, STATE_MACHINE_ARN, key);
      return execution !== undefined && execution.status !== 'RUNNING' ? execution : undefined;
    },
    30_000,
    `the execution of ${key} to end`,
  );
}

/** A raw HTTP request to the runtime (fetch cannot set Host); resolves with the status. */
function statusOf(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (incoming) => {
        incoming.resume();
        resolve(incoming.statusCode ?? 0);
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Each state's colour in the page's graph: its data-outcome attribute. */
async function graphOutcomes(page: Page): Promise<Record<string, string>> {
  return page.$$eval('svg.graph [data-state]', (nodes) =>
    Object.fromEntries(
      nodes.map((node) => [node.getAttribute('data-state'), node.getAttribute('data-outcome')]),
    ),
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  const file = join(OUTPUT, `console-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (README_IMAGES !== undefined) {
    mkdirSync(README_IMAGES, { recursive: true });
    // The README shows what fits a window: the viewport, not the whole page.
    await page.screenshot({ path: join(README_IMAGES, `console-${name}.png`) });
  }
}

describe('the local console', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'console-test-'));
  let runtime: RuntimeProcess;
  let clients: Clients;
  let browser: Browser;
  let page: Page;
  let failedArn = '';
  const consoleUrl = () => `${runtime.endpoint}/_console/`;

  beforeAll(async () => {
    [runtime, browser] = await Promise.all([
      // deny= makes reads of denied/ fail for good (403); throttling makes some states retry.
      startRuntimeProcess([
        '--data-dir',
        dataDir,
        '--quiet',
        '--faults',
        'deny=denied/,throttle=0.15',
        '--faults-seed',
        '3',
        '--retry-scale',
        '0.01',
      ]),
      launchChromium(),
    ]);
    clients = clientsFor(runtime.endpoint);
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is served on the runtime endpoint with nothing loaded from elsewhere', async () => {
    const requested: string[] = [];
    page.on('request', (request) => {
      requested.push(request.url());
    });
    // The event stream stays open: "network idle" never comes, the list's first answer does.
    await page.goto(consoleUrl(), { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('table.executions');
    await page.waitForSelector('[data-testid="executions-count"]');
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(runtime.endpoint))).toEqual([]);
    page.removeAllListeners('request');
  });

  it('answers only pages of its own: another Host name is refused, and so is an action without the page header', async () => {
    const api = `${consoleUrl()}api/overview`;
    expect(await statusOf(api)).toBe(200);
    // A DNS name rebound to 127.0.0.1 by some web page would arrive with its own Host.
    expect(await statusOf(api, { headers: { host: 'attacker.example' } })).toBe(403);
    // A form posted by another site carries no x-console header (and a foreign Origin).
    const upload = `${consoleUrl()}api/upload?bucket=uploads&key=forged.txt`;
    expect(await statusOf(upload, { method: 'POST' })).toBe(403);
    expect(
      await statusOf(upload, {
        method: 'POST',
        headers: { 'x-console': '1', origin: 'http://attacker.example' },
      }),
    ).toBe(403);
  });

  it('lists an upload from the SDK as soon as its execution runs, without reloading the page', async () => {
    // The page's event stream is open (the live dot), and the page marked: a reload would lose the mark.
    await page.waitForSelector('body[data-live="open"]', { timeout: 10_000 });
    await page.evaluate(() => {
      (window as unknown as { stayedOpen: boolean }).stayedOpen = true;
    });
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: 'uploads',
        Key: 'reports/q3 summary.csv',
        Body: 'region,total\nnorth,12\n',
      }),
    );
    const execution = await endedExecution(clients, 'reports/q3 summary.csv');
    await page.waitForSelector(`tr[data-arn="${execution.executionArn}"][data-status="SUCCEEDED"]`, {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => (window as unknown as { stayedOpen?: boolean }).stayedOpen)).toBe(true);
    const row = await page.$eval(`tr[data-arn="${execution.executionArn}"]`, (tr) => tr.textContent ?? '');
    expect(row).toContain('reports/q3 summary.csv');
  });

  it('filters by key prefix and by status', async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.txt', Body: 'meow' }));
    await endedExecution(clients, 'photos/cat.txt');
    await page.goto(`${consoleUrl()}#/executions?prefix=photos%2F`);
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('table.executions tbody tr')];
        return rows.length === 1 && rows[0]?.textContent?.includes('photos/cat.txt');
      },
      { timeout: 10_000 },
    );
    expect(await page.$eval('input[name="prefix"]', (input) => input.value)).toBe('photos/');
    await page.select('select[name="status"]', 'FAILED');
    await page.waitForFunction(() => document.querySelectorAll('table.executions tbody tr').length === 0, {
      timeout: 10_000,
    });
    expect(await page.$eval('[data-testid="executions-count"]', (node) => node.textContent)).toBe(
      'no executions',
    );
  });

  it("shows a deleted object's tombstone and both of its executions", async () => {
    await clients.s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'photos/cat.txt' }));
    await eventually(
      async () => {
        const executions = await executionsOfKey(clients.sfn, STATE_MACHINE_ARN, 'photos/cat.txt');
        const removed = executions.find((execution) => (execution.input ?? '').includes('ObjectRemoved'));
        return removed !== undefined && removed.status !== 'RUNNING' ? removed : undefined;
      },
      30_000,
      'the delete to be recorded',
    );
    const item = await clients.item('photos/cat.txt');
    expect(item).toMatchObject({ Status: 'deleted' });
    await page.goto(`${consoleUrl()}#/object/uploads/${encodeURIComponent('photos/cat.txt')}`);
    await page.waitForSelector('[data-attribute="DeletedAt"]', { timeout: 10_000 });
    expect(await page.$eval('.badge.item-deleted', (badge) => badge.textContent)).toBe('deleted');
    expect(await page.$eval('[data-attribute="DeletedAt"] td', (cell) => cell.textContent)).toBe(
      item?.DeletedAt,
    );
    expect(
      await page.$$eval('table.executions tbody tr', (rows) =>
        rows.map((row) => row.children[1]?.textContent),
      ),
    ).toEqual([expect.stringMatching(/^ObjectRemoved:/), expect.stringMatching(/^ObjectCreated:/)]);
  });

  it('uploads a file from the page, then shows its item and its notification', async () => {
    const file = join(dataDir, 'hello from the page.txt');
    writeFileSync(file, 'Hello, pipeline!\n');
    await page.goto(`${consoleUrl()}#/overview`);
    const input = await page.waitForSelector('form.upload input[type="file"]');
    await input?.uploadFile(file);
    await page.click('form.upload button[type="submit"]');
    await page.waitForSelector('form.upload .ok-note', { timeout: 10_000 });
    const itemLink = await page.$eval('form.upload .ok-note a:last-of-type', (a) => a.getAttribute('href'));
    expect(itemLink).toBe(`#/object/uploads/${encodeURIComponent('hello from the page.txt')}`);
    const head = await clients.s3.send(
      new HeadObjectCommand({ Bucket: 'uploads', Key: 'hello from the page.txt' }),
    );
    expect(head.ContentLength).toBe(17);

    // The overview's numbers are the APIs' numbers.
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: `${runtime.endpoint}/000000000000/s3-metadata-ingest-dlq`,
        MessageBody: 'this is not an S3 event',
      }),
    );
    await endedExecution(clients, 'hello from the page.txt');
    const succeeded = (await listExecutions(clients.sfn, STATE_MACHINE_ARN, 'SUCCEEDED')).length;
    await page.click('a[href="#/executions"]');
    await page.click('a[href="#/overview"]');
    await page.waitForSelector('[data-testid="dead-letter"]', { timeout: 10_000 });
    await page.waitForFunction(
      (expected) =>
        document.querySelector('[data-testid="count-SUCCEEDED"]')?.textContent === String(expected),
      { timeout: 10_000 },
      succeeded,
    );
    expect(await page.$eval('[data-testid="dlq-depth"]', (node) => node.textContent)).toMatch(/^1 waiting/);
    expect(await page.$eval('[data-testid="dead-letter"]', (row) => row.textContent)).toMatch(/not JSON/);
    await screenshot(page, 'overview');

    await page.goto(`${consoleUrl()}${itemLink}`);
    await page.waitForSelector('[data-attribute="Status"]', { timeout: 30_000 });
    const item = await eventually(() => clients.item('hello from the page.txt'), 30_000, 'the item');
    const shown = await page.$$eval('table.item tr', (rows) =>
      Object.fromEntries(
        rows.map((row) => [row.getAttribute('data-attribute'), row.querySelector('td')?.textContent]),
      ),
    );
    expect(shown.ETag).toBe(item.ETag);
    expect(shown.Status).toBe('present');
    expect(shown.FileSize).toBe('17');
    await page.waitForSelector('[data-testid="notification"]', { timeout: 15_000 });
    expect(await page.$eval('[data-testid="notification"] h3', (h) => h.textContent)).toContain(
      'hello from the page.txt',
    );
    await screenshot(page, 'object');
  });

  it('colours each state of the graph as the execution history says, and shows a state on Enter', async () => {
    const [execution] = await executionsOfKey(clients.sfn, STATE_MACHINE_ARN, 'reports/q3 summary.csv');
    const arn = execution?.executionArn ?? '';
    await page.goto(`${consoleUrl()}#/execution/${encodeURIComponent(arn)}`);
    await page.waitForSelector('svg.graph [data-state="Notify"]');
    expect(await graphOutcomes(page)).toEqual(outcomesFromHistory(await historyOf(clients, arn)));
    // The path taken is drawn over the others: each pair of states entered one after the other.
    const entered = (await historyOf(clients, arn)).flatMap(
      (event) => event.stateEnteredEventDetails?.name ?? [],
    );
    const drawn = await page.$$eval('svg.graph path.edge-taken', (paths) =>
      paths.map((path) => path.getAttribute('data-edge')),
    );
    expect(drawn).toEqual(
      expect.arrayContaining(entered.slice(1).map((name, index) => `${entered[index]}>${name}`)),
    );

    // Keyboard: Tab reaches the states; Enter opens one.
    let focused: string | null = null;
    for (let presses = 0; presses < 40 && focused !== 'DescribeObject'; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-state') ?? null);
    }
    expect(focused).toBe('DescribeObject');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="state-detail"][data-state="DescribeObject"]');
    const detail = await page.$eval('[data-testid="state-detail"]', (node) => node.textContent ?? '');
    expect(detail).toContain('Input');
    expect(detail).toContain('"key": "reports/q3 summary.csv"');
    // The event table holds the whole history.
    const history = await historyOf(clients, arn);
    expect(
      await page.$$eval('table.events tr.event', (rows) => rows.map((row) => row.getAttribute('data-type'))),
    ).toEqual(history.map((event) => event.type));
    await screenshot(page, 'execution');

    // From the execution to its notification.
    await page.click('[data-testid="notifications-link"]');
    await page.waitForSelector('[data-testid="notification"]', { timeout: 10_000 });
    expect(await page.$eval('[data-testid="notification"] h3', (h) => h.textContent)).toContain(
      'reports/q3 summary.csv',
    );
    await page.goBack();
  });

  it('colours a caught error: the event of an object that is not there ends at ObjectGone', async () => {
    // An S3 event as S3 sends it (test/fixtures), for a key never uploaded: HeadObject answers 404.
    const event = JSON.parse(
      readFileSync(join(ROOT, 'test', 'fixtures', 'events', 'object-created-put.json'), 'utf8'),
    );
    event.Records[0].s3.object.key = 'ghost/never-uploaded.txt';
    await clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: `${runtime.endpoint}/000000000000/s3-metadata-ingest`,
        MessageBody: JSON.stringify(event),
      }),
    );
    const execution = await endedExecution(clients, 'ghost/never-uploaded.txt');
    const arn = execution.executionArn ?? '';
    await page.goto(`${consoleUrl()}#/execution/${encodeURIComponent(arn)}`);
    await page.waitForSelector('svg.graph [data-state="Notify"]');
    const expected = outcomesFromHistory(await historyOf(clients, arn));
    expect(Object.values(expected)).toContain('caught');
    expect(await graphOutcomes(page)).toEqual(expected);
    // The caught state is the one shown first, with the error and where the Catch sent the execution.
    const detail = await page.$eval('[data-testid="state-detail"]', (node) => node.textContent ?? '');
    expect(detail).toContain('Caught error');
    expect(detail).toMatch(/Caught by\s*ObjectGone/);
    await screenshot(page, 'execution-caught');
  });

  it('is readable at phone width: nothing wider than the window', async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 });
    await page.reload();
    await page.waitForSelector('svg.graph [data-state="Notify"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'phone');
    await page.goto(`${consoleUrl()}#/executions`);
    await page.waitForSelector('table.executions tbody tr');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'phone-executions');
    for (const [view, ready] of [
      [`#/object/uploads/${encodeURIComponent('hello from the page.txt')}`, '[data-attribute="Status"]'],
      ['#/overview', 'form.upload'],
    ] as const) {
      await page.goto(`${consoleUrl()}${view}`);
      await page.waitForSelector(ready);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await screenshot(page, `phone-${view.split('/')[1]}`);
    }
    await page.setViewport({ width: 1280, height: 800 });
  });

  it('shows a failed execution (deny= fault) red where it failed', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'denied/payroll.csv', Body: 'secret' }),
    );
    const execution = await endedExecution(clients, 'denied/payroll.csv');
    expect(execution.status).toBe('FAILED');
    failedArn = execution.executionArn ?? '';
    await page.goto(`${consoleUrl()}#/execution/${encodeURIComponent(failedArn)}`);
    await page.waitForSelector('svg.graph [data-state="Notify"]');
    const expected = outcomesFromHistory(await historyOf(clients, failedArn));
    expect(Object.values(expected)).toContain('failed');
    expect(await graphOutcomes(page)).toEqual(expected);
    expect(await page.$eval('.badge.status-failed', (badge) => badge.textContent)).toBe('FAILED');
    expect(await page.$eval('[data-testid="state-detail"]', (node) => node.textContent ?? '')).toMatch(
      /Error/,
    );
    expect(await page.$('.redrive button')).not.toBeNull();
    await screenshot(page, 'execution-failed');

    await page.goto(`${consoleUrl()}#/executions`);
    await page.waitForSelector(`tr[data-arn="${failedArn}"][data-status="FAILED"]`, { timeout: 10_000 });
    await screenshot(page, 'executions');
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html: it resumes at the failed state.
  it('redrives it after a restart without the fault, and it succeeds', async () => {
    await runtime.stop();
    runtime = await startRuntimeProcess(['--data-dir', dataDir, '--quiet']);
    clients = clientsFor(runtime.endpoint);
    await page.goto(`${consoleUrl()}#/execution/${encodeURIComponent(failedArn)}`);
    const button = await page.waitForSelector('.redrive button:not([disabled])', { timeout: 10_000 });
    await button?.click();
    const described = await eventually(
      async () => {
        const current = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }));
        return current.status === 'SUCCEEDED' ? current : undefined;
      },
      30_000,
      'the redriven execution to succeed',
    );
    expect(described.redriveCount).toBe(1);
    await page.waitForSelector('.badge.status-succeeded', { timeout: 15_000 });
    expect(await graphOutcomes(page)).toEqual(outcomesFromHistory(await historyOf(clients, failedArn)));
    expect(await clients.item('denied/payroll.csv')).toMatchObject({ Status: 'present' });
    await screenshot(page, 'execution-redriven');
  });
});
