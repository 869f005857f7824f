/// <reference lib="dom" />
import { useCallback, useEffect, useRef } from 'preact/hooks';
import {
  ErrorNote,
  ExecutionCells,
  ExecutionHeadings,
  type ExecutionsPage,
  executionHref,
  getJson,
  objectHref,
  useExecutionChanges,
  useLoad,
} from './shared';

export const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

export interface ListFilter {
  status: string;
  prefix: string;
  page: number;
  pageSize: number;
}

/** The list's filter lives in the address (`#/executions?status=FAILED&prefix=a/`), so it can be shared and reloaded. */
export function filterHref(filter: ListFilter): string {
  const query = new URLSearchParams();
  if (filter.status) query.set('status', filter.status);
  if (filter.prefix) query.set('prefix', filter.prefix);
  if (filter.page > 0) query.set('page', String(filter.page));
  if (filter.pageSize !== 50) query.set('pageSize', String(filter.pageSize));
  return `#/executions${query.size > 0 ? `?${query}` : ''}`;
}

export function Executions({ filter }: { filter: ListFilter }) {
  const { data, error, reload } = useLoad(
    () => getJson<ExecutionsPage>('executions', { ...filter }),
    [filter.status, filter.prefix, filter.page, filter.pageSize],
  );
  // Live: any change reloads this page of the list, at most every 400 ms.
  const pending = useRef<number | undefined>(undefined);
  const onChange = useCallback(() => {
    if (pending.current !== undefined) return;
    pending.current = window.setTimeout(() => {
      pending.current = undefined;
      reload();
    }, 400);
  }, [reload]);
  useExecutionChanges(onChange);
  useEffect(() => () => window.clearTimeout(pending.current), []);

  const go = (change: Partial<ListFilter>) => {
    location.hash = filterHref({ ...filter, page: 0, ...change });
  };
  const total = data?.total ?? 0;
  const first = filter.page * filter.pageSize;
  const last = Math.min(first + filter.pageSize, total);
  return (
    <section class="panel" aria-labelledby="executions-title">
      <h2 id="executions-title">Executions</h2>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          go({ status: String(form.get('status') ?? ''), prefix: String(form.get('prefix') ?? '') });
        }}
      >
        <label>
          Status{' '}
          <select
            name="status"
            value={filter.status}
            onChange={(event) => go({ status: event.currentTarget.value })}
          >
            <option value="">all</option>
            {STATUSES.map((status) => (
              <option value={status} key={status}>
                {status.replace('_', ' ').toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          Key prefix{' '}
          <input name="prefix" type="search" value={filter.prefix} placeholder="e.g. reports/2026/" />
        </label>
        <button type="submit">Filter</button>
        <span class="count" aria-live="polite" data-testid="executions-count">
          {total === 0 ? 'no executions' : `${first + 1}–${last} of ${total.toLocaleString('en')}`}
        </span>
      </form>
      <ErrorNote error={error} />
      <div class="table-wrap">
        <table class="executions">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Object</th>
              <ExecutionHeadings />
            </tr>
          </thead>
          <tbody>
            {(data?.executions ?? []).map((execution) => (
              <tr key={execution.arn} data-arn={execution.arn} data-status={execution.status}>
                <td class="name">
                  <a href={executionHref(execution.arn)}>{execution.name}</a>
                </td>
                <td class="key">
                  {execution.bucket !== undefined && execution.key !== undefined ? (
                    <a
                      href={objectHref(execution.bucket, execution.key)}
                      title={`s3://${execution.bucket}/${execution.key}`}
                    >
                      {execution.key}
                    </a>
                  ) : (
                    ''
                  )}
                  {execution.eventName?.startsWith('ObjectRemoved') ? <span class="tag">removed</span> : null}
                </td>
                <ExecutionCells execution={execution} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={filter.page === 0}
          onClick={() => go({ page: filter.page - 1, ...keep(filter) })}
        >
          ← Newer
        </button>
        <span>
          page {filter.page + 1} of {Math.max(1, Math.ceil(total / filter.pageSize))}
        </span>
        <button
          type="button"
          disabled={last >= total}
          onClick={() => go({ page: filter.page + 1, ...keep(filter) })}
        >
          Older →
        </button>
        <label>
          Rows{' '}
          <select
            value={String(filter.pageSize)}
            onChange={(event) => go({ pageSize: Number(event.currentTarget.value) })}
          >
            {[25, 50, 100, 200].map((size) => (
              <option key={size} value={String(size)}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}

const keep = (filter: ListFilter) => ({ status: filter.status, prefix: filter.prefix });
