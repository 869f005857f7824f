/** Reading numbers and text from byte arrays; every read checks its bounds. */
import { MalformedMediaError } from './object-reader';

function need(bytes: Uint8Array, offset: number, length: number): void {
  if (offset < 0 || offset + length > bytes.length)
    throw new MalformedMediaError(`expected ${length} bytes at ${offset}, have ${bytes.length}`);
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function u16be(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 2);
  return view(bytes).getUint16(offset);
}

export function u16le(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 2);
  return view(bytes).getUint16(offset, true);
}

export function u32be(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 4);
  return view(bytes).getUint32(offset);
}

export function u32le(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 4);
  return view(bytes).getUint32(offset, true);
}

/** An unsigned 64-bit big-endian number (exact below 2^53, which any file size is). */
export function u64be(bytes: Uint8Array, offset: number): number {
  need(bytes, offset, 8);
  return Number(view(bytes).getBigUint64(offset));
}

/** Bytes as Latin-1 text (one character per byte): for four-character codes and PDF syntax. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}

/** Milliseconds precision: `DurationSeconds` is a number of seconds, rounded to the millisecond. */
export function roundSeconds(seconds: number): number | undefined {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) / 1000 : undefined;
}
