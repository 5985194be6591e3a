/** A shard of an input: rows whose 0-based index `i` (in input order) has `i % count === index`. */
export interface Shard {
  /** 0-based index, below `count`. */
  index: number;
  /** Number of shards. */
  count: number;
}

/** Options for {@linkcode resolveShard}. */
export interface ResolveShardOptions {
  /** `I/N` as given to `--shard` (wins over the environment). */
  shard?: string;
  /** `N` as given to `--shard-count` (for a Kubernetes Indexed Job). */
  shardCount?: string;
  /** The environment (default: `Deno.env.toObject()`). */
  env?: Record<string, string | undefined>;
}

const INT = /^\d+$/;

/**
 * Which shard of the input this process handles: `--shard I/N`, else the scheduler's environment:
 * a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, with N from `--shard-count` or `SENTILAB_SHARD_COUNT`,
 * i.e. the Job's `completions`) or a Slurm job array (`SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`,
 * N = `SLURM_ARRAY_TASK_COUNT`). Row `i` of the input (0-based, input order) belongs to shard `i % N`:
 * every row is in exactly one shard and the same `I/N` always gets the same rows.
 *
 * @param options The flags and the environment.
 * @returns The shard, or null when nothing asks for one.
 * @throws {Error} Naming the flag or variable that is malformed, out of range, or missing its count.
 * @example
 * ```ts
 * import { resolveShard } from "./mod.ts";
 * console.log(resolveShard({ shard: "2/4", env: {} })); // { index: 2, count: 4 }
 * console.log(resolveShard({ env: { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4" } }));
 * // { index: 2, count: 4 }
 * ```
 */
export function resolveShard(options: ResolveShardOptions = {}): Shard | null {
  const env = options.env ?? Deno.env.toObject();
  const check = (index: number, count: number, where: string): Shard => {
    if (!(count >= 1) || !(index >= 0 && index < count)) {
      throw new Error(`${where}: shard ${index} of ${count} is out of range; use 0 <= I < N`);
    }
    return { index, count };
  };
  if (options.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(options.shard.trim());
    if (!m) {
      throw new Error(
        `--shard ${JSON.stringify(options.shard)}: use I/N, e.g. --shard 0/4 (I from 0 to N-1)`,
      );
    }
    return check(Number(m[1]), Number(m[2]), `--shard ${options.shard}`);
  }
  const countOf = (value: string | undefined, where: string): number => {
    if (value === undefined || !INT.test(value.trim()) || Number(value) < 1) {
      throw new Error(`${where} must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined && k8s !== "") {
    if (!INT.test(k8s.trim())) {
      throw new Error(`JOB_COMPLETION_INDEX must be an integer, got ${JSON.stringify(k8s)}`);
    }
    const count = options.shardCount !== undefined
      ? countOf(options.shardCount, "--shard-count")
      : env.SENTILAB_SHARD_COUNT !== undefined
      ? countOf(env.SENTILAB_SHARD_COUNT, "SENTILAB_SHARD_COUNT")
      : null;
    if (count === null) {
      throw new Error(
        "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but not the number of shards: pass " +
          "--shard-count N or set SENTILAB_SHARD_COUNT to the Job's completions",
      );
    }
    return check(Number(k8s), count, "JOB_COMPLETION_INDEX");
  }
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (slurm !== undefined && slurm !== "") {
    if (!INT.test(slurm.trim())) {
      throw new Error(`SLURM_ARRAY_TASK_ID must be an integer, got ${JSON.stringify(slurm)}`);
    }
    const count = options.shardCount !== undefined
      ? countOf(options.shardCount, "--shard-count")
      : countOf(env.SLURM_ARRAY_TASK_COUNT, "SLURM_ARRAY_TASK_COUNT");
    const min = env.SLURM_ARRAY_TASK_MIN === undefined
      ? 0
      : countOf(String(Number(env.SLURM_ARRAY_TASK_MIN) + 1), "SLURM_ARRAY_TASK_MIN") - 1;
    return check(Number(slurm) - min, count, "SLURM_ARRAY_TASK_ID");
  }
  if (options.shardCount !== undefined) {
    throw new Error(
      "--shard-count needs a shard index: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or " +
        "SLURM_ARRAY_TASK_ID; or pass --shard I/N",
    );
  }
  return null;
}
