/**
 * smtp-server's end-of-DATA scan with the search done by `Buffer#indexOf`. The library looks
 * for a line that starts with a dot ("\n.") one byte at a time in JavaScript: for a mail with
 * a 100 KB attachment that loop was about 5% of the gateway's main thread (perf). The method
 * below is the library's own `_feedDataStream`, statement for statement, but for that loop; it
 * replaces the library's only in the version it was written from (`FOR_VERSION`), whose tests
 * (test/mail/smtp-stream.test.ts) feed both the same chunks — any other version keeps its own.
 */
import { createRequire } from 'node:module';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

/** The smtp-server release whose `_feedDataStream` this mirrors. */
export const FOR_VERSION = '3.21.7';
const END_SEQUENCE = Buffer.from('\r\n.\r\n');
const DATA_START_END = Buffer.from('.\r\n');
const LINE_START_DOT = Buffer.from('\n.');

interface DataStream { writable: boolean; destroyed: boolean; write(b: Buffer): boolean; once(e: string, f: () => void): void; removeListener(e: string, f: () => void): void }
interface StreamState {
  _dataStream: DataStream;
  _lastBytes: Buffer | false;
  _atDataStart: boolean;
  _countDataBytes(n: number): void;
  _endDataMode(chunk: Buffer | false, remainder: Buffer, done: () => void): void;
  _feedDataStream(chunk: Buffer, done: () => void): void;
}

/** smtp-server 3.21.7's `_feedDataStream` (dist/esm/smtp-stream.js), the byte loop replaced by indexOf. */
function feedDataStream(this: StreamState, chunk: Buffer, done: () => void): void {
  const dataStream = this._dataStream;
  let i: number;
  let len: number;
  let handled: boolean;
  let buf: Buffer;
  if (this._lastBytes && this._lastBytes.length) {
    chunk = Buffer.concat([this._lastBytes, chunk], this._lastBytes.length + chunk.length);
    this._lastBytes = false;
  }
  len = chunk.length;
  // A first line that is the terminator ends the data (not when its dot was an escape: see the library).
  if (this._atDataStart && len >= 3 && Buffer.compare(chunk.subarray(0, 3), DATA_START_END) === 0) {
    this._endDataMode(false, chunk.subarray(3), done);
    return;
  }
  // check if the first symbol is an escape dot
  if (this._atDataStart && len >= 2 && chunk[0] === 0x2e && chunk[1] === 0x2e) {
    chunk = chunk.subarray(1);
    len--;
    this._atDataStart = false;
  }
  // Seek the stream's end: each dot that starts a line at i >= 2 with i < len - 2, in order
  // (the library's loop `for (i = 2; i < len - 2; i++) if (chunk[i] === 0x2e && chunk[i - 1] === 0x0a)`).
  for (let lf = chunk.indexOf(LINE_START_DOT, 1); lf >= 0 && lf + 1 < len - 2; lf = chunk.indexOf(LINE_START_DOT, lf + 2)) {
    i = lf + 1;
    // if the dot matches end terminator
    if (Buffer.compare(chunk.subarray(i - 2, i + 3), END_SEQUENCE) === 0) {
      buf = chunk.subarray(0, i);
      this._countDataBytes(buf.length);
      this._endDataMode(buf, chunk.subarray(i + 3), done);
      return;
    }
    // check if the dot is an escape char and remove it
    if (chunk[i + 1] === 0x2e) {
      buf = chunk.subarray(0, i);
      this._lastBytes = false;
      this._countDataBytes(buf.length);
      if (dataStream.writable) dataStream.write(buf);
      const rest = chunk.subarray(i + 1);
      setImmediate(() => this._feedDataStream(rest, done));
      return;
    }
  }
  // keep the last bytes
  this._lastBytes = chunk.length < 4 ? chunk : chunk.subarray(chunk.length - 4);
  // if current chunk is longer than the remainder bytes we keep for later emit the available bytes
  if (this._lastBytes.length < chunk.length) {
    buf = chunk.subarray(0, chunk.length - this._lastBytes.length);
    this._countDataBytes(buf.length);
    // write to stream but stop if need to wait for drain
    if (dataStream.writable) {
      handled = dataStream.write(buf);
      if (!handled && !dataStream.destroyed) {
        const onDrain = () => {
          dataStream.removeListener('drain', onDrain);
          dataStream.removeListener('close', onDrain);
          done();
        };
        dataStream.once('drain', onDrain);
        dataStream.once('close', onDrain);
      } else {
        return done();
      }
    } else {
      return done();
    }
  } else {
    return done();
  }
}

/** The library's own method, kept for the tests' comparison. */
export const libraryFeedDataStream: StreamState['_feedDataStream'] = SMTPStream.prototype._feedDataStream;
export const fastFeedDataStream = feedDataStream;

/** The installed smtp-server's version. */
export const installedVersion = (): string => createRequire(import.meta.url)('smtp-server/package.json').version;

/** Puts the indexOf scan in place when the installed smtp-server is the mirrored release; says whether it did. */
export function installFastDataScan(): boolean {
  if (installedVersion() !== FOR_VERSION) return false;
  SMTPStream.prototype._feedDataStream = feedDataStream;
  return true;
}
