import { inflateSync } from 'node:zlib';
import { latin1 } from './bytes';
import type { MediaAttributes } from './media';
import { MalformedMediaError, type ObjectReader } from './object-reader';

/*
 * PDF: the version from the header (or the catalog's /Version when later), the
 * page count from the page tree's root (/Count), found from the end of the file
 * as a reader does: `startxref` in the last 1 KiB, the cross-reference section
 * there (a table, or a stream in PDF 1.5+), the trailer's /Root, the catalog's
 * /Pages (ISO 32000-1 7.5.4-7.5.8, 7.7.2, 7.7.3.2). A linearized file announces
 * its page count in its first bytes (Annex F.2.2): no read at all.
 *
 * Hand-written: the PDF libraries (pdf.js, pdf-lib) load the whole file and are
 * hundreds of KB to megabytes; this reads a few small ranges. It reads only
 * what those four steps need, with regular expressions on the objects' text:
 * not a general PDF parser.
 */

type Entry = { readonly offset: number } | { readonly stream: number; readonly index: number };

interface Subsection {
  readonly first: number;
  readonly count: number;
  /** Offset of the subsection's first 20-byte entry. */
  readonly start: number;
}

/** A bound on the cross-reference sections followed through /Prev (incremental updates). */
const MAX_SECTIONS = 8;
/** The most text read for one object: a page tree root lists its kids, 10 bytes each. */
const MAX_OBJECT_BYTES = 64 * 1024;

const int = (text: string, key: string): number | undefined => {
  const match = new RegExp(`/${key}\\s+(\\d+)(?![\\d.])`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};
const reference = (text: string, key: string): number | undefined => {
  const match = new RegExp(`/${key}\\s+(\\d+)\\s+\\d+\\s+R\\b`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};
const numbers = (text: string, key: string): number[] | undefined => {
  const match = new RegExp(`/${key}\\s*\\[([\\d\\s]*)\\]`).exec(text);
  return match?.[1]?.trim().split(/\s+/).filter(Boolean).map(Number);
};

export async function inspectPdf(reader: ObjectReader, sample: Uint8Array): Promise<MediaAttributes> {
  const head = latin1(sample, 0, Math.min(sample.length, 1024));
  const header = /%PDF-(\d\.\d)/.exec(head);
  if (!header?.[1]) throw new MalformedMediaError('no %PDF- header in the first 1024 bytes');
  const version = header[1];
  const linearized = /<<[^>]*\/Linearized\s[^>]*>>/.exec(head)?.[0];
  if (linearized && int(linearized, 'L') === reader.size) {
    const pages = int(linearized, 'N');
    if (pages !== undefined) return { PageCount: pages, PdfVersion: version };
  }
  const file = new PdfFile(reader);
  const root = await file.loadCrossReferences();
  const catalog = await file.object(root);
  const catalogVersion = /\/Version\s*\/(\d\.\d)/.exec(catalog)?.[1];
  const pagesRoot = reference(catalog, 'Pages');
  if (pagesRoot === undefined) throw new MalformedMediaError('catalog without /Pages');
  const count = int(await file.object(pagesRoot), 'Count');
  if (count === undefined) throw new MalformedMediaError('page tree root without /Count');
  return {
    PageCount: count,
    PdfVersion: catalogVersion && catalogVersion > version ? catalogVersion : version,
  };
}

class PdfFile {
  /** Classic sections' subsections, newest section first. */
  private readonly tables: Subsection[][] = [];
  /** Order of the sections, newest first: a table's index, or 'stream' entries from that point on. */
  private readonly order: ({ table: number } | { streams: Map<number, Entry | null> })[] = [];
  private readonly objectStreams = new Map<number, Promise<Map<number, string>>>();

  constructor(private readonly reader: ObjectReader) {}

  /** Reads the cross-reference sections from `startxref` back through /Prev; returns the catalog's number. */
  async loadCrossReferences(): Promise<number> {
    const size = this.reader.size;
    const tail = latin1(await this.reader.read(Math.max(0, size - 1024), size));
    const at = tail.lastIndexOf('startxref');
    const start = at < 0 ? undefined : /^startxref\s+(\d+)/.exec(tail.slice(at))?.[1];
    if (start === undefined) throw new MalformedMediaError('no startxref in the last 1024 bytes');
    let offset: number | undefined = Number(start);
    let root: number | undefined;
    const seen = new Set<number>();
    for (
      let sections = 0;
      offset !== undefined && sections < MAX_SECTIONS && !seen.has(offset);
      sections += 1
    ) {
      seen.add(offset);
      const trailer = await this.section(offset);
      const hybrid = int(trailer, 'XRefStm');
      if (hybrid !== undefined && !seen.has(hybrid)) {
        seen.add(hybrid);
        await this.section(hybrid);
      }
      root ??= reference(trailer, 'Root');
      offset = int(trailer, 'Prev');
    }
    if (root === undefined) throw new MalformedMediaError('no /Root in the trailer');
    return root;
  }

  /** Reads one cross-reference section (table or stream); returns its trailer dictionary's text. */
  private async section(offset: number): Promise<string> {
    const keyword = /^\s*xref/.exec(latin1(await this.reader.read(offset, offset + 64)));
    if (keyword) return this.table(offset + keyword[0].length);
    const stream = await this.streamAt(offset);
    if (!/\/Type\s*\/XRef\b/.test(stream.dictionary))
      throw new MalformedMediaError(`no cross-reference section at ${offset}`);
    const widths = numbers(stream.dictionary, 'W');
    const size = int(stream.dictionary, 'Size');
    if (widths?.length !== 3 || size === undefined) throw new MalformedMediaError('bad XRef stream');
    const index = numbers(stream.dictionary, 'Index') ?? [0, size];
    const entries = new Map<number, Entry | null>();
    const rowSize = widths.reduce((a, b) => a + b, 0);
    const field = (row: number, column: number) => {
      let value = 0;
      let at = row * rowSize + widths.slice(0, column).reduce((a, b) => a + b, 0);
      for (let i = 0; i < (widths[column] ?? 0); i += 1) value = value * 256 + (stream.data[at++] ?? 0);
      return value;
    };
    let row = 0;
    for (let i = 0; i + 1 < index.length; i += 2) {
      const first = index[i] ?? 0;
      for (let n = 0; n < (index[i + 1] ?? 0); n += 1, row += 1) {
        if ((row + 1) * rowSize > stream.data.length) throw new MalformedMediaError('XRef stream too short');
        const type = widths[0] === 0 ? 1 : field(row, 0);
        const entry =
          type === 1
            ? { offset: field(row, 1) }
            : type === 2
              ? { stream: field(row, 1), index: field(row, 2) }
              : null;
        entries.set(first + n, entry);
      }
    }
    this.order.push({ streams: entries });
    return stream.dictionary;
  }

  /**
   * A classic table: subsections of "first count" and 20-byte entries, then
   * the trailer. Only the subsection headers are read here; entries later, one by one.
   */
  private async table(position: number): Promise<string> {
    const subsections: Subsection[] = [];
    for (let guard = 0; guard < 1000; guard += 1) {
      const text = latin1(await this.reader.read(position, position + 64));
      const header = /^\s*(\d+)\s+(\d+)[ \t]*(?:\r\n|\r|\n)/.exec(text);
      if (!header) {
        if (!/^\s*trailer/.test(text)) throw new MalformedMediaError(`bad xref subsection at ${position}`);
        const trailer = latin1(await this.reader.read(position, position + 4096));
        this.order.push({ table: this.tables.length });
        this.tables.push(subsections);
        const end = trailer.indexOf('startxref');
        return end < 0 ? trailer : trailer.slice(0, end);
      }
      const first = Number(header[1]);
      const count = Number(header[2]);
      const start = position + header[0].length;
      subsections.push({ first, count, start });
      position = start + count * 20;
    }
    throw new MalformedMediaError('too many xref subsections');
  }

  /** Where object `n` is, by the newest section that lists it. */
  private async entry(n: number): Promise<Entry> {
    for (const section of this.order) {
      if ('streams' in section) {
        const entry = section.streams.get(n);
        if (entry === null) break;
        if (entry) return entry;
        continue;
      }
      const sub = this.tables[section.table]?.find((s) => s.first <= n && n < s.first + s.count);
      if (!sub) continue;
      const at = sub.start + (n - sub.first) * 20;
      const line = /^(\d{10}) (\d{5}) ([nf])/.exec(latin1(await this.reader.read(at, at + 20)));
      if (!line) throw new MalformedMediaError(`bad xref entry for object ${n}`);
      if (line[3] === 'f') break;
      return { offset: Number(line[1]) };
    }
    throw new MalformedMediaError(`object ${n} is not in the cross-reference sections`);
  }

  /** The text of object `n` (its dictionary or value), wherever it is. */
  async object(n: number): Promise<string> {
    const entry = await this.entry(n);
    if ('offset' in entry) return (await this.objectAt(entry.offset, n)).text;
    let objects = this.objectStreams.get(entry.stream);
    if (!objects) {
      objects = this.objectStream(entry.stream);
      this.objectStreams.set(entry.stream, objects);
    }
    const text = (await objects).get(n);
    if (text === undefined) throw new MalformedMediaError(`object ${n} not in object stream ${entry.stream}`);
    return text;
  }

  /** "n g obj ... endobj" at `offset`: the text up to `endobj` or `stream` (or as much as the limit allows). */
  private async objectAt(offset: number, expected?: number): Promise<{ text: string; streamAt?: number }> {
    for (let length = 1024; ; length *= 8) {
      const text = latin1(await this.reader.read(offset, offset + length));
      const header = /^\s*(\d+)\s+\d+\s+obj\b/.exec(text);
      if (!header || (expected !== undefined && Number(header[1]) !== expected))
        throw new MalformedMediaError(`no object ${expected ?? ''} at ${offset}`);
      const body = text.slice(header[0].length);
      const stream = /\bstream(?:\r\n|\n)/.exec(body);
      const end = body.indexOf('endobj');
      if (stream && (end < 0 || stream.index < end))
        return {
          text: body.slice(0, stream.index),
          streamAt: offset + header[0].length + stream.index + stream[0].length,
        };
      if (end >= 0) return { text: body.slice(0, end) };
      if (offset + text.length >= this.reader.size || length >= MAX_OBJECT_BYTES) return { text: body };
    }
  }

  /** A stream object's dictionary and decoded data (FlateDecode, with PNG predictors, or no filter). */
  private async streamAt(offset: number): Promise<{ dictionary: string; data: Uint8Array }> {
    const { text, streamAt } = await this.objectAt(offset);
    if (streamAt === undefined) throw new MalformedMediaError(`no stream at ${offset}`);
    const lengthRef = reference(text, 'Length');
    const length =
      lengthRef !== undefined ? int(`/L ${(await this.object(lengthRef)).trim()}`, 'L') : int(text, 'Length');
    if (length === undefined) throw new MalformedMediaError(`stream at ${offset} without /Length`);
    const raw = await this.reader.read(streamAt, streamAt + length);
    const filter = /\/Filter\s*\[?\s*\/(\w+)/.exec(text)?.[1];
    if (filter === undefined) return { dictionary: text, data: raw };
    if (filter !== 'FlateDecode') throw new MalformedMediaError(`unsupported filter ${filter}`);
    let data: Uint8Array;
    try {
      data = new Uint8Array(inflateSync(raw));
    } catch (error) {
      throw new MalformedMediaError(`FlateDecode: ${error instanceof Error ? error.message : String(error)}`);
    }
    const predictor = int(text, 'Predictor') ?? 1;
    if (predictor >= 10) data = unpredictPng(data, int(text, 'Columns') ?? 1);
    else if (predictor !== 1) throw new MalformedMediaError(`unsupported predictor ${predictor}`);
    return { dictionary: text, data };
  }

  /** The objects of an object stream: N pairs "number offset", then the objects from /First (7.5.7). */
  private async objectStream(n: number): Promise<Map<number, string>> {
    const entry = await this.entry(n);
    if (!('offset' in entry)) throw new MalformedMediaError(`object stream ${n} inside an object stream`);
    const { dictionary, data } = await this.streamAt(entry.offset);
    const count = int(dictionary, 'N');
    const first = int(dictionary, 'First');
    if (count === undefined || first === undefined)
      throw new MalformedMediaError('object stream without /N or /First');
    const text = latin1(data);
    const pairs = text.slice(0, first).trim().split(/\s+/).map(Number);
    const objects = new Map<number, string>();
    for (let i = 0; i < count; i += 1) {
      const number = pairs[2 * i];
      const start = pairs[2 * i + 1];
      if (number === undefined || start === undefined || Number.isNaN(number) || Number.isNaN(start))
        throw new MalformedMediaError('bad object stream header');
      const end = pairs[2 * i + 3] ?? text.length - first;
      objects.set(number, text.slice(first + start, first + end));
    }
    return objects;
  }
}

/** Undoes the PNG predictors (RFC 2083 6, as PDF uses them with /Predictor >= 10: 7.4.4.4). */
function unpredictPng(data: Uint8Array, columns: number): Uint8Array {
  const rowLength = columns + 1;
  const rows = Math.floor(data.length / rowLength);
  const out = new Uint8Array(rows * columns);
  for (let row = 0; row < rows; row += 1) {
    const filter = data[row * rowLength];
    for (let i = 0; i < columns; i += 1) {
      const raw = data[row * rowLength + 1 + i] ?? 0;
      const left = i > 0 ? (out[row * columns + i - 1] ?? 0) : 0;
      const up = row > 0 ? (out[(row - 1) * columns + i] ?? 0) : 0;
      const upLeft = row > 0 && i > 0 ? (out[(row - 1) * columns + i - 1] ?? 0) : 0;
      let value: number;
      switch (filter) {
        case 0:
          value = raw;
          break;
        case 1:
          value = raw + left;
          break;
        case 2:
          value = raw + up;
          break;
        case 3:
          value = raw + Math.floor((left + up) / 2);
          break;
        case 4: {
          const p = left + up - upLeft;
          const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
          value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw new MalformedMediaError(`PNG predictor filter ${filter}`);
      }
      out[row * columns + i] = value & 0xff;
    }
  }
  return out;
}
