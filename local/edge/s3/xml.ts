import { XMLParser } from 'fast-xml-parser';
import { type EdgeResponse, reply, requestId, xmlEscape } from '../http';

/** Reads the XML bodies of S3 requests and answers; the elements that may repeat are always arrays. */
export const s3Xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) =>
    [
      'QueueConfiguration',
      'TopicConfiguration',
      'CloudFunctionConfiguration',
      'Event',
      'FilterRule',
      'Tag',
      'Deleted',
    ].includes(name),
});

/** An S3 REST error response. */
export function s3Error(
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): EdgeResponse {
  const fields = Object.entries(extra)
    .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
    .join('');
  return reply(
    status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${fields}<RequestId>${requestId()}</RequestId></Error>`,
    'application/xml',
  );
}
