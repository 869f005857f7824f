import { execFileSync } from 'node:child_process';
import type { Browser } from 'puppeteer-core';
import puppeteer from 'puppeteer-core';

/**
 * The Chromium that the npm package @sparticuz/chromium ships (unpacked to
 * /tmp on first use): no system browser, no download. The package is an ES
 * module that locates its files through `import.meta.url`, which jest's
 * CommonJS cannot load, so a short Node process asks it for the path and flags.
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  const script =
    "import('@sparticuz/chromium').then(async ({ default: c }) => process.stdout.write(JSON.stringify({ executablePath: await c.executablePath(), args: c.args })))";
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8', timeout: 60_000 }),
  ) as { executablePath: string; args: string[] };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = chromiumLaunchOptions();
  return puppeteer.launch({ executablePath, args, headless: true });
}
