/**
 * Helpers for tests that run a task (tasks/*.ts) as a subprocess, the way a user does: the repository
 * root, Deno's cache for a child whose HOME is moved, a W&B URL nothing listens on, and a run with a clean
 * environment.
 * @module
 */

/** The repository root (tasks run with it as their working directory). */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/**
 * `deno run` flags that give a child the project's config: its lock (npm versions resolved without asking
 * the registry) and node_modules. A child script outside the repository (a temp file) finds no config by
 * itself and would resolve npm packages over the network; no test may need the network.
 */
export const PROJECT_CONFIG: string[] = ["--config", `${ROOT}deno.json`];

/**
 * The `deno run` flag for children: use node_modules as `deno install` (or the parent `deno test`) left it.
 * With "auto" every child takes node_modules' lock to check it, and under load a child prints "Blocking
 * waiting for file lock on node_modules directory" into the stderr that tests compare.
 */
export const NODE_MODULES_AS_INSTALLED = "--node-modules-dir=manual";

/** Deno's cache, so that a child with HOME moved to a temp dir still finds the npm packages. */
export const DENO_DIR: string = Deno.env.get("DENO_DIR") ??
  JSON.parse(
    new TextDecoder().decode(
      new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).outputSync().stdout,
    ),
  ).denoDir as string;

/** A loopback URL nothing listens on: a W&B client pointed there fails fast and never leaves the machine. */
export function closedUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

/** What a finished task printed and its exit code. */
export interface TaskOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A <script> ...args` from {@linkcode ROOT} with a clean environment: only NO_COLOR,
 * RUST_BACKTRACE=0, DENO_DIR, WANDB_BASE_URL on a closed loopback port, `env` (the test gives HOME, the
 * store ...) and the parent's PATH (which wins over `env`), so no run can reach the real W&B or read the
 * user's credentials. stdin is closed.
 */
export async function runTask(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<TaskOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", NODE_MODULES_AS_INSTALLED, script, ...args],
    cwd: ROOT,
    env: taskEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: withoutLockWait(new TextDecoder().decode(out.stderr)),
  };
}

/**
 * stderr without Deno's own "Blocking waiting for file lock on node_modules directory" line, printed
 * before the program starts when another deno process of the test suite holds node_modules' lock: it is
 * not the task's output.
 */
function withoutLockWait(stderr: string): string {
  return stderr.replace(/^Blocking waiting for file lock on node_modules directory\n/gm, "");
}

/**
 * The clean environment of {@linkcode runTask}: NO_COLOR, RUST_BACKTRACE=0, DENO_DIR, WANDB_BASE_URL on a
 * closed loopback port, `env`, and the parent's PATH (which wins over `env`). Pass it with `clearEnv: true`.
 */
export function taskEnv(env: Record<string, string>): Record<string, string> {
  const childEnv: Record<string, string> = {
    NO_COLOR: "1",
    RUST_BACKTRACE: "0",
    DENO_DIR,
    WANDB_BASE_URL: closedUrl(),
    ...env,
  };
  const path = Deno.env.get("PATH");
  if (path !== undefined) childEnv.PATH = path;
  return childEnv;
}

/** What a child process printed and how it ended. */
export interface ChildEnd {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A --config deno.json ...args` from {@linkcode ROOT} with {@linkcode taskEnv}`(env)`;
 * with `signal`, sends it once the child printed a line "ready" (several: the next ones 300 ms apart).
 * Killed after 60 s (bounded).
 */
export async function runChild(
  args: string[],
  env: Record<string, string>,
  signal?: Deno.Signal | Deno.Signal[],
): Promise<ChildEnd> {
  const signals = signal === undefined ? [] : Array.isArray(signal) ? [...signal] : [signal];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", NODE_MODULES_AS_INSTALLED, "--config", "deno.json", ...args],
    cwd: ROOT,
    env: taskEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
    if (signals.length && stdout.includes("ready\n")) {
      signals.forEach((sig, i) =>
        setTimeout(() => {
          try {
            child.kill(sig);
          } catch { /* already gone */ }
        }, 300 * i)
      );
      signals.length = 0;
    }
  }
  const status = await child.status;
  clearTimeout(timer);
  return { code: status.code, signal: status.signal, stdout, stderr: withoutLockWait(await stderr) };
}
