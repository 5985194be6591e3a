/**
 * Private: locating and running ffmpeg / ffprobe.
 * @module
 */

import { VideoError } from "./errors.ts";

let ffmpegCache: Promise<string | null> | null = null;
let ffprobeCache: Promise<string | null> | null = null;

/** What to do when ffmpeg cannot be found: the text of every such error. */
export const FFMPEG_NOT_FOUND =
  "ffmpeg not found: set SENTILAB_FFMPEG (and SENTILAB_FFPROBE) to its path or put it on PATH";

async function isExecutable(path: string): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && st.mode !== null && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** A name with a '/' is a path (checked); a bare name is looked up in the PATH folders. */
async function findExecutable(name: string): Promise<string | null> {
  if (name.includes("/")) return await isExecutable(name) ? name : null;
  let dirs: string[];
  try {
    dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d.length > 0);
  } catch {
    return null; // no --allow-env for PATH
  }
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`;
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * Path of the ffmpeg binary, or null when none is found: SENTILAB_FFMPEG (a path, or a name looked up on
 * PATH), else the one inside npm:@ffmpeg-installer/ffmpeg, else `ffmpeg` on PATH. The installer's import
 * fails (it throws a plain string) when mod.ts is imported from a URL without node_modules: PATH is next.
 */
export function findFfmpeg(): Promise<string | null> {
  ffmpegCache ??= (async () => {
    const env = Deno.env.get("SENTILAB_FFMPEG");
    if (env) return await findExecutable(env);
    try {
      const mod = await import("npm:@ffmpeg-installer/ffmpeg@1.1.0");
      const path = (mod.default ?? mod).path as string;
      if (path && await isExecutable(path)) return path;
    } catch {
      // fall through to PATH
    }
    return await findExecutable("ffmpeg");
  })();
  return ffmpegCache;
}

/**
 * The ffmpeg binary for work on `about` (a file name).
 * @throws {VideoError} naming `about` and saying how to point sentilab at ffmpeg, when none is found.
 */
export async function ffmpegFor(about: string): Promise<string> {
  const bin = await findFfmpeg();
  if (bin === null) {
    throw new VideoError(about, FFMPEG_NOT_FOUND, `Cannot process '${about}': ${ffmpegNotFound()}`);
  }
  return bin;
}

/** {@linkcode FFMPEG_NOT_FOUND}, plus the SENTILAB_FFMPEG value when one is set but unusable. */
export function ffmpegNotFound(): string {
  const env = Deno.env.get("SENTILAB_FFMPEG");
  return env
    ? `${FFMPEG_NOT_FOUND} (SENTILAB_FFMPEG='${env}' is not an executable file or on PATH)`
    : FFMPEG_NOT_FOUND;
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

function cannotStart(bin: string, about: string, e: unknown): VideoError {
  const detail = e instanceof Error ? e.message : String(e);
  const hint = e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied
    ? FFMPEG_NOT_FOUND
    : "set SENTILAB_FFMPEG (and SENTILAB_FFPROBE) to working binaries";
  return new VideoError(
    about,
    `cannot start '${bin}': ${detail}`,
    `Cannot run '${bin}' for '${about}': ${detail}. ${hint}`,
  );
}

/** Runs a tool to completion, collecting stdout and stderr. Throws VideoError when it cannot start. */
export async function runTool(bin: string, args: string[], about: string): Promise<ToolOutput> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(bin, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw cannotStart(bin, about, e);
  }
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

/** Starts a tool with piped stdout and stderr. Throws VideoError when it cannot start. */
export function spawnTool(bin: string, args: string[], about: string): Deno.ChildProcess {
  try {
    return new Deno.Command(bin, { args, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  } catch (e) {
    throw cannotStart(bin, about, e);
  }
}

/** Runs ffmpeg with `-hide_banner -nostdin` prepended. */
export async function runFfmpeg(args: string[], about: string): Promise<ToolOutput> {
  return runTool(await ffmpegFor(about), ["-hide_banner", "-nostdin", ...args], about);
}

/**
 * Runs ffmpeg to write `frames` still images of `path`'s video (no audio, no subtitles) through the filter
 * chain `filter` into `out` (a file, or an image-sequence pattern), overwriting it; `extra` goes before
 * the output (e.g. `-q:v 4`).
 */
export function runFfmpegStills(
  path: string,
  filter: string,
  frames: number,
  out: string,
  extra: string[] = [],
): Promise<ToolOutput> {
  return runFfmpeg([
    "-v",
    "error",
    "-y",
    "-i",
    fileArg(path),
    "-an",
    "-sn",
    "-vf",
    filter,
    "-frames:v",
    String(frames),
    ...extra,
    fileArg(out),
  ], path);
}

/**
 * One line of a tool's stderr without the `[demuxer @ 0x..]` context prefix and without the `file:<path>: `
 * or `<path>: ` prefix.
 */
export function cleanToolLine(line: string, path: string): string {
  let l = line.trim().replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, "");
  if (l.startsWith(`file:${path}: `)) l = l.slice(path.length + 7);
  else if (l.startsWith(path + ": ")) l = l.slice(path.length + 2);
  return l;
}

/**
 * The cause in a tool's stderr: its error lines without the `[demuxer @ 0x..]` prefix and without the
 * file name prefix, joined by "; ".
 */
export function toolCause(stderr: string, path: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0)
    .filter((l) => !/^At least one output file must be specified/.test(l) && !/misdetection possible/.test(l))
    .map((l) => cleanToolLine(l, path));
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
