import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, reply } from '../http';
import { announceTagging, bucketOr404, isResponse, type S3Context } from './context';
import { checkTags, versionHeader } from './object-headers';
import { versionOf } from './objects';
import { document, element, elementTexts } from './xml';

/**
 * Object tagging (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html):
 * each version has its own tag set (given by `x-amz-tagging` on a write, copied
 * by CopyObject unless the directive is REPLACE); Get/Put/DeleteObjectTagging
 * act on the current version or the one `versionId` names, and answer with
 * its version id. GetObject and HeadObject count the tags (x-amz-tagging-count).
 */

export type TaggingOperation = 'GetObjectTagging' | 'PutObjectTagging' | 'DeleteObjectTagging';

/** Answers a `?tagging` request on an object. */
export function objectTagging(
  context: S3Context,
  operation: TaggingOperation,
  bucketName: string,
  key: string,
  request: EdgeRequest,
): Promise<EdgeResponse> {
  return context.locks.run([`${bucketName}/${key}`], async () => {
    const bucket = bucketOr404(context, bucketName);
    if (isResponse(bucket)) return bucket;
    const versionId = request.url.searchParams.get('versionId');
    const version = versionOf(context, bucket, key, versionId);
    if (isResponse(version)) return version;
    if (version.deleteMarker) {
      const response =
        versionId === null
          ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key })
          : s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
              Method: request.method,
              ResourceType: 'DeleteMarker',
            });
      response.headers['x-amz-delete-marker'] = 'true';
      return response;
    }
    const headers = versionHeader(bucket, version.versionId);
    switch (operation) {
      case 'GetObjectTagging': {
        const set = version.tags
          .map(([name, value]) => `<Tag>${element('Key', name)}${element('Value', value)}</Tag>`)
          .join('');
        return reply(200, document('Tagging', `<TagSet>${set}</TagSet>`), 'application/xml', headers);
      }
      case 'DeleteObjectTagging':
        context.store.setTags(version, []);
        await announceTagging(context, bucket, 'ObjectTagging:Delete', request, version);
        return { status: 204, headers, body: Buffer.alloc(0) };
      case 'PutObjectTagging': {
        const xml = request.body.toString('utf8');
        if (!/<Tagging[\s>]/.test(xml))
          return s3Error(
            400,
            'MalformedXML',
            'The XML you provided was not well-formed or did not validate against our published schema',
          );
        const tags = [...xml.matchAll(/<Tag>([\s\S]*?)<\/Tag>/g)].map((match): [string, string] => [
          elementTexts(match[1] ?? '', 'Key')[0] ?? '',
          elementTexts(match[1] ?? '', 'Value')[0] ?? '',
        ]);
        const refused = checkTags(tags);
        if (refused) return refused;
        context.store.setTags(version, tags);
        await announceTagging(context, bucket, 'ObjectTagging:Put', request, version);
        return { status: 200, headers, body: Buffer.alloc(0) };
      }
    }
  });
}
