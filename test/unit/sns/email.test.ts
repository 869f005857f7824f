import { quotedPrintable, renderMail } from '../../../local/sns/email';

/** A quoted-printable decoder written from RFC 2045 section 6.7, independent of the encoder. */
function decode(text: string): string {
  const bytes = text
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

describe('.eml files (RFC 5322, RFC 2045, RFC 2047)', () => {
  it('keeps quoted-printable lines within 76 characters and decodes back to the text', () => {
    const text = `${'{"key":"é = ü", '.repeat(120)}\nsecond line \nthird`;
    const encoded = quotedPrintable(text);
    expect(encoded.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    expect(decode(encoded)).toBe(text.replace(/\n/g, '\r\n'));
  });

  it('writes short-lined text as 8bit, a line over 998 bytes as quoted-printable, a non-ASCII subject as an encoded word', () => {
    const mail = {
      to: 'a@example.com',
      subject: 'Prêt',
      date: new Date('2026-11-26T10:00:00Z'),
      messageId: 'm1',
    };
    const short = renderMail({ ...mail, body: 'line one\nline two' });
    expect(short).toContain('Content-Transfer-Encoding: 8bit\r\n\r\nline one\r\nline two\r\n');
    expect(short).toContain(`Subject: =?UTF-8?B?${Buffer.from('Prêt').toString('base64')}?=\r\n`);
    expect(short).toContain('Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n');
    const long = renderMail({ ...mail, body: 'x'.repeat(2000) });
    expect(long).toContain('Content-Transfer-Encoding: quoted-printable');
    expect(long.split('\r\n').every((line) => line.length <= 998)).toBe(true);
  });
});
