import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { ChecksumAlgorithm, ChecksumType } from './checksums';
import type { ObjectAttributes } from './store';

/**
 * Multipart uploads in progress: the upload (what CreateMultipartUpload said
 * the object will be), its parts (each a body file), and the result of a
 * completed upload, kept so that a retried CompleteMultipartUpload gets the
 * same answer, as S3 gives it.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */

export interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: Date;
  attributes: Omit<ObjectAttributes, 'checksum'>;
  checksumAlgorithm: ChecksumAlgorithm | undefined;
  checksumType: ChecksumType | undefined;
  /** The CompleteMultipartUpload answer, once completed. */
  completed: { versionId: string; eTag: string; checksum?: string } | undefined;
}

export interface Part {
  partNumber: number;
  size: number;
  /** Quoted. */
  eTag: string;
  /** base64 checksum of the part, in the upload's algorithm. */
  checksum: string | undefined;
  lastModified: Date;
  file: string;
}

type UploadRow = {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: number;
  attributes: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  completed: string | null;
};

function uploadOf(row: UploadRow): Upload {
  return {
    uploadId: row.upload_id,
    bucket: row.bucket,
    key: row.key,
    initiated: new Date(row.initiated),
    attributes: JSON.parse(row.attributes) as Upload['attributes'],
    checksumAlgorithm: (row.checksum_algorithm ?? undefined) as ChecksumAlgorithm | undefined,
    checksumType: (row.checksum_type ?? undefined) as ChecksumType | undefined,
    completed: row.completed === null ? undefined : (JSON.parse(row.completed) as Upload['completed']),
  };
}

export class MultipartUploads {
  constructor(private readonly db: DatabaseSync) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS s3_uploads (
        upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated REAL NOT NULL,
        attributes TEXT NOT NULL, checksum_algorithm TEXT, checksum_type TEXT, completed TEXT
      );
      CREATE INDEX IF NOT EXISTS s3_uploads_by_key ON s3_uploads (bucket, key, initiated);
      CREATE TABLE IF NOT EXISTS s3_parts (
        upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
        checksum TEXT, last_modified REAL NOT NULL, file TEXT NOT NULL, PRIMARY KEY (upload_id, part_number)
      );
    `);
  }

  create(upload: Omit<Upload, 'uploadId' | 'initiated' | 'completed'>): Upload {
    const uploadId = randomBytes(24).toString('base64url');
    this.db
      .prepare(
        'INSERT INTO s3_uploads (upload_id, bucket, key, initiated, attributes, checksum_algorithm, checksum_type) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        uploadId,
        upload.bucket,
        upload.key,
        Date.now(),
        JSON.stringify(upload.attributes),
        upload.checksumAlgorithm ?? null,
        upload.checksumType ?? null,
      );
    const created = this.get(uploadId);
    if (created === undefined) throw new Error('the upload just created is missing');
    return created;
  }

  get(uploadId: string): Upload | undefined {
    const row = this.db.prepare('SELECT * FROM s3_uploads WHERE upload_id = ?').get(uploadId) as
      | UploadRow
      | undefined;
    return row === undefined ? undefined : uploadOf(row);
  }

  /** Uploads in progress of a bucket, by key (UTF-8 byte order) then initiation. */
  inProgress(bucket: string): Upload[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM s3_uploads WHERE bucket = ? AND completed IS NULL ORDER BY key, initiated, upload_id',
        )
        .all(bucket) as UploadRow[]
    ).map(uploadOf);
  }

  /** Stores a part; returns the file of the part it replaced, if any. */
  putPart(uploadId: string, part: Omit<Part, 'lastModified'>): string | undefined {
    const old = this.db
      .prepare('SELECT file FROM s3_parts WHERE upload_id = ? AND part_number = ?')
      .get(uploadId, part.partNumber) as { file: string } | undefined;
    this.db
      .prepare(
        'INSERT OR REPLACE INTO s3_parts (upload_id, part_number, size, etag, checksum, last_modified, file) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(uploadId, part.partNumber, part.size, part.eTag, part.checksum ?? null, Date.now(), part.file);
    return old?.file;
  }

  parts(uploadId: string): Part[] {
    return (
      this.db.prepare('SELECT * FROM s3_parts WHERE upload_id = ? ORDER BY part_number').all(uploadId) as {
        part_number: number;
        size: number;
        etag: string;
        checksum: string | null;
        last_modified: number;
        file: string;
      }[]
    ).map((row) => ({
      partNumber: row.part_number,
      size: row.size,
      eTag: row.etag,
      checksum: row.checksum ?? undefined,
      lastModified: new Date(row.last_modified),
      file: row.file,
    }));
  }

  /** Marks an upload completed (its parts are gone); returns the parts' files to remove. */
  complete(uploadId: string, result: NonNullable<Upload['completed']>): string[] {
    const files = this.parts(uploadId).map((part) => part.file);
    this.db
      .prepare('UPDATE s3_uploads SET completed = ? WHERE upload_id = ?')
      .run(JSON.stringify(result), uploadId);
    this.db.prepare('DELETE FROM s3_parts WHERE upload_id = ?').run(uploadId);
    return files;
  }

  /** Forgets an upload; returns its parts' files to remove. */
  abort(uploadId: string): string[] {
    const files = this.parts(uploadId).map((part) => part.file);
    this.db.prepare('DELETE FROM s3_parts WHERE upload_id = ?').run(uploadId);
    this.db.prepare('DELETE FROM s3_uploads WHERE upload_id = ?').run(uploadId);
    return files;
  }

  /** Forgets every upload of a bucket (DeleteBucket); returns the files to remove. */
  dropBucket(bucket: string): string[] {
    return (
      this.db.prepare('SELECT upload_id FROM s3_uploads WHERE bucket = ?').all(bucket) as {
        upload_id: string;
      }[]
    ).flatMap((row) => this.abort(row.upload_id));
  }
}
