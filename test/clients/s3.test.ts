import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/runtime-process';
import { aws, awsJson, boto3Json, clientsEndpoint, describeWithClients } from './support/clients';

/**
 * The S3 reproductions of issue 12 (items 1-9, 13-19) through Debian's AWS CLI
 * 2.9.19 and boto3 1.26: what they send that the SDK v3 does not (no
 * Content-Type on empty files, `encoding-type=url` on every listing, quiet
 * DeleteObjects, Content-MD5) and how they read the answers. Each test names
 * the S3 behaviour it checks; test/e2e/s3-compat.test.ts checks the same
 * through the SDK v3 and raw signed requests.
 */

const BUCKET = 'clients-s3';

/** curl, for what a browser or a shell script sends (presigned URLs, forms, odd headers). */
function curl(args: readonly string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/curl',
      ['-s', '-o', '-', '-w', '\n%{http_code}', ...args],
      { timeout: 30_000 },
      (error, stdout) => {
        if (error !== null && typeof error.code !== 'number') return reject(error);
        const lines = stdout.split('\n');
        const status = Number(lines.pop());
        resolve({ status, body: lines.join('\n') });
      },
    );
  });
}

/** The pipeline's item for a key of the runtime's bucket (DynamoDB through the CLI). */
async function item(key: string): Promise<Record<string, { S?: string; N?: string }> | undefined> {
  const result = await awsJson<{ Item?: Record<string, { S?: string }> }>([
    'dynamodb',
    'get-item',
    '--table-name',
    'S3FileMetadata',
    '--key',
    JSON.stringify({ BucketName: { S: 'uploads' }, ObjectKey: { S: key } }),
  ]);
  return result.Item;
}

let work = '';

describeWithClients('S3 through the AWS CLI and boto3', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'clients-s3-'));
    await awsJson(['s3api', 'create-bucket', '--bucket', BUCKET]);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('1. stores zero-byte objects sent with no Content-Type: put-object without a body, s3 cp of an empty file, s3 sync of 11 empty files (PutObject)', async () => {
    await awsJson(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'folder/']);
    const empty = join(work, '.gitkeep');
    writeFileSync(empty, '');
    expect((await aws(['s3', 'cp', empty, `s3://${BUCKET}/x/`])).code).toBe(0);
    const dir = join(work, 'sync');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 11; i++) writeFileSync(join(dir, `empty-${i}.txt`), '');
    const sync = await aws(['s3', 'sync', dir, `s3://${BUCKET}/sync/`]);
    expect(sync.code).toBe(0);
    const listed = await awsJson<{ Contents: { Size: number }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      BUCKET,
      '--prefix',
      'sync/',
    ]);
    expect(listed.Contents.map((object) => object.Size)).toEqual(Array(11).fill(0));
    const head = await awsJson<{ ContentType: string; ContentLength: number }>([
      's3api',
      'head-object',
      '--bucket',
      BUCKET,
      '--key',
      'x/.gitkeep',
    ]);
    expect(head.ContentLength).toBe(0);
  });

  it('2. lists keys in UTF-8 byte order, each once, across pages (s3 ls --page-size 2, ListObjectsV2)', async () => {
    for (const key of ['a', 'B', 'c', 'D'])
      expect(
        (await aws(['s3', 'cp', '-', `s3://${BUCKET}/case/${key}.txt`], { input: `${key}\n` })).code,
      ).toBe(0);
    const listed = await aws(['s3', 'ls', `s3://${BUCKET}/case/`, '--page-size', '2']);
    const names = listed.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).pop());
    expect(names).toEqual(['B.txt', 'D.txt', 'a.txt', 'c.txt']);
  });

  it('3. a quiet DeleteObjects (boto3) deletes and is announced: the pipeline tombstones the item', async () => {
    await awsJson([
      's3api',
      'put-object',
      '--bucket',
      'uploads',
      '--key',
      'q/quiet1.txt',
      '--body',
      join(work, '.gitkeep'),
    ]);
    await eventually(
      async () => ((await item('q/quiet1.txt'))?.Status?.S === 'present' ? true : undefined),
      30_000,
      'the item',
    );
    const answer = await boto3Json<{ Deleted?: unknown[] }>(
      "r = client('s3').delete_objects(Bucket='uploads', Delete={'Objects':[{'Key':'q/quiet1.txt'}], 'Quiet': True}); out({'Deleted': r.get('Deleted')})",
    );
    expect(answer.Deleted ?? []).toEqual([]);
    await eventually(
      async () => ((await item('q/quiet1.txt'))?.Status?.S === 'deleted' ? true : undefined),
      30_000,
      'the tombstone',
    );
  });

  it('4. keeps storage class and encryption (put-object --storage-class --server-side-encryption; head-object, list-objects-v2, get-object-attributes, the item)', async () => {
    const body = join(work, 'ia.txt');
    writeFileSync(body, 'infrequent');
    await awsJson([
      's3api',
      'put-object',
      '--bucket',
      'uploads',
      '--key',
      'class/ia.txt',
      '--body',
      body,
      '--storage-class',
      'STANDARD_IA',
      '--server-side-encryption',
      'AES256',
    ]);
    await awsJson([
      's3api',
      'put-object',
      '--bucket',
      BUCKET,
      '--key',
      'class/gir.txt',
      '--body',
      body,
      '--storage-class',
      'GLACIER_IR',
    ]);
    const head = await awsJson<{ StorageClass?: string; ServerSideEncryption?: string }>([
      's3api',
      'head-object',
      '--bucket',
      'uploads',
      '--key',
      'class/ia.txt',
    ]);
    expect(head).toMatchObject({ StorageClass: 'STANDARD_IA', ServerSideEncryption: 'AES256' });
    const listed = await awsJson<{ Contents: { StorageClass: string }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      BUCKET,
      '--prefix',
      'class/',
    ]);
    expect(listed.Contents.map((object) => object.StorageClass)).toEqual(['GLACIER_IR']);
    const attributes = await awsJson<{ StorageClass: string }>([
      's3api',
      'get-object-attributes',
      '--bucket',
      BUCKET,
      '--key',
      'class/gir.txt',
      '--object-attributes',
      'StorageClass',
    ]);
    expect(attributes.StorageClass).toBe('GLACIER_IR');
    const recorded = await eventually(
      async () => {
        const found = await item('class/ia.txt');
        return found?.StorageClass?.S === 'STANDARD_IA' ? found : undefined;
      },
      30_000,
      'the item with its storage class',
    );
    expect(recorded.StorageClass?.S).toBe('STANDARD_IA');
  });

  it('5. refuses a wrong Content-MD5 (BadDigest) and a wrong ChecksumSHA256; If-None-Match: * and a wrong If-Match answer 412 (boto3)', async () => {
    const md5 = await aws([
      's3api',
      'put-object',
      '--bucket',
      BUCKET,
      '--key',
      'int/md5.txt',
      '--body',
      join(work, 'ia.txt'),
      '--content-md5',
      '1B2M2Y8AsgTpgAmY7PhCfg==',
    ]);
    expect(md5.code).not.toBe(0);
    expect(md5.stderr).toContain('BadDigest');
    const codes = await boto3Json<string[]>(`
import base64, hashlib
s3 = client('s3')
codes = []
try:
    s3.put_object(Bucket='${BUCKET}', Key='int/sha.txt', Body=b'payload', ChecksumSHA256=base64.b64encode(hashlib.sha256(b'other').digest()).decode())
except botocore.exceptions.ClientError as e:
    codes.append(e.response['Error']['Code'])
s3.put_object(Bucket='${BUCKET}', Key='int/cond.txt', Body=b'v1')
def header(name, value):
    def add(request, **kwargs):
        request.headers[name] = value
    return add
for name, value in [('If-None-Match', '*'), ('If-Match', '"0123"')]:
    c = client('s3')
    c.meta.events.register('before-sign.s3.PutObject', header(name, value))
    try:
        c.put_object(Bucket='${BUCKET}', Key='int/cond.txt', Body=b'v2')
        codes.append('200')
    except botocore.exceptions.ClientError as e:
        codes.append(str(e.response['ResponseMetadata']['HTTPStatusCode']))
codes.append(s3.get_object(Bucket='${BUCKET}', Key='int/cond.txt')['Body'].read().decode())
out(codes)
`);
    expect(codes).toEqual(['BadDigest', '412', '412', 'v1']);
  });

  it('6. a presigned PUT with curl --data-binary (application/x-www-form-urlencoded) stores the bytes (PresignedUrlUploadObject)', async () => {
    const url = await boto3Json<string>(
      `out(client('s3').generate_presigned_url('put_object', Params={'Bucket': '${BUCKET}', 'Key': 'pre/curl.txt'}, ExpiresIn=300))`,
    );
    const put = await curl(['-X', 'PUT', '--data-binary', 'a=1&b=2', url]);
    expect(put.status).toBe(200);
    const got = await boto3Json<string>(
      `out(client('s3').get_object(Bucket='${BUCKET}', Key='pre/curl.txt')['Body'].read().decode())`,
    );
    expect(got).toBe('a=1&b=2');
  });

  it('7. lists keys with \\x01 and CR (botocore sends encoding-type=url and decodes the answer)', async () => {
    const keys = await boto3Json<string[]>(`
s3 = client('s3')
s3.put_object(Bucket='${BUCKET}', Key='enc/ctl\\x01.txt', Body=b'x')
s3.put_object(Bucket='${BUCKET}', Key='enc/cr\\r.txt', Body=b'x')
out([o['Key'] for o in s3.list_objects_v2(Bucket='${BUCKET}', Prefix='enc/')['Contents']])
`);
    expect(keys).toEqual(['enc/cr\r.txt', 'enc/ctl\x01.txt']);
    const cli = await awsJson<{ Contents: { Key: string }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      BUCKET,
      '--prefix',
      'enc/',
    ]);
    expect(cli.Contents.map((object) => object.Key)).toEqual(['enc/cr\r.txt', 'enc/ctl\x01.txt']);
  });

  it('8. DeleteObjects deletes the key it names: a trailing space kept, a literal "&lt;" decoded once (boto3)', async () => {
    const left = await boto3Json<string[]>(`
s3 = client('s3')
for k in ['q/trail.txt', 'q/trail.txt ', 'q/a<b.txt', 'q/a&lt;b.txt']:
    s3.put_object(Bucket='${BUCKET}', Key=k, Body=b'x')
s3.delete_objects(Bucket='${BUCKET}', Delete={'Objects': [{'Key': 'q/trail.txt '}, {'Key': 'q/a&lt;b.txt'}]})
out([o['Key'] for o in s3.list_objects_v2(Bucket='${BUCKET}', Prefix='q/')['Contents']])
`);
    expect(left).toEqual(['q/a<b.txt', 'q/trail.txt']);
  });

  it("9. keys and small contracts: KeyTooLongError, keys kept verbatim, 400 for a malformed escape, binary/octet-stream, no copy onto itself, the POST form's tagging", async () => {
    const long = await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'k'.repeat(1025)]);
    expect(long.stderr).toContain('KeyTooLongError');
    await awsJson(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'a/../a/./b.txt']);
    const verbatim = await awsJson<{ Contents: { Key: string }[] }>([
      's3api',
      'list-objects-v2',
      '--bucket',
      BUCKET,
      '--prefix',
      'a/',
    ]);
    expect(verbatim.Contents.map((object) => object.Key)).toEqual(['a/../a/./b.txt']);
    const malformed = await curl([
      `${clientsEndpoint()}/${BUCKET}/bad%zz`,
      '-H',
      'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
    ]);
    expect(malformed.status).toBe(400);
    const type = await boto3Json<string>(`
s3 = client('s3')
s3.put_object(Bucket='${BUCKET}', Key='types/untyped', Body=b'bytes')
out(s3.head_object(Bucket='${BUCKET}', Key='types/untyped')['ContentType'])
`);
    expect(type).toBe('binary/octet-stream');
    const self = await aws([
      's3api',
      'copy-object',
      '--bucket',
      BUCKET,
      '--key',
      'types/untyped',
      '--copy-source',
      `${BUCKET}/types/untyped`,
    ]);
    expect(self.stderr).toContain('InvalidRequest');
    const tags = await boto3Json<unknown>(`
import urllib.request, uuid
boundary = uuid.uuid4().hex
fields = [('key', 'form/\${filename}'), ('tagging', '<Tagging><TagSet><Tag><Key>origin</Key><Value>form</Value></Tag></TagSet></Tagging>')]
body = b''
for name, value in fields:
    body += ('--%s\\r\\nContent-Disposition: form-data; name="%s"\\r\\n\\r\\n%s\\r\\n' % (boundary, name, value)).encode()
body += ('--%s\\r\\nContent-Disposition: form-data; name="file"; filename="t.txt"\\r\\nContent-Type: text/plain\\r\\n\\r\\nform body\\r\\n--%s--\\r\\n' % (boundary, boundary)).encode()
request = urllib.request.Request(ENDPOINT + '/${BUCKET}', data=body, method='POST', headers={'Content-Type': 'multipart/form-data; boundary=' + boundary})
urllib.request.urlopen(request)
out(client('s3').get_object_tagging(Bucket='${BUCKET}', Key='form/t.txt')['TagSet'])
`);
    expect(tags).toEqual([{ Key: 'origin', Value: 'form' }]);
  });

  it('13. versioning: version ids, delete markers, list-object-versions (Versioning)', async () => {
    await awsJson(['s3api', 'create-bucket', '--bucket', 'clients-versioned']);
    await awsJson([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      'clients-versioned',
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    const status = await awsJson<{ Status: string }>([
      's3api',
      'get-bucket-versioning',
      '--bucket',
      'clients-versioned',
    ]);
    expect(status.Status).toBe('Enabled');
    const v1 = await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      'clients-versioned',
      '--key',
      'v.txt',
    ]);
    const v2 = await awsJson<{ VersionId: string }>([
      's3api',
      'put-object',
      '--bucket',
      'clients-versioned',
      '--key',
      'v.txt',
    ]);
    const deleted = await awsJson<{ DeleteMarker: boolean; VersionId: string }>([
      's3api',
      'delete-object',
      '--bucket',
      'clients-versioned',
      '--key',
      'v.txt',
    ]);
    expect(deleted.DeleteMarker).toBe(true);
    const head = await aws(['s3api', 'head-object', '--bucket', 'clients-versioned', '--key', 'v.txt']);
    expect(head.stderr).toContain('404');
    const versions = await awsJson<{
      Versions: { VersionId: string }[];
      DeleteMarkers: { VersionId: string; IsLatest: boolean }[];
    }>(['s3api', 'list-object-versions', '--bucket', 'clients-versioned']);
    expect(versions.Versions.map((version) => version.VersionId)).toEqual([v2.VersionId, v1.VersionId]);
    expect(versions.DeleteMarkers).toEqual([
      expect.objectContaining({ VersionId: deleted.VersionId, IsLatest: true }),
    ]);
    const old = await awsJson<{ VersionId: string }>([
      's3api',
      'head-object',
      '--bucket',
      'clients-versioned',
      '--key',
      'v.txt',
      '--version-id',
      v1.VersionId,
    ]);
    expect(old.VersionId).toBe(v1.VersionId);
  });

  it('14. a 16 MB put-object and copy-object (a single PUT takes up to 5 GiB)', async () => {
    const big = join(work, 'big.bin');
    writeFileSync(big, Buffer.alloc(16 * 1000 * 1000, 9));
    const put = await awsJson<{ ETag: string }>([
      's3api',
      'put-object',
      '--bucket',
      BUCKET,
      '--key',
      'big/16mb.bin',
      '--body',
      big,
    ]);
    const copy = await awsJson<{ CopyObjectResult: { ETag: string } }>([
      's3api',
      'copy-object',
      '--bucket',
      BUCKET,
      '--key',
      'big/copy.bin',
      '--copy-source',
      `${BUCKET}/big/16mb.bin`,
    ]);
    expect(copy.CopyObjectResult.ETag).toBe(put.ETag);
  });

  it('15. answers get-bucket-location, get-bucket-tagging, get-bucket-acl and get-object-acl as S3 does', async () => {
    const location = await awsJson<{ LocationConstraint: string | null }>([
      's3api',
      'get-bucket-location',
      '--bucket',
      BUCKET,
    ]);
    expect(location.LocationConstraint).toBeNull();
    expect((await aws(['s3api', 'get-bucket-tagging', '--bucket', BUCKET])).stderr).toContain('NoSuchTagSet');
    const acl = await awsJson<{ Grants: { Permission: string }[] }>([
      's3api',
      'get-bucket-acl',
      '--bucket',
      BUCKET,
    ]);
    expect(acl.Grants[0]?.Permission).toBe('FULL_CONTROL');
    const objectAcl = await awsJson<{ Grants: { Permission: string }[] }>([
      's3api',
      'get-object-acl',
      '--bucket',
      BUCKET,
      '--key',
      'folder/',
    ]);
    expect(objectAcl.Grants[0]?.Permission).toBe('FULL_CONTROL');
  });

  it('16. list-object-versions on an unversioned bucket lists every object (version null) past 128 keys; deleting through it empties the bucket', async () => {
    const remaining = await boto3Json<number[]>(`
s3 = client('s3')
s3.create_bucket(Bucket='clients-unversioned')
for i in range(150):
    s3.put_object(Bucket='clients-unversioned', Key='k%03d' % i, Body=b'x')
listed = []
for page in s3.get_paginator('list_object_versions').paginate(Bucket='clients-unversioned', PaginationConfig={'PageSize': 100}):
    listed += [(v['Key'], v['VersionId']) for v in page.get('Versions', [])]
s3.delete_objects(Bucket='clients-unversioned', Delete={'Objects': [{'Key': k, 'VersionId': v} for k, v in listed[:100]]})
s3.delete_objects(Bucket='clients-unversioned', Delete={'Objects': [{'Key': k, 'VersionId': v} for k, v in listed[100:]]})
out([len(listed), len(set(v for _, v in listed)), s3.list_objects_v2(Bucket='clients-unversioned')['KeyCount']])
`);
    expect(remaining).toEqual([150, 1, 0]);
  });

  it('17. user metadata comes back as stored: empty values, Expires; response-content-type on GET (boto3)', async () => {
    const got = await boto3Json<Record<string, unknown>>(`
import datetime
s3 = client('s3')
s3.put_object(Bucket='${BUCKET}', Key='meta/m.txt', Body=b'm', Metadata={'empty': '', 'plain': 'v'}, Expires=datetime.datetime(2030, 1, 1))
h = s3.head_object(Bucket='${BUCKET}', Key='meta/m.txt')
g = s3.get_object(Bucket='${BUCKET}', Key='meta/m.txt', ResponseContentType='application/json')
out({'metadata': h['Metadata'], 'expires': h['Expires'].isoformat(), 'type': g['ContentType']})
`);
    expect(got).toEqual({
      metadata: { empty: '', plain: 'v' },
      expires: '2030-01-01T00:00:00+00:00',
      type: 'application/json',
    });
  });

  it('18. multipart: a retried CompleteMultipartUpload gets the same answer, no parts is MalformedXML, uploads and parts are listed and aborted (boto3)', async () => {
    const result = await boto3Json<Record<string, unknown>>(`
s3 = client('s3')
up = s3.create_multipart_upload(Bucket='${BUCKET}', Key='mpu/a.bin')['UploadId']
etag = s3.upload_part(Bucket='${BUCKET}', Key='mpu/a.bin', UploadId=up, PartNumber=1, Body=b'only part')['ETag']
first = s3.complete_multipart_upload(Bucket='${BUCKET}', Key='mpu/a.bin', UploadId=up, MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': etag}]})['ETag']
again = s3.complete_multipart_upload(Bucket='${BUCKET}', Key='mpu/a.bin', UploadId=up, MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': etag}]})['ETag']
empty = s3.create_multipart_upload(Bucket='${BUCKET}', Key='mpu/empty.bin')['UploadId']
try:
    s3.complete_multipart_upload(Bucket='${BUCKET}', Key='mpu/empty.bin', UploadId=empty, MultipartUpload={'Parts': []})
    code = 'accepted'
except botocore.exceptions.ClientError as e:
    code = e.response['Error']['Code']
s3.upload_part(Bucket='${BUCKET}', Key='mpu/empty.bin', UploadId=empty, PartNumber=1, Body=b'x')
uploads = [u['UploadId'] for u in s3.list_multipart_uploads(Bucket='${BUCKET}').get('Uploads', [])]
parts = [p['PartNumber'] for p in s3.list_parts(Bucket='${BUCKET}', Key='mpu/empty.bin', UploadId=empty)['Parts']]
s3.abort_multipart_upload(Bucket='${BUCKET}', Key='mpu/empty.bin', UploadId=empty)
after = s3.list_multipart_uploads(Bucket='${BUCKET}').get('Uploads', [])
out({'same': first == again, 'suffix': first.strip('"').endswith('-1'), 'code': code, 'listed': empty in uploads, 'parts': parts, 'after': len(after)})
`);
    expect(result).toEqual({
      same: true,
      suffix: true,
      code: 'MalformedXML',
      listed: true,
      parts: [1],
      after: 0,
    });
  });

  it('19. limits: copy-source conditions, 304 with an ETag, 1,001 keys refused, max-keys=0 not truncated, tag limits, one request id, an empty Expect header', async () => {
    const result = await boto3Json<Record<string, unknown>>(`
s3 = client('s3')
etag = s3.put_object(Bucket='${BUCKET}', Key='lim/src.txt', Body=b'src')['ETag']
def code(call):
    try:
        call()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code']
out({
  'ifMatch': code(lambda: s3.copy_object(Bucket='${BUCKET}', Key='lim/dst.txt', CopySource='${BUCKET}/lim/src.txt', CopySourceIfMatch='"other"')),
  'ifNoneMatch': code(lambda: s3.copy_object(Bucket='${BUCKET}', Key='lim/dst.txt', CopySource='${BUCKET}/lim/src.txt', CopySourceIfNoneMatch=etag)),
  'notModified': code(lambda: s3.get_object(Bucket='${BUCKET}', Key='lim/src.txt', IfNoneMatch=etag)),
  'tooMany': code(lambda: s3.delete_objects(Bucket='${BUCKET}', Delete={'Objects': [{'Key': 'k%d' % i} for i in range(1001)]})),
  'maxKeys0': s3.list_objects_v2(Bucket='${BUCKET}', MaxKeys=0)['IsTruncated'],
  'longTag': code(lambda: s3.put_object_tagging(Bucket='${BUCKET}', Key='lim/src.txt', Tagging={'TagSet': [{'Key': 'k' * 129, 'Value': 'v'}]})),
})
`);
    expect(result).toEqual({
      ifMatch: 'PreconditionFailed',
      ifNoneMatch: 'PreconditionFailed',
      notModified: '304',
      tooMany: 'MalformedXML',
      maxKeys0: false,
      longTag: 'InvalidTag',
    });
    const missing = await curl([
      '-i',
      `${clientsEndpoint()}/${BUCKET}/lim/missing.txt`,
      '-H',
      'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
    ]);
    const header = /x-amz-request-id: (\S+)/i.exec(missing.body)?.[1];
    expect(missing.body).toContain(`<RequestId>${header}</RequestId>`);
    const expect417 = await curl([
      '-X',
      'PUT',
      '--data-binary',
      'x',
      '-H',
      'Expect;',
      '-H',
      'Content-Type;',
      `${clientsEndpoint()}/${BUCKET}/lim/expect.txt`,
      '-H',
      'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
    ]);
    expect(expect417.status).toBe(200);
  });
});
