import { faultOf, queryError } from './aws-errors';
import { type EdgeRequest, type EdgeResponse, reply, requestId, xmlEscape } from './http';

/**
 * SQS speaks two protocols: JSON (current SDKs) and the older query protocol
 * (form-encoded `Action=...` requests answered in XML: AWS CLI 2.9 and other
 * older tools, aws-sdk v2 for JavaScript). fauxqs answers JSON only; this
 * module translates a query request to its JSON form and the JSON answer back
 * to the XML document the query protocol defines.
 */

const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';
const NUMERIC = new Set([
  'DelaySeconds',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'MaxResults',
  'MaxNumberOfMessagesPerSecond',
]);

/** Query parameter lists and the JSON member each becomes. */
const LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
};

type Tree = { [name: string]: Tree | string };

/** `Attribute.1.Name=a&Attribute.1.Value=b` -> `{ Attribute: { 1: { Name: 'a', Value: 'b' } } }`. */
function unflatten(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [name, value] of params) {
    const path = name.split('.');
    let node = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) node[segment] = value;
      else {
        const next = node[segment];
        node[segment] = typeof next === 'object' ? next : {};
        node = node[segment] as Tree;
      }
    });
  }
  return root;
}

/** Numbered members in order: `{ 2: x, 1: y }` -> `[y, x]`. */
function members(node: Tree | string | undefined): (Tree | string)[] {
  if (node === undefined || typeof node === 'string') return [];
  return Object.keys(node)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => node[key] as Tree | string);
}

/** `[{Name, Value}]` (or `{Key, Value}`) pairs as a map. */
function pairs(node: Tree | string | undefined, nameField: string): Record<string, string> {
  return Object.fromEntries(
    members(node).map((member) => {
      const entry = member as Tree;
      return [String(entry[nameField] ?? ''), String(entry.Value ?? '')];
    }),
  );
}

function messageAttributes(node: Tree | string | undefined): Record<string, Record<string, string>> {
  return Object.fromEntries(
    members(node).map((member) => {
      const entry = member as Tree;
      const value = (entry.Value ?? {}) as Tree;
      return [
        String(entry.Name ?? ''),
        Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])),
      ];
    }),
  );
}

/** Converts one level of a query request to its JSON shape. */
function toJson(node: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node)) {
    if (name === 'Action' || name === 'Version') continue;
    if (name === 'Attribute') out.Attributes = pairs(value, 'Name');
    else if (name === 'Tag') out[node.QueueName !== undefined ? 'tags' : 'Tags'] = pairs(value, 'Key');
    else if (name === 'MessageAttribute') out.MessageAttributes = messageAttributes(value);
    else if (name === 'MessageSystemAttribute') out.MessageSystemAttributes = messageAttributes(value);
    else if (LISTS[name] !== undefined) {
      out[LISTS[name]] = members(value).map((member) =>
        typeof member === 'string' ? member : toJson(member),
      );
    } else if (typeof value === 'string') out[name] = NUMERIC.has(name) ? Number(value) : value;
    else out[name] = toJson(value);
  }
  return out;
}

/** Whether a request is an SQS query-protocol call. */
export function isQueryRequest(request: EdgeRequest): boolean {
  const type = String(request.headers['content-type'] ?? '');
  return type.startsWith('application/x-www-form-urlencoded') || request.url.searchParams.has('Action');
}

/** The query request's action and its JSON-protocol body. */
export function queryToJson(request: EdgeRequest): { action: string; body: Record<string, unknown> } {
  const params = new URLSearchParams(request.url.search);
  for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) params.append(name, value);
  const tree = unflatten(params);
  const action = typeof tree.Action === 'string' ? tree.Action : '';
  const body = toJson(tree);
  // With the query protocol the queue may be named by the request path (POST /000000000000/queue).
  if (body.QueueUrl === undefined && /^\/\d{12}\/[^/]+$/.test(request.url.pathname)) {
    body.QueueUrl = `http://${request.headers.host ?? 'localhost'}${request.url.pathname}`;
  }
  return { action, body };
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return `<${name}>${xmlEscape(String(value))}</${name}>`;
  return `<${name}>${Object.entries(value as Record<string, unknown>)
    .map(([child, inner]) => element(child, inner))
    .join('')}</${name}>`;
}

/** `{a: 'b'}` as `<Attribute><Name>a</Name><Value>b</Value></Attribute>...`. */
function mapElements(name: string, map: unknown, nameField = 'Name'): string {
  return Object.entries((map ?? {}) as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `<${name}><${nameField}>${xmlEscape(key)}</${nameField}>${element('Value', value)}</${name}>`,
    )
    .join('');
}

function messageXml(message: Record<string, unknown>): string {
  const { Attributes, MessageAttributes, ...fields } = message;
  return `<Message>${Object.entries(fields)
    .map(([name, value]) => element(name, value))
    .join(
      '',
    )}${mapElements('Attribute', Attributes)}${mapElements('MessageAttribute', MessageAttributes)}</Message>`;
}

const BATCH_RESULT: Record<string, string> = {
  SendMessageBatch: 'SendMessageBatchResultEntry',
  DeleteMessageBatch: 'DeleteMessageBatchResultEntry',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibilityBatchResultEntry',
};

/** The `<ActionResult>` content of a JSON answer. */
function resultXml(action: string, json: Record<string, unknown>): string {
  return Object.entries(json)
    .map(([name, value]) => {
      if (name === 'QueueUrls') return (value as string[]).map((url) => element('QueueUrl', url)).join('');
      if (name === 'Attributes') return mapElements('Attribute', value);
      if (name === 'Tags') return mapElements('Tag', value, 'Key');
      if (name === 'Messages') return (value as Record<string, unknown>[]).map(messageXml).join('');
      if (name === 'Successful') {
        return (value as Record<string, unknown>[])
          .map((entry) => element(BATCH_RESULT[action] ?? 'Entry', entry))
          .join('');
      }
      if (name === 'Failed')
        return (value as Record<string, unknown>[])
          .map((entry) => element('BatchResultErrorEntry', entry))
          .join('');
      // ListMessageMoveTasks: a flattened list of ListMessageMoveTasksResultEntry.
      if (name === 'Results')
        return (value as Record<string, unknown>[])
          .map((entry) => element('ListMessageMoveTasksResultEntry', entry))
          .join('');
      if (name === 'queueUrls') return (value as string[]).map((url) => element('QueueUrl', url)).join('');
      return element(name, value);
    })
    .join('');
}

/** The query protocol's answer for a JSON-protocol answer (success or error). */
export function jsonToQueryResponse(action: string, response: EdgeResponse): EdgeResponse {
  const id = requestId();
  const text = response.body.toString('utf8');
  const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (response.status >= 400) {
    // The JSON protocol carries the query protocol's error code in a header: "Code;Sender".
    const header = String(response.headers['x-amzn-query-error'] ?? '');
    const [code, fault] = header.includes(';') ? header.split(';') : [];
    const type =
      String(json.__type ?? 'InternalError')
        .split('#')
        .pop() ?? 'InternalError';
    return queryError(
      'sqs',
      response.status,
      code ?? type,
      String(json.message ?? json.Message ?? ''),
      fault === 'Sender' || fault === 'Receiver' ? fault : faultOf(response.status),
    );
  }
  return reply(
    200,
    `<?xml version="1.0"?><${action}Response xmlns="${NAMESPACE}"><${action}Result>${resultXml(action, json)}</${action}Result><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`,
    'text/xml',
  );
}
