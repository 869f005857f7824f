/// <reference lib="dom" />
import { useCallback, useEffect } from 'preact/hooks';
import {
  ErrorNote,
  ExecutionCells,
  ExecutionHeadings,
  type ExecutionsChange,
  executionHref,
  formatTime,
  getJson,
  type ObjectView,
  Section,
  useExecutionChanges,
  useLoad,
} from './shared';

function value(item: unknown): string {
  return typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item);
}

export function ObjectPage({
  bucket,
  objectKey,
  show,
}: {
  bucket: string;
  objectKey: string;
  show?: string;
}) {
  const { data, error, reload } = useLoad(
    () => getJson<ObjectView>('object', { bucket, key: objectKey }),
    [bucket, objectKey],
  );
  const onChange = useCallback(
    (change: ExecutionsChange) => {
      if (
        change.more ||
        change.executions.some((execution) => execution.bucket === bucket && execution.key === objectKey)
      )
        reload();
    },
    [bucket, objectKey, reload],
  );
  useExecutionChanges(onChange);
  const loaded = data !== undefined;
  useEffect(() => {
    if (loaded && show !== undefined) document.getElementById(`${show}-title`)?.scrollIntoView();
  }, [loaded, show]);
  if (data === undefined) return <ErrorNote error={error} />;
  const item = data.item as Record<string, unknown> | null;
  const status = typeof item?.Status === 'string' ? item.Status : undefined;
  return (
    <>
      <section class="panel" aria-labelledby="object-title">
        <div class="title-row">
          <h2 id="object-title" class="object-name">
            s3://{bucket}/{objectKey}
          </h2>
          {status ? <span class={`badge item-${status}`}>{status}</span> : null}
        </div>
      </section>
      <Section title="Item (DynamoDB)" id="item-title">
        {item === null ? (
          <p class="muted" data-testid="no-item">
            No item for this key (yet).
          </p>
        ) : (
          <div class="table-wrap">
            <table class="item" data-testid="item">
              <tbody>
                {Object.keys(item)
                  .sort()
                  .map((name) => (
                    <tr key={name} data-attribute={name}>
                      <th scope="row">{name}</th>
                      <td>
                        {name === 'ExecutionArn' && typeof item[name] === 'string' ? (
                          <a href={executionHref(item[name])}>{item[name]}</a>
                        ) : (
                          value(item[name])
                        )}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title={`Notifications (${data.notifications.length})`} id="notifications-title">
        {data.notifications.length === 0 ? <p class="muted">None published for this key.</p> : null}
        {data.notifications.map((notification) => (
          <article class="notification" key={notification.messageId} data-testid="notification">
            <h3>{notification.subject ?? '(no subject)'}</h3>
            <dl class="facts">
              <dt>Published</dt>
              <dd>{formatTime(notification.publishedAt)}</dd>
              <dt>Message id</dt>
              <dd class="arn">{notification.messageId}</dd>
              <dt>Attributes</dt>
              <dd>
                {Object.entries(notification.attributes)
                  .map(([name, text]) => `${name}=${text}`)
                  .join(', ')}
              </dd>
            </dl>
            <details>
              <summary>Document (what webhooks and queues receive)</summary>
              <pre class="json">{JSON.stringify(notification.document, null, 2)}</pre>
            </details>
            {notification.deliveries.length > 0 ? (
              <>
                <h4>HTTP/S deliveries</h4>
                <ul class="deliveries">
                  {notification.deliveries.map((delivery) => (
                    <li key={`${delivery.at}${delivery.line}`}>
                      <span class="time">{formatTime(delivery.at)}</span> <code>{delivery.line}</code>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {notification.mails.map((mail) => (
              <details key={mail.file}>
                <summary>Email: {mail.file}</summary>
                <pre class="json">{mail.text}</pre>
              </details>
            ))}
          </article>
        ))}
      </Section>
      <Section title="Executions for this key" id="object-executions-title">
        <div class="table-wrap">
          <table class="executions">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Event</th>
                <ExecutionHeadings />
              </tr>
            </thead>
            <tbody>
              {data.executions.map((execution) => (
                <tr key={execution.arn}>
                  <td class="name">
                    <a href={executionHref(execution.arn)}>{execution.name}</a>
                  </td>
                  <td>{execution.eventName}</td>
                  <ExecutionCells execution={execution} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
