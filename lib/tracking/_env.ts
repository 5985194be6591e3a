// What every run records without being asked: git state, Deno version, lockfile digest, host, command line.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";

/** The environment facts of a run. */
export interface RunEnvironment {
  gitCommit: string | null;
  gitDirty: boolean | null;
  denoVersion: string;
  lockDigest: string | null;
  host: string;
  pid: number;
  startToken: string;
  argv: string[];
  extra: Record<string, unknown>;
}

async function git(args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null", stdin: "null" })
      .output();
    return out.success ? new TextDecoder().decode(out.stdout) : null;
  } catch {
    return null;
  }
}

function lockDigest(): string | null {
  try {
    let dir = Deno.cwd();
    for (;;) {
      try {
        return createHash("sha256").update(readFileSync(join(dir, "deno.lock"))).digest("hex");
      } catch { /* not here */ }
      const parent = dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  } catch {
    return null;
  }
}

/** The host name, or "unknown" without --allow-sys. */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/**
 * A token that identifies this process instance beyond its pid (the kernel start time of the process),
 * so a reused pid is not mistaken for the run's process.
 */
export function processStartToken(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is the state (field 3 of proc(5)); starttime is field 22.
    return fields[0] === "Z" || fields[0] === "X" ? null : fields[19];
  } catch {
    return null;
  }
}

/**
 * Whether the process `pid` that recorded `token` is still alive (on this host).
 * Uses /proc when available (zombies and reused pids count as dead), else `kill -0` semantics.
 */
export function processAlive(pid: number, token: string | null): boolean {
  try {
    Deno.statSync("/proc/self/stat");
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return !String((e as Error).message).includes("ESRCH");
    }
  }
  const now = processStartToken(pid);
  if (now === null) return false;
  return token === null || token === "" || token === now;
}

/** Collects the run environment (runs git twice, once per run). */
export async function collectEnvironment(): Promise<RunEnvironment> {
  const [head, status] = await Promise.all([
    git(["rev-parse", "HEAD"]),
    git(["status", "--porcelain", "--untracked-files=no"]),
  ]);
  let mainModule = "";
  try {
    mainModule = Deno.mainModule;
  } catch { /* no main module */ }
  let cwd = "";
  try {
    cwd = Deno.cwd();
  } catch { /* no read permission */ }
  return {
    gitCommit: head?.trim() || null,
    gitDirty: head === null || status === null ? null : status.trim().length > 0,
    denoVersion: Deno.version.deno,
    lockDigest: lockDigest(),
    host: hostName(),
    pid: Deno.pid,
    startToken: processStartToken(Deno.pid) ?? "",
    argv: [mainModule, ...Deno.args],
    extra: {
      v8: Deno.version.v8,
      typescript: Deno.version.typescript,
      os: Deno.build.os,
      arch: Deno.build.arch,
      cwd,
    },
  };
}
