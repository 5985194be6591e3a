/**
 * Private: short container names.
 * @module
 */

/** Short container name from the demuxer's format list and the file extension. */
export function containerName(formatName: string, path: string): string {
  const names = formatName.split(",").map((s) => s.trim());
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? "";
  const alias: Record<string, string> = { mkv: "matroska", m4v: "mp4", mpg: "mpeg", ts: "mpegts" };
  const fromExt = alias[ext] ?? ext;
  if (fromExt && names.includes(fromExt)) return fromExt;
  if (names.includes("mp4")) return "mp4";
  return names[0] ?? "unknown";
}
