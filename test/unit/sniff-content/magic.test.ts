import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  categoryOfType,
  contentTypeMismatch,
  decodeText,
  detectContent,
  essence,
} from '../../../functions/sniff-content/magic';

const SAMPLES = join(__dirname, '..', '..', '..', 'local', 'samples');
const sample = (name: string) => new Uint8Array(readFileSync(join(SAMPLES, name)));
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(
    parts.flatMap((part) => (typeof part === 'string' ? [...Buffer.from(part, 'latin1')] : part)),
  );

describe('detectContent on real sample files', () => {
  it.each([
    ['photo.png', 'image/png', 'image'],
    ['pixel.gif', 'image/gif', 'image'],
    ['invoice.pdf', 'application/pdf', 'document'],
    ['notes.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document'],
    ['bundle.zip', 'application/zip', 'archive'],
    ['server.log.gz', 'application/gzip', 'archive'],
    ['beep.wav', 'audio/wav', 'audio'],
    ['sales 2026 é.csv', 'text/csv', 'text'],
    ['reading.json', 'application/json', 'text'],
    ['README.txt', 'text/plain', 'text'],
  ])('%s is %s (%s)', (file, contentType, category) => {
    expect(detectContent(sample(file), true)).toEqual({ contentType, category });
  });
});

describe('detectContent on signatures', () => {
  it.each([
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JFIF'), 'image/jpeg', 'image'],
    ['WebP', bytes('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 '), 'image/webp', 'image'],
    ['TIFF', bytes([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), 'image/tiff', 'image'],
    ['MP4', bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0], 'isomiso2avc1mp41'), 'video/mp4', 'video'],
    ['QuickTime', bytes([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 0, 0]), 'video/quicktime', 'video'],
    ['HEIC', bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic'), 'image/heic', 'image'],
    ['M4A', bytes([0, 0, 0, 0x20], 'ftypM4A ', [0, 0, 0, 0]), 'audio/mp4', 'audio'],
    [
      'WebM',
      bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'),
      'video/webm',
      'video',
    ],
    ['MP3 with ID3', bytes('ID3', [4, 0, 0, 0, 0, 0, 0]), 'audio/mpeg', 'audio'],
    ['MP3 frame', bytes([0xff, 0xfb, 0x90, 0x44, 0x00]), 'audio/mpeg', 'audio'],
    ['Ogg', bytes('OggS', [0, 2]), 'audio/ogg', 'audio'],
    ['FLAC', bytes('fLaC', [0, 0, 0, 0x22]), 'audio/flac', 'audio'],
    ['7z', bytes([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), 'application/x-7z-compressed', 'archive'],
    [
      'XLSX',
      bytes([0x50, 0x4b, 0x03, 0x04], 'x'.repeat(26), '[Content_Types].xml', 'PK', 'xl/workbook.xml'),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'document',
    ],
    [
      'EPUB',
      bytes([0x50, 0x4b, 0x03, 0x04], 'x'.repeat(26), 'mimetypeapplication/epub+zip'),
      'application/epub+zip',
      'document',
    ],
    [
      'legacy .doc',
      bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]),
      'application/x-cfb',
      'document',
    ],
    [
      'SVG',
      bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
      'image/svg+xml',
      'image',
    ],
    ['HTML', bytes('<!DOCTYPE html><html><body>hi</body></html>'), 'text/html', 'text'],
    ['XML', bytes('<?xml version="1.0"?><root/>'), 'application/xml', 'text'],
    ['NDJSON', bytes('{"a":1}\n{"a":2}\n'), 'application/x-ndjson', 'text'],
    ['TSV', bytes('a\tb\n1\t2\n3\t4\n'), 'text/tab-separated-values', 'text'],
    ['UTF-16 text', bytes([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]), 'text/plain', 'text'],
  ])('%s', (_name, data, contentType, category) => {
    expect(detectContent(data, true)).toEqual({ contentType, category });
  });

  it('does not take "BM" text for a bitmap', () => {
    expect(detectContent(bytes('BM is a text that starts with two capitals'), true)?.contentType).toBe(
      'text/plain',
    );
  });

  it('returns undefined for empty data and unknown binary', () => {
    expect(detectContent(new Uint8Array(), true)).toBeUndefined();
    expect(detectContent(bytes([0x00, 0x01, 0x02, 0x03, 0x9c, 0x00]), true)).toBeUndefined();
  });

  it('sees JSON in a partial read of a large document', () => {
    expect(detectContent(bytes('{\n  "items": [1, 2, 3, '), false)?.contentType).toBe('application/json');
  });

  it('does not call a complete but invalid document JSON', () => {
    expect(detectContent(bytes('{ not json at all'), true)?.contentType).toBe('text/plain');
  });
});

describe('decodeText', () => {
  it('accepts a multi-byte character cut by a partial read', () => {
    const cut = Buffer.from('prix: 10 €', 'utf8').subarray(0, -1);
    expect(decodeText(cut, false)).toBe('prix: 10 ');
  });

  it('rejects the same cut when the read was the whole object', () => {
    expect(decodeText(Buffer.from('prix: 10 €', 'utf8').subarray(0, -1), true)).toBeUndefined();
  });

  it('rejects control characters', () => {
    expect(decodeText(bytes('abc', [0x00], 'def'), true)).toBeUndefined();
  });

  it('skips a UTF-8 byte-order mark', () => {
    expect(decodeText(bytes([0xef, 0xbb, 0xbf], 'hi'), true)).toBe('hi');
  });
});

describe('contentTypeMismatch', () => {
  const png = { contentType: 'image/png', category: 'image' as const };
  const text = { contentType: 'text/plain', category: 'text' as const };
  const docx = {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    category: 'document' as const,
  };

  it.each([
    ['the same type', 'image/png', png, false],
    ['parameters and case', 'Image/PNG; q=1', png, false],
    ['a generic declaration', 'application/octet-stream', png, false],
    ['S3 default binary/octet-stream', 'binary/octet-stream', png, false],
    ['a different image type', 'image/jpeg', png, true],
    ['text declared for an image', 'text/plain', png, true],
    ['an alias', 'image/x-png', png, false],
    ['csv declared, plain text found', 'text/csv; charset=utf-8', text, false],
    ['json declared, plain text found', 'application/json', text, false],
    ['an image declared for text', 'image/png', text, true],
    ['zip declared for docx', 'application/zip', docx, false],
    ['docx declared for docx', docx.contentType, docx, false],
    ['pdf declared for docx', 'application/pdf', docx, true],
    ['text declared for unknown binary', 'text/plain', undefined, true],
    ['a detectable type declared for unknown binary', 'image/png', undefined, true],
    ['an undetectable type declared for unknown binary', 'application/x-custom', undefined, false],
  ])('%s', (_case, declared, detected, expected) => {
    expect(contentTypeMismatch(declared, detected)).toBe(expected);
  });
});

describe('categoryOfType', () => {
  it.each([
    ['image/jpeg', 'image'],
    ['video/mp4', 'video'],
    ['audio/mpeg', 'audio'],
    ['text/csv; charset=utf-8', 'text'],
    ['application/json', 'text'],
    ['application/pdf', 'document'],
    ['application/msword', 'document'],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'document'],
    ['application/x-gzip', 'archive'],
    ['application/zip', 'archive'],
    ['application/octet-stream', 'other'],
    [undefined, 'other'],
  ])('%s is %s', (type, category) => {
    expect(categoryOfType(type)).toBe(category);
  });
});

describe('essence', () => {
  it('drops parameters and lowercases', () => {
    expect(essence(' Text/CSV ; charset=UTF-8')).toBe('text/csv');
    expect(essence(undefined)).toBe('');
  });
});
