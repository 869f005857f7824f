import { XMLParser } from 'fast-xml-parser';

/** Reads the XML bodies of S3 requests; the elements that may repeat are always arrays. */
export const s3Xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) =>
    [
      'QueueConfiguration',
      'TopicConfiguration',
      'CloudFunctionConfiguration',
      'Event',
      'FilterRule',
      'Tag',
      'Deleted',
      'Part',
    ].includes(name),
});

/**
 * Text for an XML element: the five entities, and the characters XML 1.0
 * text cannot carry as they are (controls, and CR, which parsers turn into
 * LF) as character references, as S3 writes keys.
 */
export function xmlText(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters escaped
      .replace(/[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]/g, (char) => `&#${char.charCodeAt(0)};`)
  );
}

/** `<Name>text</Name>`, or nothing for undefined. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${xmlText(String(value))}</${name}>`;
}

/** An S3 answer document. */
export function document(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`;
}

/** Decodes the entities of XML text once (&amp;lt; is the text "&lt;", not "<"). */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#x[0-9A-Fa-f]+|#[0-9]+);/g, (_match, entity: string) => {
    switch (entity) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          entity.startsWith('#x')
            ? Number.parseInt(entity.slice(2), 16)
            : Number.parseInt(entity.slice(1), 10),
        );
    }
  });
}

/**
 * The text of each `<name>` element of a document, exactly as sent (not
 * trimmed), entities decoded once. For request bodies where whitespace is
 * data (DeleteObjects keys).
 */
export function elementTexts(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g');
  return [...xml.matchAll(pattern)].map((match) => decodeEntities(match[1] ?? ''));
}
