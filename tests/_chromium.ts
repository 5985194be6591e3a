/**
 * Debian's Chromium, headless, for the browser tests (the viewer's pages, the exported notebook): one launch
 * with the flags this closed machine needs (no background networking, no first-run or update traffic).
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts headless Chromium with `extraArgs`; a clear error where Debian's chromium is not installed. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  try {
    Deno.statSync(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does) to run the browser tests`,
    );
  }
  return puppeteer.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraArgs], headless: true });
}
