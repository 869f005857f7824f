import { s3Error } from '../aws-errors';
import { type EdgeRequest, type EdgeResponse, reply } from '../http';
import { bucketOr404, isResponse, type S3Context } from './context';
import { ACCOUNT_ID } from './notifications';
import { ownerAcl } from './objects';
import { document, element, elementTexts } from './xml';

/**
 * Buckets: CreateBucket, HeadBucket, DeleteBucket, ListBuckets,
 * GetBucketLocation, Get/PutBucketVersioning, GetBucketAcl, and the answers
 * S3 gives for a bucket configuration nobody set (policy, CORS, lifecycle...)
 * or the default it has (SSE-S3 encryption, Block Public Access, Object
 * Ownership "bucket owner enforced", as for every bucket created since 2023).
 */

/** Bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html). */
function invalidBucketName(name: string): boolean {
  return (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ||
    name.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(name) ||
    name.startsWith('xn--') ||
    name.endsWith('-s3alias')
  );
}

export function createBucket(context: S3Context, name: string): EdgeResponse {
  if (invalidBucketName(name))
    return s3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
  // In us-east-1, creating a bucket you already own answers 200 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html).
  context.store.createBucket(name);
  return { status: 200, headers: { location: `/${name}` }, body: Buffer.alloc(0) };
}

export function headBucket(context: S3Context, name: string): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return { status: 404, headers: bucket.headers, body: Buffer.alloc(0) };
  return { status: 200, headers: { 'x-amz-bucket-region': context.region }, body: Buffer.alloc(0) };
}

export function deleteBucket(context: S3Context, name: string): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return bucket;
  if (!context.store.isEmpty(name))
    return s3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
      BucketName: name,
    });
  for (const file of context.uploads.dropBucket(name)) context.store.removeBody(file);
  context.store.deleteBucket(name);
  return { status: 204, headers: {}, body: Buffer.alloc(0) };
}

export function listBuckets(context: S3Context): EdgeResponse {
  const buckets = context.store
    .buckets()
    .map(
      (bucket) =>
        `<Bucket>${element('Name', bucket.name)}${element('CreationDate', bucket.created.toISOString())}${element('BucketRegion', context.region)}</Bucket>`,
    )
    .join('');
  return reply(
    200,
    document(
      'ListAllMyBucketsResult',
      `<Owner><ID>${ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner><Buckets>${buckets}</Buckets>`,
    ),
    'application/xml',
  );
}

export function getBucketLocation(context: S3Context, name: string): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return bucket;
  // us-east-1 is the empty location constraint.
  const location = context.region === 'us-east-1' ? '' : context.region;
  return reply(200, document('LocationConstraint', location), 'application/xml');
}

export function getBucketVersioning(context: S3Context, name: string): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return bucket;
  return reply(
    200,
    document('VersioningConfiguration', element('Status', bucket.versioning)),
    'application/xml',
  );
}

/** PutBucketVersioning (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html). */
export function putBucketVersioning(context: S3Context, name: string, request: EdgeRequest): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return bucket;
  const xml = request.body.toString('utf8');
  const status = elementTexts(xml, 'Status')[0];
  if (
    !/<VersioningConfiguration[\s>]/.test(xml) ||
    (status !== undefined && status !== 'Enabled' && status !== 'Suspended')
  )
    return s3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  if (status !== undefined) context.store.setVersioning(name, status);
  return { status: 200, headers: {}, body: Buffer.alloc(0) };
}

export function getBucketAcl(context: S3Context, name: string): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return bucket;
  return reply(200, ownerAcl(), 'application/xml');
}

/** What S3 answers a GET of a bucket configuration the local runtime does not keep. */
const NOT_CONFIGURED: Record<string, () => EdgeResponse> = {
  tagging: () => s3Error(404, 'NoSuchTagSet', 'The TagSet does not exist'),
  policy: () => s3Error(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist'),
  policyStatus: () => s3Error(404, 'NoSuchBucketPolicy', 'The bucket policy does not exist'),
  cors: () => s3Error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist'),
  lifecycle: () => s3Error(404, 'NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist'),
  website: () =>
    s3Error(404, 'NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration'),
  'object-lock': () =>
    s3Error(
      404,
      'ObjectLockConfigurationNotFoundError',
      'Object Lock configuration does not exist for this bucket',
    ),
  replication: () =>
    s3Error(404, 'ReplicationConfigurationNotFoundError', 'The replication configuration was not found'),
  encryption: () =>
    reply(
      200,
      document(
        'ServerSideEncryptionConfiguration',
        '<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>',
      ),
      'application/xml',
    ),
  publicAccessBlock: () =>
    reply(
      200,
      document(
        'PublicAccessBlockConfiguration',
        '<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>',
      ),
      'application/xml',
    ),
  ownershipControls: () =>
    reply(
      200,
      document('OwnershipControls', '<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>'),
      'application/xml',
    ),
  logging: () => reply(200, document('BucketLoggingStatus', ''), 'application/xml'),
  requestPayment: () =>
    reply(200, document('RequestPaymentConfiguration', '<Payer>BucketOwner</Payer>'), 'application/xml'),
  accelerate: () => reply(200, document('AccelerateConfiguration', ''), 'application/xml'),
};

export function getBucketSubresource(context: S3Context, name: string, request: EdgeRequest): EdgeResponse {
  const bucket = bucketOr404(context, name);
  if (isResponse(bucket)) return bucket;
  const answer = Object.entries(NOT_CONFIGURED).find(([sub]) => request.url.searchParams.has(sub))?.[1];
  return answer === undefined ? notImplemented() : answer();
}

/** S3's answer to functionality it has and the local runtime does not emulate. */
export function notImplemented(): EdgeResponse {
  return s3Error(
    501,
    'NotImplemented',
    'A header or query you provided implies functionality that is not implemented',
  );
}
