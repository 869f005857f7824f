import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { clientsFor } from '../support/aws-clients';
import { startRuntimeProcess } from '../support/runtime-process';

/**
 * `--data-dir` keeps the local S3 across a restart as S3 keeps a bucket:
 * versioning state, every version and delete marker with its bytes and tags,
 * and multipart uploads in progress (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
 * Its own runtime, stopped and started again on the same directory.
 */
describe('the local S3 across a restart on the same --data-dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'e2e-s3-persist-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps versions, delete markers, tags, versioning and uploads in progress', async () => {
    const first = await startRuntimeProcess(['--quiet', '--data-dir', dataDir]);
    let v1 = '';
    let v2 = '';
    let marker = '';
    let uploadId = '';
    try {
      const { s3 } = clientsFor(first.endpoint);
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      v1 =
        (
          await s3.send(
            new PutObjectCommand({ Bucket: 'kept', Key: 'doc.txt', Body: 'first', Tagging: 'gen=1' }),
          )
        ).VersionId ?? '';
      v2 =
        (await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'doc.txt', Body: 'second' }))).VersionId ??
        '';
      marker = (await s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'doc.txt' }))).VersionId ?? '';
      uploadId =
        (await s3.send(new CreateMultipartUploadCommand({ Bucket: 'kept', Key: 'big.bin' }))).UploadId ?? '';
    } finally {
      expect(await first.stop()).toBe(0);
    }
    const second = await startRuntimeProcess(['--quiet', '--data-dir', dataDir]);
    try {
      const { s3 } = clientsFor(second.endpoint);
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'kept' }))).Status).toBe('Enabled');
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
      expect(versions.DeleteMarkers?.map((entry) => [entry.VersionId, entry.IsLatest])).toEqual([
        [marker, true],
      ]);
      expect(versions.Versions?.map((entry) => entry.VersionId)).toEqual([v2, v1]);
      const old = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'doc.txt', VersionId: v1 }));
      expect(await old.Body?.transformToString()).toBe('first');
      const tags = await s3.send(
        new GetObjectTaggingCommand({ Bucket: 'kept', Key: 'doc.txt', VersionId: v1 }),
      );
      expect(tags.TagSet).toEqual([{ Key: 'gen', Value: '1' }]);
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'kept' }));
      expect(uploads.Uploads?.map((upload) => upload.UploadId)).toEqual([uploadId]);
    } finally {
      await second.stop();
    }
  });
});
