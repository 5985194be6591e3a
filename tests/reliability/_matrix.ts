/**
 * The reliability matrix: faults and bad input a hostile user or a bad day produces, each with what
 * sentilab promises (expected), what happened (observed) and whether that keeps the promise. Run by
 * tests/reliability/reliability_test.ts (in `deno task test`) and `deno task check:reliability`, which both
 * print one table: case, expected, observed, pass.
 * @module
 */
import { NODE_MODULES_AS_INSTALLED, PROJECT_CONFIG, ROOT, taskEnv, type TaskOutput } from "../_task_env.ts";

/** Children use node_modules as installed (see NODE_MODULES_AS_INSTALLED). */
export const MANUAL: string = NODE_MODULES_AS_INSTALLED;

/** What one case observed and whether it keeps the promise; `skipped` says why a case could not run here. */
export interface Outcome {
  observed: string;
  pass: boolean;
  skipped?: string;
}

/** One row of the matrix. */
export interface Case {
  group: string;
  name: string;
  expected: string;
  run: () => Promise<Outcome>;
}

/** One line of an error message, shortened for the table. */
export function short(text: string, n = 96): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > n ? line.slice(0, n - 3) + "..." : line;
}

/** The message of anything thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
}

/** Passes when `fn` throws (or rejects) with a message matching `re`. */
export async function rejects(fn: () => unknown, re: RegExp): Promise<Outcome> {
  try {
    await fn();
    return { observed: "no error", pass: false };
  } catch (e) {
    const m = messageOf(e);
    return { observed: short(m), pass: re.test(m) };
  }
}

/** A temp folder for the duration of `fn`. */
export async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_rel_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Runs a task (tasks/NAME.ts) with a clean environment whose store and HOME are under `dir`. */
export async function task(
  name: string,
  args: string[],
  dir: string,
  env: Record<string, string> = {},
): Promise<TaskOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MANUAL, `tasks/${name}.ts`, ...args],
    cwd: ROOT,
    env: taskEnv({ SENTILAB_DIR: `${dir}/store`, HOME: dir, ...env }),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Passes when the task exits 1 with `re` on stderr (and `also` holds). */
export async function taskFails(
  name: string,
  args: string[],
  dir: string,
  re: RegExp,
  also: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<Outcome> {
  const r = await task(name, args, dir);
  const line = r.stderr.split("\n").find((l) => l.startsWith("error:")) ?? r.stderr.split("\n")[0];
  return {
    observed: `exit ${r.code}: ${short(line, 80)}`,
    pass: r.code === 1 && re.test(r.stderr) && await also(),
  };
}

/** Runs `code` as a child Deno program (with the project's config) in `dir`; returns its result. */
export async function child(
  dir: string,
  code: string,
  args: string[] = [],
): Promise<{ code: number; signal: Deno.Signal | null; stdout: string; stderr: string }> {
  await Deno.writeTextFile(`${dir}/child.ts`, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...PROJECT_CONFIG, MANUAL, `${dir}/child.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** The tracking library, for child programs. */
export const LIB: string = new URL("../../lib/tracking/mod.ts", import.meta.url).href;

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN), and why not. */
export async function canMount(): Promise<string | null> {
  try {
    const dir = await Deno.makeTempDir({ prefix: "sentilab_mnt_probe_" });
    try {
      const m = await new Deno.Command("mount", {
        args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir],
        stderr: "piped",
      })
        .output();
      if (!m.success) {
        return `mount -t tmpfs is not permitted here (${short(new TextDecoder().decode(m.stderr), 60)})`;
      }
      await new Deno.Command("umount", { args: [dir] }).output();
      return null;
    } finally {
      await Deno.remove(dir).catch(() => {});
    }
  } catch (e) {
    return `cannot run mount (${short(messageOf(e), 60)})`;
  }
}

/** A tmpfs of `size` mounted for the duration of `fn` (the caller checked {@linkcode canMount}). */
export async function withTmpfs<T>(size: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_tmpfs_" });
  const m = await new Deno.Command("mount", { args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir] })
    .output();
  if (!m.success) throw new Error(`cannot mount a tmpfs on ${dir}`);
  try {
    return await fn(dir);
  } finally {
    await new Deno.Command("umount", { args: ["-l", dir] }).output();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Result of one case, for the table. */
export interface Row {
  group: string;
  name: string;
  expected: string;
  observed: string;
  pass: boolean;
  skipped?: string;
}

/** Runs the cases, at most `concurrency` at a time, each bounded to 180 s. */
export async function runMatrix(cases: Case[], concurrency = 2): Promise<Row[]> {
  const rows: Row[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      let outcome: Outcome;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        outcome = await Promise.race([
          c.run(),
          new Promise<Outcome>((resolve) => {
            timer = setTimeout(
              () => resolve({ observed: "did not finish within 180 s", pass: false }),
              180_000,
            );
          }),
        ]);
      } catch (e) {
        outcome = { observed: `the case itself failed: ${short(messageOf(e))}`, pass: false };
      } finally {
        clearTimeout(timer);
      }
      rows[i] = { group: c.group, name: c.name, expected: c.expected, ...outcome };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return rows;
}

/** The table: case, expected, observed, pass; then a summary line. */
export function formatTable(rows: Row[]): string {
  const cell = (s: string, w: number) => (s.length > w ? s.slice(0, w - 3) + "..." : s.padEnd(w));
  const lines = [
    `${cell("case", 58)}  ${cell("expected", 62)}  ${cell("observed", 80)}  pass`,
    `${"-".repeat(58)}  ${"-".repeat(62)}  ${"-".repeat(80)}  ----`,
  ];
  for (const r of rows) {
    const pass = r.skipped ? "skip" : r.pass ? "yes" : "NO";
    const observed = r.skipped ? `skipped: ${r.skipped}` : r.observed;
    lines.push(
      `${cell(`${r.group}: ${r.name}`, 58)}  ${cell(r.expected, 62)}  ${cell(observed, 80)}  ${pass}`,
    );
  }
  const passed = rows.filter((r) => r.pass && !r.skipped).length;
  const skipped = rows.filter((r) => r.skipped).length;
  const failed = rows.length - passed - skipped;
  lines.push(`${rows.length} cases: ${passed} pass, ${failed} fail, ${skipped} skipped (with the reason)`);
  return lines.join("\n");
}
