/// <reference lib="dom" />
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Execution } from './execution';
import { Executions, type ListFilter } from './executions';
import { ObjectPage } from './object';
import { OverviewPage } from './overview';

/**
 * The console page: four views behind the address's hash (no server routes
 * to keep in step, and the back button works):
 * `#/executions?status=&prefix=&page=`, `#/execution/<arn>`,
 * `#/object/<bucket>/<key>`, `#/overview`.
 */

type Route =
  | { view: 'executions'; filter: ListFilter }
  | { view: 'execution'; arn: string }
  | { view: 'object'; bucket: string; key: string; show?: string }
  | { view: 'overview' };

function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter((part) => part !== '');
  if (parts[0] === 'execution' && parts[1] !== undefined)
    return { view: 'execution', arn: decodeURIComponent(parts[1]) };
  if (parts[0] === 'object' && parts[1] !== undefined && parts[2] !== undefined)
    return {
      view: 'object',
      bucket: decodeURIComponent(parts[1]),
      key: decodeURIComponent(parts.slice(2).join('/')),
      ...(new URLSearchParams(search).get('show')
        ? { show: new URLSearchParams(search).get('show') ?? '' }
        : {}),
    };
  if (parts[0] === 'overview') return { view: 'overview' };
  const query = new URLSearchParams(search);
  return {
    view: 'executions',
    filter: {
      status: query.get('status') ?? '',
      prefix: query.get('prefix') ?? '',
      page: Math.max(0, Number(query.get('page') ?? 0) || 0),
      pageSize: Number(query.get('pageSize') ?? 50) || 50,
    },
  };
}

const TITLES: Record<Route['view'], string> = {
  executions: 'Executions',
  execution: 'Execution',
  object: 'Object',
  overview: 'Overview',
};

function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(location.hash));
      // Keyboard and screen-reader users land on the new view, not on the link they left.
      document.getElementById('main')?.focus();
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${TITLES[route.view]} · local console · s3-metadata-pipeline`;
    document.body.setAttribute('data-view', route.view);
  }, [route]);
  const current = (view: Route['view']) => (route.view === view ? 'page' : undefined);
  return (
    <>
      <header class="top">
        <h1>
          <a href="#/executions">s3-metadata-pipeline</a> <span class="muted">local console</span>
        </h1>
        <nav aria-label="Views">
          <a href="#/executions" aria-current={current('executions')}>
            Executions
          </a>
          <a href="#/overview" aria-current={current('overview')}>
            Overview
          </a>
        </nav>
        <span class="live" aria-hidden="true" title="Live updates" />
      </header>
      <main id="main" tabIndex={-1}>
        {route.view === 'executions' ? <Executions filter={route.filter} /> : null}
        {route.view === 'execution' ? <Execution key={route.arn} arn={route.arn} /> : null}
        {route.view === 'object' ? (
          <ObjectPage
            key={`${route.bucket}/${route.key}`}
            bucket={route.bucket}
            objectKey={route.key}
            {...(route.show ? { show: route.show } : {})}
          />
        ) : null}
        {route.view === 'overview' ? <OverviewPage /> : null}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
