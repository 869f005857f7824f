import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The local runtime's own state (what the emulators do not keep): the local
 * S3's buckets, versions, uploads and notification configurations (their
 * tables are made by local/s3/), Step Functions executions and their history. One SQLite database, in the data directory or in memory. Every
 * write is committed before the request that caused it is answered, so a
 * killed runtime loses nothing it acknowledged.
 */
export function openStore(file: string | undefined): DatabaseSync {
  if (file !== undefined) mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file ?? ':memory:');
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS s3_notifications (bucket TEXT PRIMARY KEY, configuration TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sfn_executions (
      arn TEXT PRIMARY KEY, name TEXT NOT NULL, state_machine_arn TEXT NOT NULL, status TEXT NOT NULL,
      input TEXT NOT NULL, output TEXT, error TEXT, cause TEXT, start_date REAL NOT NULL, stop_date REAL,
      redrive_count INTEGER NOT NULL DEFAULT 0, redrive_date REAL
    );
    CREATE INDEX IF NOT EXISTS sfn_executions_by_machine ON sfn_executions (state_machine_arn, start_date);
    CREATE TABLE IF NOT EXISTS sfn_state_machines (arn TEXT PRIMARY KEY, creation_date REAL NOT NULL);
    CREATE TABLE IF NOT EXISTS sfn_events (
      execution_arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (execution_arn, id)
    );
  `);
  // A data directory from before RedriveExecution: add its columns.
  const columns = (db.prepare('PRAGMA table_info(sfn_executions)').all() as { name: string }[]).map(
    (column) => column.name,
  );
  if (!columns.includes('redrive_count'))
    db.exec('ALTER TABLE sfn_executions ADD COLUMN redrive_count INTEGER NOT NULL DEFAULT 0');
  if (!columns.includes('redrive_date')) db.exec('ALTER TABLE sfn_executions ADD COLUMN redrive_date REAL');
  return db;
}

export type Store = DatabaseSync;
