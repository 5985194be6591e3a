/**
 * Private: locating and running ffmpeg / ffprobe.
 * @module
 */

import { VideoError } from "./errors.ts";

let ffmpegCache: Promise<string> | null = null;
let ffprobeCache: Promise<string | null> | null = null;

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && st.mode !== null && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Path of the ffmpeg binary: SENTILAB_FFMPEG, else the one inside npm:@ffmpeg-installer/ffmpeg,
 * else `ffmpeg` on PATH.
 */
export function ffmpegPath(): Promise<string> {
  ffmpegCache ??= (async () => {
    const env = Deno.env.get("SENTILAB_FFMPEG");
    if (env) return env;
    try {
      const mod = await import("npm:@ffmpeg-installer/ffmpeg@1.1.0");
      const path = (mod.default ?? mod).path as string;
      if (path && await isExecutable(path)) return path;
    } catch {
      // fall through to PATH
    }
    return "ffmpeg";
  })();
  return ffmpegCache;
}

/**
 * Path of the ffprobe binary, or null when none is usable: SENTILAB_FFPROBE, else the one inside
 * npm:@ffprobe-installer/ffprobe (its exec bit is missing under Deno: set here), else null.
 */
export function ffprobePath(): Promise<string | null> {
  ffprobeCache ??= (async () => {
    const env = Deno.env.get("SENTILAB_FFPROBE");
    if (env !== undefined) return env === "" || env === "none" ? null : env;
    try {
      const mod = await import("npm:@ffprobe-installer/ffprobe@2.1.2");
      const path = (mod.default ?? mod).path as string;
      if (!path) return null;
      if (!await isExecutable(path)) {
        try {
          await Deno.chmod(path, 0o755);
        } catch {
          return null;
        }
      }
      return await isExecutable(path) ? path : null;
    } catch {
      return null;
    }
  })();
  return ffprobeCache;
}

/** What a finished tool process gave. */
export interface ToolOutput {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs a tool to completion, collecting stdout and stderr. Throws VideoError when it cannot start. */
export async function runTool(bin: string, args: string[], about: string): Promise<ToolOutput> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(bin, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw new VideoError(
      about,
      `cannot start '${bin}': ${(e as Error).message}`,
      `Cannot run '${bin}' for '${about}': ${(e as Error).message}. ` +
        `Run 'deno install' (npm:@ffmpeg-installer/ffmpeg) or set SENTILAB_FFMPEG / SENTILAB_FFPROBE.`,
    );
  }
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

/** Runs ffmpeg with `-hide_banner -nostdin` prepended. */
export async function runFfmpeg(args: string[], about: string): Promise<ToolOutput> {
  return runTool(await ffmpegPath(), ["-hide_banner", "-nostdin", ...args], about);
}

/**
 * The cause in a tool's stderr: its error lines without the `[demuxer @ 0x..]` prefix and without the
 * file name prefix, joined by "; ".
 */
export function toolCause(stderr: string, path: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
    .filter((l) => !/^At least one output file must be specified/.test(l) && !/misdetection possible/.test(l))
    .map((l) => l.replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, ""))
    .map((l) => l.startsWith(`file:${path}: `) ? l.slice(path.length + 7) : l)
    .map((l) => l.startsWith(path + ": ") ? l.slice(path.length + 2) : l);
  const unique = [...new Set(lines)];
  return unique.length > 0 ? unique.slice(-3).join("; ") : "unknown error";
}

/**
 * A path as an ffmpeg/ffprobe argument: `file:` forces the local file protocol, so that a name starting
 * with `-` is not read as an option and a name like `http://...` is never fetched.
 */
export function fileArg(path: string): string {
  return `file:${path}`;
}

/** Display form of seconds: `m:ss.s`. */
export function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, "0")}`;
}
