import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { StoredChecksum } from './checksums';

/**
 * The local S3's storage: bodies as files, byte for byte, and everything
 * else in SQLite (the runtime's store, so `--data-dir` keeps it): buckets
 * and their versioning state, and one row per object version or delete
 * marker. Bucket and key order is SQLite's BINARY collation, which compares
 * UTF-8 bytes, the order S3 lists keys in.
 *
 * A bucket that was never versioned holds only `null` versions; a versioned
 * one keeps every version, newest first by `seq`, and `latest` marks the
 * current one. Each write commits its row before the request is answered.
 */

export type Versioning = 'Enabled' | 'Suspended' | undefined;

export interface Bucket {
  name: string;
  created: Date;
  versioning: Versioning;
}

/** Content headers S3 stores with an object and returns on GET and HEAD. */
export const CONTENT_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
  'x-amz-website-redirect-location',
] as const;
export type ContentHeaders = Partial<Record<(typeof CONTENT_HEADERS)[number], string>>;

/** Server-side encryption as HeadObject reports it. */
export interface Encryption {
  algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

/** One part of a multipart object (for `partNumber` reads and GetObjectAttributes). */
export interface StoredPart {
  partNumber: number;
  size: number;
  eTag: string;
  checksum?: string;
}

/** What a write gives an object version, besides its body. */
export interface ObjectAttributes {
  headers: ContentHeaders;
  /** User metadata: lowercase name (without x-amz-meta-) to value (decoded Unicode). */
  metadata: Record<string, string>;
  storageClass: string;
  encryption: Encryption;
  checksum: StoredChecksum | undefined;
  tags: [string, string][];
}

export interface ObjectVersion extends ObjectAttributes {
  seq: number;
  bucket: string;
  key: string;
  /** `null` for the null version. */
  versionId: string;
  latest: boolean;
  deleteMarker: boolean;
  lastModified: Date;
  size: number;
  /** Quoted, as S3 sends it. */
  eTag: string;
  file: string | undefined;
  parts: StoredPart[] | undefined;
}

type Row = {
  seq: number;
  bucket: string;
  key: string;
  version_id: string;
  latest: number;
  delete_marker: number;
  last_modified: number;
  size: number;
  etag: string;
  file: string | null;
  headers: string;
  metadata: string;
  storage_class: string;
  encryption: string;
  checksum: string | null;
  parts: string | null;
  tags: string;
};

function fromRow(row: Row): ObjectVersion {
  return {
    seq: row.seq,
    bucket: row.bucket,
    key: row.key,
    versionId: row.version_id,
    latest: row.latest === 1,
    deleteMarker: row.delete_marker === 1,
    lastModified: new Date(row.last_modified),
    size: row.size,
    eTag: row.etag,
    file: row.file ?? undefined,
    headers: JSON.parse(row.headers) as ContentHeaders,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    storageClass: row.storage_class,
    encryption: JSON.parse(row.encryption) as Encryption,
    checksum: row.checksum === null ? undefined : (JSON.parse(row.checksum) as StoredChecksum),
    parts: row.parts === null ? undefined : (JSON.parse(row.parts) as StoredPart[]),
    tags: JSON.parse(row.tags) as [string, string][],
  };
}

const VERSION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';

/** A new version id: 32 characters, as S3's look (URL-safe, never `null`). */
export function newVersionId(): string {
  return [...randomBytes(32)].map((byte) => VERSION_ALPHABET[byte % VERSION_ALPHABET.length]).join('');
}

export class S3Store {
  private readonly objectsDir: string;

  constructor(
    private readonly db: DatabaseSync,
    /** Where bodies are kept (`<data-dir>/s3`). */
    root: string,
  ) {
    this.objectsDir = join(root, 'objects');
    mkdirSync(this.objectsDir, { recursive: true });
    db.exec(`
      CREATE TABLE IF NOT EXISTS s3_buckets (name TEXT PRIMARY KEY, created REAL NOT NULL, versioning TEXT);
      CREATE TABLE IF NOT EXISTS s3_objects (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        bucket TEXT NOT NULL, key TEXT NOT NULL, version_id TEXT NOT NULL,
        latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL, last_modified REAL NOT NULL,
        size INTEGER NOT NULL, etag TEXT NOT NULL, file TEXT,
        headers TEXT NOT NULL, metadata TEXT NOT NULL, storage_class TEXT NOT NULL,
        encryption TEXT NOT NULL, checksum TEXT, parts TEXT, tags TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS s3_objects_by_version ON s3_objects (bucket, key, version_id);
      CREATE INDEX IF NOT EXISTS s3_objects_by_key ON s3_objects (bucket, key, seq);
      CREATE INDEX IF NOT EXISTS s3_objects_current ON s3_objects (bucket, latest, key);
    `);
  }

  // --- buckets ---------------------------------------------------------------------------------

  bucket(name: string): Bucket | undefined {
    const row = this.db
      .prepare('SELECT name, created, versioning FROM s3_buckets WHERE name = ?')
      .get(name) as { name: string; created: number; versioning: string | null } | undefined;
    if (row === undefined) return undefined;
    return {
      name: row.name,
      created: new Date(row.created),
      versioning: (row.versioning ?? undefined) as Versioning,
    };
  }

  buckets(): Bucket[] {
    return (this.db.prepare('SELECT name FROM s3_buckets ORDER BY name').all() as { name: string }[]).flatMap(
      (row) => this.bucket(row.name) ?? [],
    );
  }

  createBucket(name: string): void {
    this.db.prepare('INSERT OR IGNORE INTO s3_buckets (name, created) VALUES (?, ?)').run(name, Date.now());
  }

  setVersioning(name: string, status: 'Enabled' | 'Suspended'): void {
    this.db.prepare('UPDATE s3_buckets SET versioning = ? WHERE name = ?').run(status, name);
  }

  isEmpty(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(name) === undefined;
  }

  deleteBucket(name: string): void {
    this.db.prepare('DELETE FROM s3_buckets WHERE name = ?').run(name);
  }

  // --- bodies ----------------------------------------------------------------------------------

  /** Writes a body to a new file; returns its name. */
  writeBody(body: Buffer | Buffer[]): string {
    const file = randomBytes(16).toString('hex');
    writeFileSync(join(this.objectsDir, file), Array.isArray(body) ? Buffer.concat(body) : body);
    return file;
  }

  readBody(version: ObjectVersion, start = 0, end = version.size - 1): Buffer {
    if (version.file === undefined || version.size === 0 || end < start) return Buffer.alloc(0);
    const path = join(this.objectsDir, version.file);
    if (start === 0 && end === version.size - 1) return readFileSync(path);
    // A range (the pipeline's 4 KiB sample of each object) reads only its bytes.
    const range = Buffer.alloc(end - start + 1);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, range, 0, range.length, start);
    } finally {
      closeSync(fd);
    }
    return range;
  }

  /** A body file as it is (a multipart upload's part). */
  readFile(file: string): Buffer {
    return readFileSync(join(this.objectsDir, file));
  }

  removeBody(file: string | undefined | null): void {
    if (file) rmSync(join(this.objectsDir, file), { force: true });
  }

  // --- versions --------------------------------------------------------------------------------

  /** The current version of a key (which may be a delete marker). */
  current(bucket: string, key: string): ObjectVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM s3_objects WHERE bucket = ? AND key = ? AND latest = 1')
      .get(bucket, key) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  version(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?')
      .get(bucket, key, versionId) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /**
   * Adds a version (or delete marker) as the key's current one. A `null`
   * version replaces the key's previous null version, as S3 does in an
   * unversioned or suspended bucket. Returns the replaced null version's file.
   */
  put(entry: Omit<ObjectVersion, 'seq' | 'latest'>): ObjectVersion {
    let replacedFile: string | undefined;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      if (entry.versionId === 'null') {
        const old = this.db
          .prepare("SELECT file FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null'")
          .get(entry.bucket, entry.key) as { file: string | null } | undefined;
        replacedFile = old?.file ?? undefined;
        this.db
          .prepare("DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null'")
          .run(entry.bucket, entry.key);
      }
      this.db
        .prepare('UPDATE s3_objects SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1')
        .run(entry.bucket, entry.key);
      this.db
        .prepare(
          `INSERT INTO s3_objects (bucket, key, version_id, latest, delete_marker, last_modified, size, etag, file,
             headers, metadata, storage_class, encryption, checksum, parts, tags)
           VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          entry.bucket,
          entry.key,
          entry.versionId,
          entry.deleteMarker ? 1 : 0,
          entry.lastModified.getTime(),
          entry.size,
          entry.eTag,
          entry.file ?? null,
          JSON.stringify(entry.headers),
          JSON.stringify(entry.metadata),
          entry.storageClass,
          JSON.stringify(entry.encryption),
          entry.checksum === undefined ? null : JSON.stringify(entry.checksum),
          entry.parts === undefined ? null : JSON.stringify(entry.parts),
          JSON.stringify(entry.tags),
        );
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    this.removeBody(replacedFile);
    const stored = this.version(entry.bucket, entry.key, entry.versionId);
    if (stored === undefined) throw new Error('the version just written is missing');
    return stored;
  }

  /** Removes one version for good; the newest remaining one becomes current. */
  removeVersion(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    const victim = this.version(bucket, key, versionId);
    if (victim === undefined) return undefined;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.prepare('DELETE FROM s3_objects WHERE seq = ?').run(victim.seq);
      if (victim.latest) {
        this.db
          .prepare(
            'UPDATE s3_objects SET latest = 1 WHERE seq = (SELECT MAX(seq) FROM s3_objects WHERE bucket = ? AND key = ?)',
          )
          .run(bucket, key);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    this.removeBody(victim.file);
    return victim;
  }

  setTags(version: ObjectVersion, tags: [string, string][]): void {
    this.db.prepare('UPDATE s3_objects SET tags = ? WHERE seq = ?').run(JSON.stringify(tags), version.seq);
  }

  /**
   * Rows of a bucket in listing order (key by UTF-8 bytes, then newest
   * first), after a position, at most `limit`; only current non-marker rows
   * when `currentOnly`.
   */
  page(
    bucket: string,
    options: { prefix: string; after?: { key: string; seq?: number }; limit: number; currentOnly: boolean },
  ): ObjectVersion[] {
    const conditions = ['bucket = ?'];
    const params: (string | number)[] = [bucket];
    if (options.currentOnly) conditions.push('latest = 1 AND delete_marker = 0');
    if (options.prefix !== '') {
      conditions.push('key >= ? AND substr(key, 1, ?) = ?');
      // substr counts characters (code points), not UTF-16 units.
      params.push(options.prefix, [...options.prefix].length, options.prefix);
    }
    if (options.after !== undefined) {
      if (options.after.seq === undefined) {
        conditions.push('key > ?');
        params.push(options.after.key);
      } else {
        conditions.push('(key > ? OR (key = ? AND seq < ?))');
        params.push(options.after.key, options.after.key, options.after.seq);
      }
    }
    params.push(options.limit);
    const rows = this.db
      .prepare(`SELECT * FROM s3_objects WHERE ${conditions.join(' AND ')} ORDER BY key, seq DESC LIMIT ?`)
      .all(...params) as Row[];
    return rows.map(fromRow);
  }
}
