import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Email delivery, locally: each message an `email` or `email-json`
 * subscription would receive is written as an RFC 5322 message (a `.eml`
 * file any mail program opens), since there is no inbox to send it to.
 * `email` gets the text body with SNS's unsubscribe footer; `email-json` gets
 * the JSON document an HTTP endpoint would receive.
 */

export interface Mail {
  to: string;
  /** The topic's DisplayName, shown as the sender's name (SNS: "AWS Notifications" without one). */
  fromName?: string;
  subject: string;
  body: string;
  date: Date;
  messageId: string;
}

/** RFC 2047 encoded-word for a header with non-ASCII text. */
function headerText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** Quoted-printable (RFC 2045): UTF-8 text, lines of at most 76 characters, CRLF line ends. */
export function quotedPrintable(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  return lines
    .map((line) => {
      let encoded = '';
      const bytes = Buffer.from(line, 'utf8');
      bytes.forEach((byte, index) => {
        const last = index === bytes.length - 1;
        const plain = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
        encoded += plain ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      });
      // Soft line breaks ("=" at the end) keep each line within 76 characters, never inside an =XX escape.
      const out: string[] = [];
      while (encoded.length > 76) {
        let cut = 75;
        const lastEscape = encoded.lastIndexOf('=', cut - 1);
        if (lastEscape > cut - 3) cut = lastEscape;
        out.push(`${encoded.slice(0, cut)}=`);
        encoded = encoded.slice(cut);
      }
      out.push(encoded);
      return out.join('\r\n');
    })
    .join('\r\n');
}

/** The whole message, headers and body, as a mail program reads it. */
export function renderMail(mail: Mail): string {
  const sender = mail.fromName && mail.fromName !== '' ? mail.fromName : 'AWS Notifications';
  const displayName = headerText(sender) === sender ? `"${sender.replace(/"/g, "'")}"` : headerText(sender);
  const headers = [
    `From: ${displayName} <no-reply@sns.amazonaws.com>`,
    `To: ${mail.to}`,
    `Subject: ${headerText(mail.subject)}`,
    `Date: ${mail.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${mail.messageId}@email.amazonses.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
  ];
  // 8bit keeps the file readable as it is; RFC 5322 limits a line to 998 bytes, so a longer
  // line (an email-json document is one line) is sent quoted-printable instead.
  const lines = mail.body.replace(/\r\n/g, '\n').split('\n');
  if (lines.every((line) => Buffer.byteLength(line, 'utf8') <= 998)) {
    return `${[...headers, 'Content-Transfer-Encoding: 8bit'].join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n`;
  }
  return `${[...headers, 'Content-Transfer-Encoding: quoted-printable'].join('\r\n')}\r\n\r\n${quotedPrintable(mail.body)}\r\n`;
}

/** The text SNS appends to an `email` notification. */
export function emailFooter(unsubscribeUrl: string): string {
  return `\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${unsubscribeUrl}\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support`;
}

/** Writes one message under `dir`; returns the file's path. */
export function writeMail(dir: string, mail: Omit<Mail, 'messageId'> & { snsMessageId: string }): string {
  mkdirSync(dir, { recursive: true });
  const stamp = mail.date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const recipient = mail.to.replace(/[^A-Za-z0-9._-]/g, '_');
  const file = join(dir, `${stamp}-${recipient}-${mail.snsMessageId.slice(0, 8)}.eml`);
  writeFileSync(file, renderMail({ ...mail, messageId: randomUUID() }), 'utf8');
  return file;
}
