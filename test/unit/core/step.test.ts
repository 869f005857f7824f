import * as z from 'zod';
import { InvalidInputError, SupersededError, TransientError } from '../../../functions/core/errors';
import { type StepLogger, stepHandler } from '../../../functions/core/step';
import { EXECUTION_ARN, objectEvent } from '../../support/fixtures';

function recordingLogger() {
  const lines: { level: string; message: string; extra: Record<string, unknown>[] }[] = [];
  const logger: StepLogger = {
    info: (message, ...extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, ...extra) => lines.push({ level: 'warn', message, extra }),
    error: (message, ...extra) => lines.push({ level: 'error', message, extra }),
  };
  return { logger, lines };
}

const schema = z.object({ object: z.object({ bucket: z.string(), key: z.string(), sequencer: z.string() }) });

describe('stepHandler', () => {
  it('passes the validated input to the logic and returns its result', async () => {
    const { logger } = recordingLogger();
    const handler = stepHandler({ name: 'demo', schema, logger, run: async (input) => input.object.key });
    await expect(handler({ object: objectEvent() })).resolves.toBe('reports/q3 2026 (final).csv');
  });

  it('rejects invalid input with InvalidInputError naming the step and the field', async () => {
    const { logger } = recordingLogger();
    const handler = stepHandler({ name: 'demo', schema, logger, run: async () => 'never' });
    await expect(handler({ object: { bucket: 'b' } })).rejects.toThrow(InvalidInputError);
    await expect(handler({ object: { bucket: 'b' } })).rejects.toThrow(
      /demo input is not valid: object\.key: /,
    );
  });

  it('correlates every log line with the object and the execution, even when invocations overlap', async () => {
    const { logger, lines } = recordingLogger();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = stepHandler({
      name: 'demo',
      schema,
      logger,
      run: async (input, log) => {
        if (input.object.key === 'first') await gate;
        log.info(`done ${input.object.key}`);
        return 'ok';
      },
    });
    const first = handler({ object: objectEvent({ key: 'first' }), executionArn: EXECUTION_ARN });
    await handler({ object: objectEvent({ key: 'second' }) });
    release();
    await first;
    expect(lines.map((line) => [line.message, line.extra[0]?.key])).toEqual([
      ['done second', 'second'],
      ['done first', 'first'],
    ]);
    expect(lines[1]?.extra[0]).toMatchObject({
      step: 'demo',
      bucket: 'uploads',
      execution: 'q3_2026_final_csv-0123',
    });
  });

  it('rethrows errors unchanged, so Step Functions sees their names', async () => {
    const { logger } = recordingLogger();
    const error = new TransientError('flaky');
    const handler = stepHandler({ name: 'demo', schema, logger, run: async () => Promise.reject(error) });
    await expect(handler({ object: objectEvent() })).rejects.toBe(error);
  });

  it('logs expected outcomes as info, faults as warnings and the rest as errors', async () => {
    const { logger, lines } = recordingLogger();
    const failing = (error: Error) =>
      stepHandler({ name: 'demo', schema, logger, run: async () => Promise.reject(error) })({
        object: objectEvent(),
      }).catch(() => undefined);
    await failing(new SupersededError('newer'));
    await failing(new TransientError('flaky'));
    await failing(new TypeError('bug'));
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['info', 'demo ended with SupersededError'],
      ['warn', 'demo ended with TransientError'],
      ['error', 'demo ended with TypeError'],
    ]);
  });
});

describe('stepHandler metrics', () => {
  function recordingMetrics() {
    const added: [string, string, number][] = [];
    let published = 0;
    return {
      added,
      published: () => published,
      metrics: {
        addMetric: (name: string, unit: 'Count' | 'Bytes', value: number) => added.push([name, unit, value]),
        hasStoredMetrics: () => added.length > published,
        publishStoredMetrics: () => {
          published = added.length;
        },
      },
    };
  }

  it('counts each error under its name and publishes', async () => {
    const { logger } = recordingLogger();
    const recording = recordingMetrics();
    const handler = stepHandler({
      name: 'demo',
      schema,
      logger,
      metrics: recording.metrics,
      run: async () => Promise.reject(new TransientError('flaky')),
    });
    await handler({ object: objectEvent() }).catch(() => undefined);
    expect(recording.added).toEqual([['TransientError', 'Count', 1]]);
    expect(recording.published()).toBe(1);
  });

  it('publishes nothing when nothing was measured', async () => {
    const { logger } = recordingLogger();
    const recording = recordingMetrics();
    const publish = jest.spyOn(recording.metrics, 'publishStoredMetrics');
    await stepHandler({ name: 'demo', schema, logger, metrics: recording.metrics, run: async () => 'ok' })({
      object: objectEvent(),
    });
    expect(publish).not.toHaveBeenCalled();
  });
});
