/**
 * Where last_sync may move when batches commit in any order (two written side by side on a
 * PostgreSQL server): never past a row of a batch not committed yet, nor past a failed row.
 * Pure: no database.
 */
import test from 'ava';
import { SyncPoint } from '../../../addons/base_external_import_zammad/import/sync-point.ts';

const T = (hhmm: string) => `2025-01-01 ${hhmm}:00.000`;

test('in order, last_sync follows the latest imported row of each committed batch', (t) => {
  const sync = new SyncPoint();
  sync.read(1, T('10:00'));
  t.is(sync.nextFor(1, T('10:05')), T('10:05'));
  sync.committed(1, T('10:05'));
  sync.read(2, T('10:05'));
  t.is(sync.nextFor(2, T('10:09')), T('10:09'));
});

test('a later batch committing first stops at the earliest row of the earlier batch still writing', (t) => {
  const sync = new SyncPoint();
  sync.read(1, T('10:00'));
  sync.read(2, T('10:05'));
  sync.read(3, T('10:09'));
  t.is(sync.nextFor(3, T('10:12')), T('10:00'));
  sync.committed(3, T('10:12'));
  t.is(sync.nextFor(2, T('10:09')), T('10:00'));
  sync.committed(2, T('10:09'));
  // The last one to commit takes last_sync to the latest imported row of all.
  t.is(sync.nextFor(1, T('10:05')), T('10:12'));
});

test('a failed row holds last_sync at its own time, whichever batch commits later', (t) => {
  const sync = new SyncPoint();
  sync.read(1, T('10:00'));
  sync.read(2, T('10:05'));
  sync.failed(T('10:07'));
  sync.committed(2, T('10:09'));
  t.is(sync.nextFor(1, T('10:05')), T('10:07'));
});

test('a batch whose transaction failed stays a floor for the others', (t) => {
  const sync = new SyncPoint();
  sync.read(1, T('10:00'));
  sync.read(2, T('10:05'));
  // Batch 1 never commits (its transaction failed); batch 2 may not pass its first row.
  t.is(sync.nextFor(2, T('10:09')), T('10:00'));
});

test('without updated_at (no times) last_sync does not move', (t) => {
  const sync = new SyncPoint();
  sync.read(1, null);
  t.is(sync.nextFor(1, null), null);
});
