/// <reference lib="dom" />
import { Fragment } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { type DefinitionGraph, END, type GraphNode, START } from '../graph';
import type { HistoryEvent, StateOutcome, StateRun } from '../history';
import {
  ErrorNote,
  type ExecutionDetail,
  type ExecutionsChange,
  formatDuration,
  formatTime,
  getJson,
  Json,
  objectHref,
  postJson,
  pretty,
  StatusBadge,
  useExecutionChanges,
  useLoad,
} from './shared';

export const OUTCOME_LABEL: Record<StateOutcome, string> = {
  succeeded: 'Succeeded',
  retried: 'Succeeded after retries',
  caught: 'Caught error',
  failed: 'Failed',
  running: 'In progress',
  'not-entered': 'Not entered',
};
const OUTCOME_MARK: Record<StateOutcome, string> = {
  succeeded: '✓',
  retried: '↻',
  caught: '⤳',
  failed: '✗',
  running: '…',
  'not-entered': '',
};

let graphPromise: Promise<DefinitionGraph> | undefined;

export function Execution({ arn }: { arn: string }) {
  const graph = useLoad(() => (graphPromise ??= getJson<DefinitionGraph>('graph')), []);
  const detail = useLoad(() => getJson<ExecutionDetail>('execution', { arn }), [arn]);
  const onChange = useCallback(
    (change: ExecutionsChange) => {
      if (change.more || change.executions.some((execution) => execution.arn === arn)) detail.reload();
    },
    [arn, detail.reload],
  );
  useExecutionChanges(onChange);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const data = detail.data;
  if (data === undefined) return <ErrorNote error={detail.error ?? graph.error} />;
  const { execution, states } = data;
  const byName = new Map(states.map((run) => [run.name, run]));
  const lastEntered = data.events.findLast((event) => event.stateEnteredEventDetails !== undefined)
    ?.stateEnteredEventDetails?.name;
  const focus =
    selected ??
    states.find((run) => run.outcome === 'failed' || run.outcome === 'caught')?.name ??
    lastEntered;
  const focused = focus === undefined ? undefined : byName.get(focus);
  return (
    <>
      <section class="panel" aria-labelledby="execution-title">
        <div class="title-row">
          <h2 id="execution-title" class="execution-name">
            {execution.name}
          </h2>
          <StatusBadge status={execution.status} />
          {execution.outcome !== execution.status ? <span class="tag">{execution.outcome}</span> : null}
        </div>
        <dl class="facts">
          <dt>Object</dt>
          <dd>
            {execution.bucket !== undefined && execution.key !== undefined ? (
              <>
                <a href={objectHref(execution.bucket, execution.key)} data-testid="object-link">
                  s3://{execution.bucket}/{execution.key}
                </a>{' '}
                <span class="muted">{execution.eventName}</span> ·{' '}
                <a href={objectHref(execution.bucket, execution.key)}>its item</a> ·{' '}
                <a
                  href={objectHref(execution.bucket, execution.key, 'notifications')}
                  data-testid="notifications-link"
                >
                  its notifications
                </a>
              </>
            ) : (
              '—'
            )}
          </dd>
          <dt>Started</dt>
          <dd>{formatTime(execution.startDate)}</dd>
          <dt>Duration</dt>
          <dd>
            {execution.stopDate === undefined
              ? 'running'
              : formatDuration(execution.stopDate - execution.startDate)}
          </dd>
          <dt>ARN</dt>
          <dd class="arn">{execution.arn}</dd>
          {data.redrive.count > 0 ? (
            <>
              <dt>Redriven</dt>
              <dd data-testid="redrive-count">
                {data.redrive.count === 1 ? 'once' : `${data.redrive.count} times`}, last at{' '}
                {formatTime(data.redrive.date)}
              </dd>
            </>
          ) : null}
          {execution.error !== undefined ? (
            <>
              <dt>Error</dt>
              <dd class="error-text">{execution.error}</dd>
              <dt>Cause</dt>
              <dd>
                <Cause cause={execution.cause} />
              </dd>
            </>
          ) : null}
        </dl>
        <Redrive
          arn={execution.arn}
          status={execution.status}
          redrive={data.redrive}
          onDone={detail.reload}
        />
      </section>
      <div class="execution-grid">
        <section class="panel graph-panel" aria-labelledby="graph-title">
          <h2 id="graph-title">Graph</h2>
          <Legend />
          {graph.data ? (
            <div class="graph-scroll">
              <Graph
                graph={graph.data}
                runs={byName}
                taken={transitionsTaken(data.events, execution.status)}
                selected={focus}
                onSelect={setSelected}
              />
            </div>
          ) : (
            <ErrorNote error={graph.error} />
          )}
        </section>
        <section class="panel state-panel" aria-labelledby="state-title" aria-live="polite">
          <h2 id="state-title">{focused ? `State: ${focused.name}` : 'State'}</h2>
          {focused ? <StateDetail run={focused} /> : <p class="muted">Select a state in the graph.</p>}
        </section>
      </div>
      <Events events={data.events} startDate={execution.startDate} />
    </>
  );
}

function Redrive({
  arn,
  status,
  redrive,
  onDone,
}: {
  arn: string;
  status: string;
  redrive: ExecutionDetail['redrive'];
  onDone: () => void;
}) {
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: string }>({});
  if (!['FAILED', 'TIMED_OUT', 'ABORTED'].includes(status)) return null;
  return (
    <div class="redrive">
      <button
        type="button"
        class="primary"
        disabled={!redrive.available || state.busy === true}
        aria-describedby="redrive-why"
        onClick={async () => {
          setState({ busy: true });
          try {
            await postJson('redrive', { arn });
            setState({ message: 'Redriven: the execution resumes at the state that failed.' });
            onDone();
          } catch (error) {
            setState({ error: error instanceof Error ? error.message : String(error) });
          }
        }}
      >
        Redrive
      </button>{' '}
      <span id="redrive-why" class="muted">
        {redrive.available
          ? 'resume this execution at the state that failed'
          : `not available: ${redrive.reason}`}
      </span>
      {state.message ? <p class="ok-note">{state.message}</p> : null}
      <ErrorNote error={state.error} />
    </div>
  );
}

/**
 * A Lambda error's cause is JSON (`errorType`, `errorMessage`, `trace`): the
 * message is what a person reads first; the whole cause stays one click away.
 */
function readableCause(cause: string | undefined): { message: string; full?: string } {
  if (cause === undefined || cause === '') return { message: '' };
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return { message: parsed.errorMessage, full: pretty(cause) };
  } catch {
    // Not JSON: the cause is already text.
  }
  return { message: cause };
}

function Cause({ cause }: { cause: string | undefined }) {
  const { message, full } = readableCause(cause);
  return (
    <>
      <span class="error-text cause">{message}</span>
      {full !== undefined ? (
        <details>
          <summary>Full cause (error type, stack trace)</summary>
          <pre class="json">{full}</pre>
        </details>
      ) : null}
    </>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Colours">
      {(Object.keys(OUTCOME_LABEL) as StateOutcome[]).map((outcome) => (
        <li key={outcome}>
          <span class={`swatch outcome-${outcome}`} aria-hidden="true" />
          {OUTCOME_LABEL[outcome]}
        </li>
      ))}
    </ul>
  );
}

/** dagre's points through a smooth path: straight segments with rounded joins. */
function edgePath(points: { x: number; y: number }[]): string {
  const [first, ...rest] = points;
  if (first === undefined) return '';
  return `M${first.x},${first.y} ${rest.map((point) => `L${point.x},${point.y}`).join(' ')}`;
}

/** The transitions this execution took (`from>to`), in the graph's terms: Start, each state entered after another, End. */
function transitionsTaken(events: readonly HistoryEvent[], status: string): Set<string> {
  const names = events.flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
  const taken = new Set<string>();
  if (names[0] !== undefined) taken.add(`${START}>${names[0]}`);
  names.slice(1).forEach((name, index) => {
    taken.add(`${names[index]}>${name}`);
  });
  const last = names.at(-1);
  if (last !== undefined && status !== 'RUNNING') taken.add(`${last}>${END}`);
  return taken;
}

function Graph({
  graph,
  runs,
  taken,
  selected,
  onSelect,
}: {
  graph: DefinitionGraph;
  runs: Map<string, StateRun>;
  taken: Set<string>;
  selected: string | undefined;
  onSelect: (name: string) => void;
}) {
  const outcomeOf = (node: GraphNode): StateOutcome | 'marker' =>
    node.type === 'Start' || node.type === 'End' ? 'marker' : (runs.get(node.id)?.outcome ?? 'not-entered');
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG drawing cannot be a <fieldset>; it groups the state buttons
    <svg
      class="graph"
      viewBox={`0 0 ${graph.width} ${graph.height}`}
      style={{ maxWidth: `${graph.width}px` }}
      role="group"
      aria-label="The state machine's graph; each state is a button"
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead" />
        </marker>
        <marker
          id="arrow-taken"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" class="arrowhead-taken" />
        </marker>
      </defs>
      {/* The transitions taken are drawn last, over the others. */}
      {[false, true].flatMap((drawTaken) =>
        graph.edges.flatMap((edge, index) => {
          const isTaken = taken.has(`${edge.from}>${edge.to}`);
          if (isTaken !== drawTaken) return [];
          return (
            <path
              key={`${edge.from}>${edge.to}#${index}`}
              d={edgePath(edge.points)}
              class={`edge edge-${edge.kind}${isTaken ? ' edge-taken' : ''}`}
              data-edge={`${edge.from}>${edge.to}`}
              marker-end={isTaken ? 'url(#arrow-taken)' : 'url(#arrow)'}
            >
              {edge.label ? <title>{`${edge.kind}: ${edge.label}`}</title> : null}
            </path>
          );
        }),
      )}
      {graph.nodes.map((node) => {
        const outcome = outcomeOf(node);
        const x = node.x - node.width / 2;
        const y = node.y - node.height / 2;
        if (outcome === 'marker') {
          return (
            <g key={node.id} class="marker-node">
              <rect x={x} y={y} width={node.width} height={node.height} rx={node.height / 2} />
              <text x={node.x} y={node.y} dominant-baseline="central" text-anchor="middle">
                {node.type}
              </text>
            </g>
          );
        }
        const run = runs.get(node.id);
        const retries = run?.retries.length ?? 0;
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG shape cannot be a <button>; it behaves as one
          <g
            key={node.id}
            class={`state outcome-${outcome}${selected === node.id ? ' selected' : ''}`}
            data-state={node.id}
            data-outcome={outcome}
            role="button"
            tabindex={0}
            aria-pressed={selected === node.id}
            aria-label={`${node.id} (${node.type}): ${OUTCOME_LABEL[outcome]}${retries > 0 ? `, ${retries} retries` : ''}`}
            onClick={() => onSelect(node.id)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                onSelect(node.id);
              }
            }}
          >
            <rect x={x} y={y} width={node.width} height={node.height} rx={node.type === 'Choice' ? 18 : 5} />
            <text x={node.x} y={node.y} dominant-baseline="central" text-anchor="middle">
              {OUTCOME_MARK[outcome] ? `${OUTCOME_MARK[outcome]} ` : ''}
              {node.id}
              {retries > 0 ? ` ×${retries + 1}` : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function StateDetail({ run }: { run: StateRun }) {
  return (
    <div class="state-detail" data-testid="state-detail" data-state={run.name}>
      <p>
        <span class={`badge outcome-${run.outcome}`}>{OUTCOME_LABEL[run.outcome]}</span>{' '}
        <span class="muted">{run.type}</span>
        {run.enteredAt !== undefined && run.exitedAt !== undefined ? (
          <span class="muted"> · {formatDuration(run.exitedAt - run.enteredAt)}</span>
        ) : null}
      </p>
      {run.error !== undefined ? (
        <dl class="facts">
          <dt>Error</dt>
          <dd class="error-text">{run.error}</dd>
          <dt>Cause</dt>
          <dd>
            <Cause cause={run.cause} />
          </dd>
          {run.caughtBy ? (
            <>
              <dt>Caught by</dt>
              <dd>{run.caughtBy}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {run.retries.length > 0 ? (
        <>
          <h3>
            Retries: {run.retries.length},{' '}
            {run.outcome === 'retried'
              ? 'then it succeeded'
              : run.outcome === 'running'
                ? 'running'
                : 'then the error stood'}
          </h3>
          <ol class="retries" data-testid="retries">
            {run.retries.map((retry) => (
              <li key={retry.attempt}>
                <div>
                  <strong>Attempt {retry.attempt}</strong> failed:{' '}
                  <span class="error-text">{retry.error}</span>
                  <span class="muted"> · retried after {formatDuration(retry.waitSeconds)}</span>
                </div>
                <div class="cause">{readableCause(retry.cause).message}</div>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      <h3>Input</h3>
      <Json text={run.input} label="Input" />
      <h3>Output</h3>
      <Json text={run.output} label="Output" />
    </div>
  );
}

/** The name of the state each event belongs to, as the console's "Step" column shows it. */
function stepNames(events: readonly HistoryEvent[]): string[] {
  let current = '';
  return events.map((event) => {
    const name = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
    if (event.stateEnteredEventDetails) current = event.stateEnteredEventDetails.name;
    const step = name ?? (event.type.startsWith('Execution') ? '' : current);
    if (event.stateExitedEventDetails) current = '';
    return step;
  });
}

function Events({ events, startDate }: { events: HistoryEvent[]; startDate: number }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const steps = stepNames(events);
  const toggle = (id: number) =>
    setOpen((last) => {
      const next = new Set(last);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <section class="panel" aria-labelledby="events-title">
      <h2 id="events-title">Events ({events.length})</h2>
      <div class="table-wrap">
        <table class="events">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Type</th>
              <th scope="col">Step</th>
              <th scope="col">Resource</th>
              <th scope="col" class="num">
                Started after
              </th>
              <th scope="col">Timestamp</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event, index) => {
              const { id, type, timestamp, previousEventId: _previous, ...details } = event;
              const resource = Object.values(details).find(
                (value): value is { resourceType: string; resource: string } =>
                  typeof value === 'object' && value !== null && 'resourceType' in value,
              );
              return (
                <Fragment key={id}>
                  <tr
                    class={`event ${/Failed|TimedOut|Aborted/.test(type) ? 'event-failed' : ''}`}
                    data-type={type}
                  >
                    <td class="num">
                      <button
                        type="button"
                        class="link"
                        aria-expanded={open.has(id)}
                        aria-label={`Event ${id} details`}
                        onClick={() => toggle(id)}
                      >
                        {open.has(id) ? '▾' : '▸'} {id}
                      </button>
                    </td>
                    <td>{type}</td>
                    <td>{steps[index]}</td>
                    <td>{resource ? `${resource.resourceType}:${resource.resource}` : ''}</td>
                    <td class="num">{formatDuration(timestamp - startDate)}</td>
                    <td class="time">{formatTime(timestamp)}</td>
                  </tr>
                  {open.has(id) ? (
                    <tr class="event-detail">
                      <td colSpan={6}>
                        <pre class="json">{JSON.stringify(expandJson(details), null, 2)}</pre>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The history's JSON-in-strings (input, output, parameters) shown as JSON. */
function expandJson(value: unknown): unknown {
  if (typeof value === 'string' && /^[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(expandJson);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, expandJson(inner)]));
  return value;
}
