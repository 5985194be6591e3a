/**
 * Progress of a long task on stderr: texts done, texts/s and an ETA. On a terminal one line redrawn in
 * place (at most 5 times a second); on a pipe nothing, unless asked (`--progress`), then a plain line every
 * 5 seconds. Not part of the public API.
 * @module
 */

/** A progress display: call it with texts done and the total (null: unknown, e.g. stdin); `stop()` ends the line. */
export interface Progress {
  (done: number, total: number | null): void;
  /** Ends the display (a final line on a terminal). */
  stop(): void;
}

/**
 * A progress display for `what` ("scoring"), or null when there is nothing to show (not a terminal and
 * not forced).
 * @param what What is being counted.
 * @param force Show it on a pipe too (`--progress`).
 * @param unit What is counted (default "texts"; video's faces count "frames").
 * @returns The display, or null.
 */
export function progress(what: string, force = false, unit = "texts"): Progress | null {
  const tty = Deno.stderr.isTerminal();
  if (!tty && !force) return null;
  const started = performance.now();
  let last = -Infinity; // the first update shows at once
  let shown = false;
  let lastShown = "";
  let lastDone = 0, lastTotal: number | null = 0;
  const enc = new TextEncoder();
  const line = (done: number, total: number | null) => {
    const s = (performance.now() - started) / 1000;
    const rate = s > 0 ? done / s : 0;
    const speed = `${
      (rate >= 10 ? Math.round(rate) : Number(rate.toFixed(1))).toLocaleString("en-US")
    } ${unit}/s`;
    if (total === null) return `${what} ${done.toLocaleString("en-US")} ${unit}, ${speed}`;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const pct = total > 0 ? (100 * done) / total : 100;
    return `${what} ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit} (${
      pct.toFixed(1)
    }%), ${speed}, ETA ${clock(eta)}`;
  };
  const show = ((done: number, total: number | null) => {
    lastDone = done;
    lastTotal = total;
    const now = performance.now();
    if (now - last < (tty ? 200 : 5000) && (total === null || done < total)) return;
    last = now;
    shown = true;
    lastShown = line(done, total);
    Deno.stderr.writeSync(enc.encode(tty ? `\r\x1b[2K${lastShown}` : `${lastShown}\n`));
  }) as Progress;
  show.stop = () => {
    if (!shown) return;
    const final = line(lastDone, lastTotal);
    // a terminal ends its line; a pipe gets the final count unless its last line said it already
    if (tty) Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${final}\n`));
    else if (!lastShown.startsWith(`${what} ${lastDone.toLocaleString("en-US")}`)) {
      Deno.stderr.writeSync(enc.encode(`${final}\n`));
    }
  };
  return show;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m`
    : m > 0
    ? `${m}m${String(r).padStart(2, "0")}s`
    : `${r}s`;
}
