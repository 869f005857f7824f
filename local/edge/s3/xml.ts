import { XMLParser } from 'fast-xml-parser';

/** Reads the XML bodies of S3 requests and answers; the elements that may repeat are always arrays. */
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
    ].includes(name),
});
