import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';

/** SHA-256 (and HMAC-SHA256 with a secret) for the signer, from node:crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac(
            'sha256',
            typeof secret === 'string'
              ? secret
              : Buffer.from(
                  secret instanceof ArrayBuffer
                    ? new Uint8Array(secret)
                    : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength),
                ),
          );
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === 'string'
        ? data
        : Buffer.from(
            data instanceof ArrayBuffer
              ? new Uint8Array(data)
              : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          ),
    );
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const signer = new SignatureV4({
  service: 's3',
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  sha256: Sha256,
  // S3 signs the path as sent, without encoding it a second time.
  uriEscapePath: false,
  applyChecksum: true,
});

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
}

export interface RawRequest {
  method: string;
  /** The path exactly as it goes on the wire (already percent-encoded where it should be). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send unsigned (a presigned URL, a browser form). */
  unsigned?: boolean;
}

/**
 * One SigV4-signed S3 request sent byte for byte as given (node:http, no URL
 * normalization): for what an SDK would not send (a wrong Content-MD5, no
 * Content-Type, a `..` in the path, a malformed escape, an empty Expect).
 */
export async function signedRequest(endpoint: string, raw: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = raw.body === undefined ? Buffer.alloc(0) : Buffer.from(raw.body);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    ...raw.headers,
  };
  const signed = raw.unsigned
    ? { headers }
    : await signer.sign({
        method: raw.method,
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: raw.path,
        query: raw.query ?? {},
        headers,
        body,
      });
  const search = new URLSearchParams(raw.query ?? {}).toString().replace(/\+/g, '%20');
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: raw.method,
        path: `${raw.path}${search === '' ? '' : `?${search}`}`,
        headers: { ...signed.headers, 'content-length': String(body.length) },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: all,
            text: all.toString('utf8'),
          });
        });
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A presigned URL (SigV4 query parameters) for a method and path, as the SDK's presigner makes it. */
export async function presignedUrl(
  endpoint: string,
  method: string,
  path: string,
  expiresIn = 300,
): Promise<string> {
  const url = new URL(endpoint);
  const presigned = await signer.presign(
    {
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: {},
      headers: { host: url.host },
    },
    { expiresIn, unsignableHeaders: new Set(['content-type']) },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  return `${endpoint}${path}?${query}`;
}
