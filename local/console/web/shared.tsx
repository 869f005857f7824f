/// <reference lib="dom" />
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleApi, ExecutionSummary } from '../api';

/** The API's answers, typed from the server's own code (type imports only: nothing of it is bundled). */
export type Overview = Awaited<ReturnType<ConsoleApi['overview']>>;
export type ExecutionDetail = NonNullable<Awaited<ReturnType<ConsoleApi['execution']>>>;
export type ObjectView = Awaited<ReturnType<ConsoleApi['object']>>;
export type ExecutionsPage = ReturnType<ConsoleApi['executions']>;
export type { ExecutionSummary };

export const BASE = '/_console';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(
  path: string,
  params: Record<string, string | number | undefined> = {},
): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') query.set(name, String(value));
  const response = await fetch(`${BASE}/api/${path}${query.size > 0 ? `?${query}` : ''}`);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? response.statusText);
  return body;
}

/** An action (upload, redrive): the header proves the request comes from this page. */
export async function postJson<T>(path: string, params: Record<string, string>, body?: Blob): Promise<T> {
  const response = await fetch(`${BASE}/api/${path}?${new URLSearchParams(params)}`, {
    method: 'POST',
    headers: { 'x-console': '1', ...(body?.type ? { 'content-type': body.type } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const answer = (await response.json()) as T & { error?: string; code?: string };
  if (!response.ok)
    throw new ApiError(response.status, `${answer.code ? `${answer.code}: ` : ''}${answer.error ?? ''}`);
  return answer;
}

// --- live updates ---------------------------------------------------------------------------

export interface ExecutionsChange {
  executions: ExecutionSummary[];
  more: boolean;
}
const listeners = new Set<(change: ExecutionsChange) => void>();
let source: EventSource | undefined;

/**
 * Opens the page's one EventSource. The browser reconnects by itself after a
 * network error, but gives up for good when a reconnection is answered with
 * an HTTP error, as happens while the runtime restarts (its console answers
 * 404 until it is ready): then a new one is opened, a few seconds later.
 */
function connect(): void {
  const opened = new EventSource(`${BASE}/api/events`);
  source = opened;
  opened.addEventListener('executions', (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as ExecutionsChange;
    for (const each of listeners) each(change);
  });
  opened.addEventListener('open', () => document.body.setAttribute('data-live', 'open'));
  opened.addEventListener('error', () => {
    document.body.setAttribute('data-live', 'reconnecting');
    if (opened.readyState === EventSource.CLOSED && source === opened) setTimeout(connect, 3000);
  });
}

/** One EventSource for the page; each view listens to the execution changes it shows. */
export function useExecutionChanges(listener: (change: ExecutionsChange) => void): void {
  useEffect(() => {
    if (source === undefined) connect();
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, [listener]);
}

/** Loads with `load`, again whenever `deps` change or `reload()` is called; keeps the last answer while reloading. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data?: T; error?: string; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: string }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data }),
      (error: unknown) =>
        current &&
        setState((last) => ({ ...last, error: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

// --- formatting -----------------------------------------------------------------------------

export function formatTime(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const date = new Date(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** JSON text shown indented when it parses, as it is otherwise. */
export function pretty(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The object's page; `show` scrolls to one of its sections (`notifications`). */
export const objectHref = (bucket: string, key: string, show?: string) =>
  `#/object/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}${show ? `?show=${show}` : ''}`;
export const executionHref = (arn: string) => `#/execution/${encodeURIComponent(arn)}`;

/** The headings of {@link ExecutionCells}' columns. */
export function ExecutionHeadings() {
  return (
    <>
      <th scope="col">Status</th>
      <th scope="col">Outcome</th>
      <th scope="col">Started</th>
      <th scope="col" class="num">
        Duration
      </th>
    </>
  );
}

/** The status, outcome, start and duration cells of an execution's row (the list and the object page). */
export function ExecutionCells({ execution }: { execution: ExecutionSummary }) {
  return (
    <>
      <td>
        <StatusBadge status={execution.status} />
      </td>
      <td class={execution.status === 'SUCCEEDED' ? '' : 'error-text'}>
        {execution.outcome === execution.status ? '' : execution.outcome}
      </td>
      <td class="time">{formatTime(execution.startDate)}</td>
      <td class="num">
        {formatDuration(
          execution.stopDate === undefined ? undefined : execution.stopDate - execution.startDate,
        )}
      </td>
    </>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status.toLowerCase()}`}>{status.replace('_', ' ')}</span>;
}

export function Section({
  title,
  children,
  id,
}: {
  title: string;
  children: ComponentChildren;
  id?: string;
}) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export function Json({ text, label }: { text: string | undefined; label: string }) {
  if (text === undefined || text === '') return <p class="muted">{label}: none</p>;
  return <pre class="json">{pretty(text)}</pre>;
}

export function ErrorNote({ error }: { error: string | undefined }) {
  return error ? (
    <p class="error-note" role="alert">
      {error}
    </p>
  ) : null;
}
