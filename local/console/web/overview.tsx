/// <reference lib="dom" />
import { useCallback, useRef, useState } from 'preact/hooks';
import { filterHref, STATUSES } from './executions';
import {
  ErrorNote,
  formatTime,
  getJson,
  type Overview,
  objectHref,
  postJson,
  Section,
  StatusBadge,
  useExecutionChanges,
  useLoad,
} from './shared';

export function OverviewPage() {
  const { data, error, reload } = useLoad(() => getJson<Overview>('overview'), []);
  const pending = useRef<number | undefined>(undefined);
  const onChange = useCallback(() => {
    if (pending.current !== undefined) return;
    pending.current = window.setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 1000);
  }, [reload]);
  useExecutionChanges(onChange);
  if (data === undefined) return <ErrorNote error={error} />;
  return (
    <>
      <Section title="Executions by status" id="counts-title">
        <ul class="counts">
          <li>
            <a href={filterHref({ status: '', prefix: '', page: 0, pageSize: 50 })}>
              <strong data-testid="count-ALL">{data.total}</strong> all
            </a>
          </li>
          {STATUSES.map((status) => (
            <li key={status}>
              <a href={filterHref({ status, prefix: '', page: 0, pageSize: 50 })}>
                <strong data-testid={`count-${status}`}>{data.counts[status] ?? 0}</strong>{' '}
                <StatusBadge status={status} />
              </a>
            </li>
          ))}
        </ul>
      </Section>
      <div class="two-columns">
        <Section title="Upload a file" id="upload-title">
          <Upload buckets={data.buckets} />
        </Section>
        <Section title="Pipeline" id="pipeline-title">
          <dl class="facts">
            <dt>Buckets watched</dt>
            <dd data-testid="buckets">{data.buckets.join(', ')}</dd>
            <dt>Ingest queue</dt>
            <dd data-testid="ingest-depth">
              {data.ingest.visible} waiting, {data.ingest.inFlight} in flight
            </dd>
            <dt>Dead-letter queue</dt>
            <dd data-testid="dlq-depth">
              {data.deadLetters.visible} waiting, {data.deadLetters.inFlight} in flight
            </dd>
            <dt>Table</dt>
            <dd>{data.tableName}</dd>
            <dt>State machine</dt>
            <dd class="arn">{data.stateMachineArn}</dd>
          </dl>
        </Section>
      </div>
      <Section title={`Dead letters (${data.deadLetters.visible})`} id="dlq-title">
        {data.deadLetters.messages.length === 0 ? (
          <p class="muted">The dead-letter queue is empty.</p>
        ) : (
          <div class="table-wrap">
            <table class="dead-letters">
              <thead>
                <tr>
                  <th scope="col">Sent</th>
                  <th scope="col">From</th>
                  <th scope="col">Why</th>
                  <th scope="col">Body</th>
                </tr>
              </thead>
              <tbody>
                {data.deadLetters.messages.map((message) => (
                  <tr key={message.messageId} data-testid="dead-letter">
                    <td class="time">{formatTime(message.sentAt)}</td>
                    <td>{message.source || '—'}</td>
                    <td class="error-text">{message.why}</td>
                    <td>
                      <code class="body">{message.body.slice(0, 200)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {data.deadLetters.visible > data.deadLetters.messages.length ? (
          <p class="muted">Showing the first {data.deadLetters.messages.length}.</p>
        ) : null}
      </Section>
    </>
  );
}

function Upload({ buckets }: { buckets: readonly string[] }) {
  const [state, setState] = useState<{
    busy?: boolean;
    done?: { bucket: string; key: string };
    error?: string;
  }>({});
  const [key, setKey] = useState('');
  return (
    <form
      class="upload"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const file = form.get('file');
        const bucket = String(form.get('bucket') ?? buckets[0] ?? '');
        if (!(file instanceof File) || file.name === '') {
          setState({ error: 'Choose a file first.' });
          return;
        }
        const objectKey = key.trim() || file.name;
        setState({ busy: true });
        try {
          await postJson('upload', { bucket, key: objectKey }, file);
          setState({ done: { bucket, key: objectKey } });
        } catch (error) {
          setState({ error: error instanceof Error ? error.message : String(error) });
        }
      }}
    >
      <label>
        File{' '}
        <input
          type="file"
          name="file"
          onChange={(event) => setKey(event.currentTarget.files?.[0]?.name ?? '')}
        />
      </label>
      <label>
        Bucket{' '}
        <select name="bucket">
          {buckets.map((bucket) => (
            <option key={bucket}>{bucket}</option>
          ))}
        </select>
      </label>
      <label>
        Key{' '}
        <input type="text" name="key" value={key} onInput={(event) => setKey(event.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" disabled={state.busy === true}>
        Upload
      </button>
      {state.done ? (
        <p class="ok-note" role="status">
          Uploaded s3://{state.done.bucket}/{state.done.key}. Follow it:{' '}
          <a href={filterHref({ status: '', prefix: state.done.key, page: 0, pageSize: 50 })}>
            its execution
          </a>
          , <a href={objectHref(state.done.bucket, state.done.key)}>its item</a>.
        </p>
      ) : null}
      <ErrorNote error={state.error} />
    </form>
  );
}
