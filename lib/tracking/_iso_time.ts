// ISO 8601 text of a time in ms, as Date#toISOString gives it, without a Date per call: the history of a run
// is read 100,000s of rows at a time, and a Date plus its formatting per row was most of that read's cost.

const MS_PER_DAY = 86_400_000;
/** The first ms toISOString writes with a six-digit year (+010000-01-01T00:00:00.000Z). */
const YEAR_10000 = 253_402_300_800_000;
/** "00".."59". */
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
/** ".000Z"..".999Z". */
const MILLIS = Array.from({ length: 1000 }, (_, i) => "." + String(i).padStart(3, "0") + "Z");

/** The day last formatted (days since 1970) and its "YYYY-MM-DDT", from a Date. */
let cachedDay = NaN;
let dayPrefix = "";
/** The first ms of the minute last formatted and its "YYYY-MM-DDTHH:MM:" (rows of a run share minutes). */
let minuteStart = NaN;
let minutePrefix = "";

/**
 * `new Date(ms).toISOString()`, e.g. "2026-11-29T16:35:19.042Z": the date comes from a Date once per day, the
 * hour and minute are computed once per minute, the rest per call. Fractions of a ms are truncated, as Date
 * does; times before 1970 or from the year 10000 on are formatted by Date; NaN throws Date's RangeError.
 */
export function isoTime(ms: number): string {
  let off = ms - minuteStart;
  if (!(off >= 0 && off < 60_000)) {
    const t = Math.trunc(ms);
    if (!(t >= 0 && t < YEAR_10000)) return new Date(ms).toISOString();
    const day = Math.floor(t / MS_PER_DAY);
    if (day !== cachedDay) {
      dayPrefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
      cachedDay = day;
    }
    const minutes = ((t - day * MS_PER_DAY) / 60_000) | 0; // of the day: 0..1439
    minuteStart = day * MS_PER_DAY + minutes * 60_000;
    minutePrefix = dayPrefix + PAD2[(minutes / 60) | 0] + ":" + PAD2[minutes % 60] + ":";
    off = t - minuteStart;
  }
  const o = off | 0; // 0..59,999 (a fraction of a ms truncated)
  const sec = (o / 1000) | 0;
  return minutePrefix + PAD2[sec] + MILLIS[o - sec * 1000];
}
