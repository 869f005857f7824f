/**
 * Content detection from an object's first bytes ("magic numbers"), with no
 * dependency: a table of binary signatures, then text analysis.
 */

export const CATEGORIES = ['image', 'document', 'archive', 'video', 'audio', 'text', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Detection {
  /** The media type the bytes show, e.g. `image/png`. */
  contentType: string;
  category: Category;
}

interface Signature {
  contentType: string;
  category: Category;
  /** Byte offset of `bytes`. */
  offset?: number;
  bytes: readonly number[] | string;
  /** A further condition, for signatures too short to trust alone. */
  also?: (data: Uint8Array) => boolean;
  /** A more specific type, for containers (ZIP, ISO media, Matroska). */
  refine?: (data: Uint8Array) => Detection | undefined;
}

const ascii = (data: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...data.subarray(start, end));
const isRiff = (data: Uint8Array) => ascii(data, 0, 4) === 'RIFF';

function matches(data: Uint8Array, signature: Signature): boolean {
  const offset = signature.offset ?? 0;
  const expected =
    typeof signature.bytes === 'string' ? [...signature.bytes].map((c) => c.charCodeAt(0)) : signature.bytes;
  if (data.length < offset + expected.length) return false;
  return expected.every((byte, index) => data[offset + index] === byte);
}

/** ISO base media files (MP4, MOV, HEIC, AVIF, 3GP): the major brand after `ftyp`. */
function isoBrand(data: Uint8Array): Detection {
  const brand = ascii(data, 8, 12);
  const byBrand: Record<string, Detection> = {
    'M4A ': { contentType: 'audio/mp4', category: 'audio' },
    'M4B ': { contentType: 'audio/mp4', category: 'audio' },
    'qt  ': { contentType: 'video/quicktime', category: 'video' },
    heic: { contentType: 'image/heic', category: 'image' },
    heix: { contentType: 'image/heic', category: 'image' },
    mif1: { contentType: 'image/heif', category: 'image' },
    avif: { contentType: 'image/avif', category: 'image' },
    '3gp4': { contentType: 'video/3gpp', category: 'video' },
    '3gp5': { contentType: 'video/3gpp', category: 'video' },
    '3g2a': { contentType: 'video/3gpp2', category: 'video' },
  };
  return byBrand[brand] ?? { contentType: 'video/mp4', category: 'video' };
}

/** ZIP containers: Office Open XML, OpenDocument, EPUB and JAR are ZIPs with a marker inside. */
function zipFlavour(data: Uint8Array): Detection {
  const head = ascii(data, 0, Math.min(data.length, 8192));
  const mimetype = /^mimetype(application\/[a-z0-9.+-]+)/.exec(ascii(data, 30, 120));
  if (mimetype?.[1] !== undefined) {
    const type = mimetype[1];
    return {
      contentType: type,
      category: type === 'application/epub+zip' || type.includes('opendocument') ? 'document' : 'archive',
    };
  }
  if (head.includes('[Content_Types].xml') || /\b(word|xl|ppt)\//.test(head)) {
    if (head.includes('word/')) return { contentType: OOXML.docx, category: 'document' };
    if (head.includes('xl/')) return { contentType: OOXML.xlsx, category: 'document' };
    if (head.includes('ppt/')) return { contentType: OOXML.pptx, category: 'document' };
  }
  if (head.includes('META-INF/MANIFEST.MF'))
    return { contentType: 'application/java-archive', category: 'archive' };
  return { contentType: 'application/zip', category: 'archive' };
}

const OOXML = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
} as const;

const SIGNATURES: readonly Signature[] = [
  { contentType: 'image/png', category: 'image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { contentType: 'image/jpeg', category: 'image', bytes: [0xff, 0xd8, 0xff] },
  { contentType: 'image/gif', category: 'image', bytes: 'GIF87a' },
  { contentType: 'image/gif', category: 'image', bytes: 'GIF89a' },
  { contentType: 'image/webp', category: 'image', bytes: 'WEBP', offset: 8, also: isRiff },
  { contentType: 'audio/wav', category: 'audio', bytes: 'WAVE', offset: 8, also: isRiff },
  { contentType: 'video/x-msvideo', category: 'video', bytes: 'AVI ', offset: 8, also: isRiff },
  { contentType: 'image/tiff', category: 'image', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { contentType: 'image/tiff', category: 'image', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  {
    contentType: 'image/bmp',
    category: 'image',
    bytes: 'BM',
    // Two letters are too weak alone: also require a known DIB header size.
    also: (d) => [12, 40, 52, 56, 108, 124].includes(d[14] ?? -1),
  },
  { contentType: 'application/pdf', category: 'document', bytes: '%PDF-' },
  { contentType: 'application/postscript', category: 'document', bytes: '%!PS' },
  { contentType: 'application/rtf', category: 'document', bytes: '{\\rtf' },
  // Compound File Binary: legacy .doc, .xls, .ppt, .msg.
  {
    contentType: 'application/x-cfb',
    category: 'document',
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  },
  {
    contentType: 'application/zip',
    category: 'archive',
    bytes: [0x50, 0x4b, 0x03, 0x04],
    refine: zipFlavour,
  },
  { contentType: 'application/zip', category: 'archive', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { contentType: 'application/gzip', category: 'archive', bytes: [0x1f, 0x8b] },
  { contentType: 'application/x-bzip2', category: 'archive', bytes: 'BZh' },
  { contentType: 'application/x-xz', category: 'archive', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  {
    contentType: 'application/x-7z-compressed',
    category: 'archive',
    bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
  },
  { contentType: 'application/zstd', category: 'archive', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { contentType: 'application/vnd.rar', category: 'archive', bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { contentType: 'application/x-tar', category: 'archive', bytes: 'ustar', offset: 257 },
  { contentType: 'video/mp4', category: 'video', bytes: 'ftyp', offset: 4, refine: isoBrand },
  {
    contentType: 'video/x-matroska',
    category: 'video',
    bytes: [0x1a, 0x45, 0xdf, 0xa3],
    refine: (d) =>
      ascii(d, 0, Math.min(d.length, 64)).includes('webm')
        ? { contentType: 'video/webm', category: 'video' }
        : undefined,
  },
  { contentType: 'audio/ogg', category: 'audio', bytes: 'OggS' },
  { contentType: 'audio/flac', category: 'audio', bytes: 'fLaC' },
  { contentType: 'audio/mpeg', category: 'audio', bytes: 'ID3' },
  { contentType: 'audio/midi', category: 'audio', bytes: 'MThd' },
  { contentType: 'application/wasm', category: 'other', bytes: [0x00, 0x61, 0x73, 0x6d] },
  { contentType: 'application/x-elf', category: 'other', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { contentType: 'application/vnd.sqlite3', category: 'other', bytes: 'SQLite format 3\u0000' },
  { contentType: 'application/vnd.apache.parquet', category: 'other', bytes: 'PAR1' },
];

/** MPEG audio frames and AAC (ADTS) start with an 11- or 12-bit sync word. */
function mpegAudio(data: Uint8Array): Detection | undefined {
  const [first, second] = data;
  if (first !== 0xff || second === undefined) return undefined;
  if ((second & 0xf6) === 0xf0) return { contentType: 'audio/aac', category: 'audio' };
  if ((second & 0xe0) === 0xe0 && (second & 0x06) !== 0)
    return { contentType: 'audio/mpeg', category: 'audio' };
  return undefined;
}

/**
 * Decodes `data` as UTF-8 text, or returns undefined when it is binary: not
 * UTF-8, or containing control characters other than tab, newlines, form feed
 * and escape. A multi-byte character cut at the end of a partial read is fine.
 */
export function decodeText(data: Uint8Array, complete: boolean): string | undefined {
  let bytes = data;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (!complete) {
    // Drop a trailing incomplete UTF-8 sequence (at most 3 bytes).
    let end = bytes.length;
    for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
      const byte = bytes[end - back] ?? 0;
      if ((byte & 0xc0) === 0x80) continue;
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      if (need > back) end -= back;
      break;
    }
    bytes = bytes.subarray(0, end);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
  return /[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/.test(text) ? undefined : text;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Lines of a partial read: the last one may be cut, so it is dropped. */
function completeLines(text: string, complete: boolean): string[] {
  const lines = text.split(/\r?\n/);
  if (!complete) lines.pop();
  return lines.filter((line) => line.trim() !== '');
}

function delimitedText(lines: readonly string[]): Detection | undefined {
  if (lines.length < 2) return undefined;
  const sample = lines.slice(0, 20);
  for (const [delimiter, contentType] of [
    [',', 'text/csv'],
    ['\t', 'text/tab-separated-values'],
    [';', 'text/csv'],
  ] as const) {
    const counts = sample.map((line) => line.replace(/"[^"]*"/g, '').split(delimiter).length - 1);
    const first = counts[0] ?? 0;
    if (first >= 1 && counts.every((count) => count === first)) return { contentType, category: 'text' };
  }
  return undefined;
}

function detectText(text: string, complete: boolean): Detection {
  const start = text.trimStart();
  const lower = start.slice(0, 512).toLowerCase();
  if (lower.startsWith('<svg') || (lower.startsWith('<?xml') && lower.includes('<svg'))) {
    return { contentType: 'image/svg+xml', category: 'image' };
  }
  if (lower.startsWith('<!doctype html') || lower.startsWith('<html'))
    return { contentType: 'text/html', category: 'text' };
  if (lower.startsWith('<?xml')) return { contentType: 'application/xml', category: 'text' };
  if (start.startsWith('{') || start.startsWith('[')) {
    if (complete && isJson(text)) return { contentType: 'application/json', category: 'text' };
    const lines = completeLines(text, complete);
    if (lines.length >= 2 && lines.every(isJson))
      return { contentType: 'application/x-ndjson', category: 'text' };
    // A partial read of one large document: the opening is all we can see.
    if (!complete && /^[{[]\s*["{[\]}\d-]/.test(start))
      return { contentType: 'application/json', category: 'text' };
  }
  return delimitedText(completeLines(text, complete)) ?? { contentType: 'text/plain', category: 'text' };
}

/**
 * Detects what the bytes are.
 * @param data the object's first bytes (all of them when `complete`).
 * @param complete whether `data` is the whole object; partial reads are judged more cautiously.
 * @returns undefined for binary data of no known format (and for empty data).
 */
export function detectContent(data: Uint8Array, complete: boolean): Detection | undefined {
  if (data.length === 0) return undefined;
  for (const signature of SIGNATURES) {
    if (!matches(data, signature) || signature.also?.(data) === false) continue;
    return signature.refine?.(data) ?? { contentType: signature.contentType, category: signature.category };
  }
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
    return { contentType: 'text/plain', category: 'text' }; // UTF-16 with a byte-order mark
  }
  const text = decodeText(data, complete);
  if (text !== undefined) return detectText(text, complete);
  return mpegAudio(data);
}

/** The media type without parameters, lowercased: `Text/CSV; charset=utf-8` -> `text/csv`. */
export function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Declared types that claim nothing about the content. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/** Common spellings of the same type, mapped to the one `detectContent` returns. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'image/x-png': 'image/png',
  'image/x-ms-bmp': 'image/bmp',
  'image/x-icon': 'image/vnd.microsoft.icon',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/x-flac': 'audio/flac',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'video/x-m4v': 'video/mp4',
  'application/x-gzip': 'application/gzip',
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'application/x-pdf': 'application/pdf',
  'application/x-tar': 'application/x-tar',
  'application/x-rar-compressed': 'application/vnd.rar',
  'application/x-bzip': 'application/x-bzip2',
  'application/msword': 'application/x-cfb',
  'application/vnd.ms-excel': 'application/x-cfb',
  'application/vnd.ms-powerpoint': 'application/x-cfb',
  'application/vnd.ms-outlook': 'application/x-cfb',
  'text/rtf': 'application/rtf',
};

/** Types that are one container format under several names. */
const FAMILIES: readonly (readonly string[])[] = [
  [
    'application/zip',
    'application/java-archive',
    'application/epub+zip',
    OOXML.docx,
    OOXML.xlsx,
    OOXML.pptx,
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'application/vnd.oasis.opendocument.presentation',
  ],
  [
    'video/mp4',
    'audio/mp4',
    'video/quicktime',
    'video/3gpp',
    'video/3gpp2',
    'image/heic',
    'image/heif',
    'image/avif',
  ],
  ['audio/ogg', 'video/ogg', 'application/ogg', 'audio/opus'],
  ['video/webm', 'video/x-matroska', 'audio/webm', 'audio/x-matroska'],
  ['audio/mpeg', 'audio/aac'],
];

function canonical(type: string): string {
  return ALIASES[type] ?? type;
}

/** Whether a declared type describes text (so any textual content agrees with it). */
export function isTextual(type: string): boolean {
  return (
    type.startsWith('text/') ||
    type.endsWith('+json') ||
    type.endsWith('+xml') ||
    [
      'application/json',
      'application/x-ndjson',
      'application/xml',
      'application/javascript',
      'application/x-javascript',
      'application/ecmascript',
      'application/yaml',
      'application/x-yaml',
      'application/toml',
      'application/sql',
      'application/graphql',
      'application/x-sh',
      'application/x-httpd-php',
    ].includes(type)
  );
}

/** Every type `detectContent` can return from a signature, with its category. */
const KNOWN_TYPES: ReadonlyMap<string, Category> = new Map([
  ...SIGNATURES.map((signature) => [signature.contentType, signature.category] as const),
  ...(['docx', 'xlsx', 'pptx'] as const).map((kind) => [OOXML[kind], 'document'] as const),
  ['application/epub+zip', 'document'],
  ['application/vnd.oasis.opendocument.text', 'document'],
  ['application/vnd.oasis.opendocument.spreadsheet', 'document'],
  ['application/vnd.oasis.opendocument.presentation', 'document'],
  ['application/java-archive', 'archive'],
  ['audio/mp4', 'audio'],
  ['video/quicktime', 'video'],
  ['video/webm', 'video'],
  ['audio/aac', 'audio'],
]);

/**
 * Whether the declared Content-Type disagrees with what the bytes show.
 * A generic declaration (`application/octet-stream`) disagrees with nothing;
 * aliases and members of one container family agree; text agrees with any
 * textual type. Undetectable binary disagrees with a textual declaration, or
 * with a format this detector would have recognised.
 */
export function contentTypeMismatch(declared: string | undefined, detected: Detection | undefined): boolean {
  const claim = canonical(essence(declared));
  if (GENERIC_TYPES.has(claim)) return false;
  if (detected === undefined) return isTextual(claim) || KNOWN_TYPES.has(claim);
  const actual = detected.contentType;
  if (claim === actual) return false;
  if (detected.category === 'text' || actual === 'image/svg+xml') {
    return !isTextual(claim) && claim !== 'image/svg+xml';
  }
  return !FAMILIES.some((family) => family.includes(claim) && family.includes(actual));
}

/** The category of a declared type, for objects whose bytes could not be read or recognised. */
export function categoryOfType(type: string | undefined): Category {
  const claim = canonical(essence(type));
  if (isTextual(claim)) return 'text';
  const [major] = claim.split('/');
  if (major === 'image' || major === 'video' || major === 'audio') return major;
  return (
    KNOWN_TYPES.get(claim) ??
    (/^application\/vnd\.(openxmlformats|oasis|ms-)/.test(claim) ? 'document' : 'other')
  );
}
