import { CONTENT_HEADERS } from '../../s3/store';
import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, headerValue, reply } from '../http';
import { announceCreated, bucketOr404, isResponse, keyTooLong, type S3Context } from './context';
import { checkTags, decodeMetadataValue, placementOf } from './object-headers';
import { bodyChecksum, md5ETag, storeVersion } from './objects';
import { document, element, elementTexts } from './xml';

/**
 * PostObject, the browser form upload
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
 * `multipart/form-data` fields (key with `${filename}`, Content-Type and the
 * other content headers, x-amz-meta-*, tagging as an XML document, storage
 * class, encryption, success_action_status / success_action_redirect), the
 * file last. The policy and signature fields are accepted, not verified.
 */

interface FormPart {
  name: string;
  filename: string | undefined;
  value: Buffer;
}

function parseForm(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const contentStart = start + delimiter.length;
    if (body.subarray(contentStart, contentStart + 2).toString('latin1') === '--') break;
    const next = body.indexOf(delimiter, contentStart);
    if (next === -1) break;
    const section = body.subarray(contentStart + 2, next - 2); // past CRLF, before CRLF
    const split = section.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = section.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) parts.push({ name, filename, value: section.subarray(split + 4) });
    }
    start = next;
  }
  return parts;
}

export async function postObject(
  context: S3Context,
  bucketName: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  const bucket = bucketOr404(context, bucketName);
  if (isResponse(bucket)) return bucket;
  const boundary = /boundary="?([^";]+)"?/i.exec(headerValue(request, 'content-type') ?? '')?.[1];
  if (boundary === undefined)
    return s3Error(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  const parts = parseForm(request.body, boundary);
  const file = parts.find((part) => part.name === 'file');
  const fields = new Map<string, string>();
  for (const part of parts)
    if (part.name !== 'file') fields.set(part.name.toLowerCase(), part.value.toString('utf8'));
  const keyField = fields.get('key');
  if (file === undefined || keyField === undefined)
    return s3Error(
      400,
      'InvalidArgument',
      `Bucket POST must contain a field named '${file === undefined ? 'file' : 'key'}'.`,
      {
        ArgumentName: file === undefined ? 'file' : 'key',
      },
    );
  // S3 replaces the literal ${filename} in the key field with the uploaded file's name.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: that literal is the S3 placeholder, not a template
  const key = keyField.replace('${filename}', file.filename ?? '');
  const tooLong = keyTooLong(key);
  if (tooLong) return tooLong;
  // The form's fields stand for the headers of a PutObject.
  const asHeaders: EdgeRequest = {
    ...request,
    headers: Object.fromEntries([...fields].filter(([name]) => !name.startsWith('x-amz-meta-'))),
  };
  const placement = placementOf(asHeaders);
  if (isResponse(placement)) return placement;
  const tagging = fields.get('tagging');
  let tags: [string, string][] = [];
  if (tagging !== undefined) {
    tags = [...tagging.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)].map((match) => [
      elementTexts(match[1] ?? '', 'Key')[0] ?? '',
      elementTexts(match[1] ?? '', 'Value')[0] ?? '',
    ]);
    const refused = checkTags(tags);
    if (refused) return refused;
  }
  const headers: Record<string, string> = {};
  for (const name of CONTENT_HEADERS) {
    const value = fields.get(name);
    if (value !== undefined && value !== '') headers[name] = value;
  }
  headers['content-type'] ??= 'binary/octet-stream';
  const metadata: Record<string, string> = {};
  for (const [name, value] of fields)
    if (name.startsWith('x-amz-meta-'))
      metadata[name.slice('x-amz-meta-'.length)] = decodeMetadataValue(value);
  const body = file.value;
  return context.locks.run([`${bucketName}/${key}`], async () => {
    const version = storeVersion(context, bucket, key, {
      body,
      size: body.length,
      eTag: md5ETag(body),
      attributes: { headers, metadata, ...placement, checksum: bodyChecksum(undefined, body), tags },
    });
    await announceCreated(context, bucket, 'ObjectCreated:Post', request, version);
    const location = `http://${headerValue(request, 'host') ?? 'localhost'}/${bucketName}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
    const answerHeaders: Record<string, string> = { etag: version.eTag, location };
    if (bucket.versioning !== undefined) answerHeaders['x-amz-version-id'] = version.versionId;
    const redirect = fields.get('success_action_redirect');
    if (redirect !== undefined && /^https?:\/\//.test(redirect)) {
      const target = new URL(redirect);
      target.searchParams.set('bucket', bucketName);
      target.searchParams.set('key', key);
      target.searchParams.set('etag', version.eTag);
      return {
        status: 303,
        headers: { ...answerHeaders, location: target.toString() },
        body: Buffer.alloc(0),
      };
    }
    const status = fields.get('success_action_status');
    if (status === '201')
      return reply(
        201,
        document(
          'PostResponse',
          `${element('Location', location)}${element('Bucket', bucketName)}${element('Key', key)}${element('ETag', version.eTag)}`,
        ),
        'application/xml',
        answerHeaders,
      );
    return { status: status === '200' ? 200 : 204, headers: answerHeaders, body: Buffer.alloc(0) };
  });
}
