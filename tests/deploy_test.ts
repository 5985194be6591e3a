/**
 * deploy/: the Kubernetes Indexed Job manifest parses and is indexed; the Slurm array script is valid bash;
 * the container file pins Deno and installs from the lock; and the shard commands they run, given the
 * environment each scheduler gives its processes, produce together exactly the unsharded evaluation.
 * @module
 */
import assert from "node:assert/strict";
import * as yaml from "npm:js-yaml@5.5.0";
import { ROOT, runTask, taskEnv } from "./_task_env.ts";

const MANIFEST = `${ROOT}deploy/k8s/evaluate-job.yaml`;
const SLURM = `${ROOT}deploy/slurm/evaluate-array.sh`;

interface K8sJob {
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: {
      spec: {
        containers: {
          command: string[];
          args?: string[];
          env?: { name: string; value: string }[];
          volumeMounts?: { mountPath: string }[];
        }[];
      };
    };
  };
}

async function jobs(): Promise<K8sJob[]> {
  return yaml.loadAll(await Deno.readTextFile(MANIFEST)) as K8sJob[];
}

async function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    env: taskEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

Deno.test("deploy: the manifest is an Indexed Job whose shard count is its completions", async () => {
  const all = await jobs();
  const indexed = all.filter((j) => j.kind === "Job" && j.spec.completionMode === "Indexed");
  assert.equal(indexed.length, 1);
  const job = indexed[0];
  const c = job.spec.template.spec.containers[0];
  const count = c.env?.find((e) => e.name === "SENTILAB_SHARD_COUNT")?.value;
  assert.equal(Number(count), job.spec.completions);
  assert.ok([...c.command, ...(c.args ?? [])].join(" ").includes("deno task evaluate"));
  assert.ok(c.volumeMounts?.some((m) => m.mountPath === "/data"));
  const merge = all.find((j) => j.kind === "Job" && j !== job)!;
  assert.deepEqual(merge.spec.template.spec.containers[0].command.slice(0, 4), [
    "deno",
    "task",
    "merge",
    "/data/shards",
  ]);
});

Deno.test("deploy: the Slurm script is valid bash with an array; the container file pins Deno and the lock", async () => {
  await run("bash", ["-n", SLURM], {});
  const script = await Deno.readTextFile(SLURM);
  assert.match(script, /^#SBATCH --array=0-3$/m);
  const containerfile = await Deno.readTextFile(`${ROOT}deploy/Containerfile`);
  const version = Deno.version.deno;
  assert.match(
    containerfile,
    new RegExp(`^FROM denoland/deno:debian-${version.replaceAll(".", "\\.")}$`, "m"),
  );
  assert.match(containerfile, /RUN deno install --frozen/);
  assert.match(containerfile, /^COPY models\/ models\/$/m);
  assert.match(containerfile, /^COPY deno\.json deno\.lock \.\/$/m);
});

Deno.test("deploy: the Job's and the array's shard commands, with the schedulers' env vars, merge to the unsharded result", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-deploy-" });
  try {
    const data = `${dir}/corpus.jsonl`;
    await Deno.copyFile(`${ROOT}data/sample.jsonl`, data);
    const deno = Deno.execPath();
    const env = { HOME: dir, SENTILAB_DIR: `${dir}/store` };
    const whole = JSON.parse(
      await run(deno, ["task", "evaluate", "--data", data, "--workers", "1", "--json"], env),
    );

    // Kubernetes: the container's command from the manifest, /data on a temp dir, one process per index
    const job = (await jobs()).find((j) => j.spec.completionMode === "Indexed")!;
    const c = job.spec.template.spec.containers[0];
    const n = job.spec.completions!;
    // The pod's store (/tmp/sentilab-store in its own container) goes in the test's temp folder too, so a
    // run of this test leaves nothing in the machine's /tmp and shares no store with another run.
    const script = c.args![0].replaceAll("/data/", `${dir}/`).replace("exec deno ", `exec ${deno} `)
      .replace("--workers 2", "--workers 1").replace("/tmp/sentilab-store", `${dir}/k8s-store`);
    assert.ok(script.includes(`${dir}/k8s-store`), "the manifest's store path is replaced");
    const jobEnv = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    for (let i = 0; i < n; i++) {
      await run(c.command[0], [...c.command.slice(1), script], {
        ...env,
        ...jobEnv,
        JOB_COMPLETION_INDEX: String(i),
      });
    }
    const k8s = JSON.parse(await run(deno, ["task", "merge", `${dir}/shards`, "--json"], env));

    // Slurm: the array script itself, with the variables Slurm sets for --array=1-3
    for (const id of [1, 2, 3]) {
      await run("bash", [SLURM], {
        ...env,
        DENO: deno,
        CORPUS: data,
        SHARDS: `${dir}/slurm-shards`,
        SLURM_ARRAY_JOB_ID: "77",
        SLURM_ARRAY_TASK_ID: String(id),
        SLURM_ARRAY_TASK_MIN: "1",
        SLURM_ARRAY_TASK_COUNT: "3",
        SLURM_CPUS_PER_TASK: "1",
      });
    }
    const slurm = JSON.parse(await run(deno, ["task", "merge", `${dir}/slurm-shards`, "--json"], env));

    for (const merged of [k8s, slurm]) {
      assert.deepEqual(merged.metrics.confusionMatrix, whole.metrics.confusionMatrix);
      assert.deepEqual(merged.metrics, whole.metrics);
      assert.equal(merged.input.sha256, whole.data.sha256);
    }
    assert.equal(k8s.shards, n);
    assert.equal(slurm.shards, 3);
    assert.deepEqual(
      (await Array.fromAsync(Deno.readDir(`${dir}/slurm-shards`))).map((e) => e.name).sort(),
      ["shard-0-of-3.json", "shard-1-of-3.json", "shard-2-of-3.json"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task merge --group: shard processes sharing one store merge from it to the unsharded result", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab-deploy-" });
  try {
    const data = `${dir}/corpus.jsonl`;
    await Deno.copyFile(`${ROOT}data/sample.jsonl`, data);
    const deno = Deno.execPath();
    const env = { HOME: dir, SENTILAB_DIR: `${dir}/store` };
    const evaluate = ["task", "evaluate", "--data", data, "--workers", "1"];
    const whole = JSON.parse(await run(deno, [...evaluate, "--json"], env));
    // Slurm's variables pick the shard; no --out: each shard run keeps its partial result in the store
    for (const id of [0, 2]) {
      await run(deno, [...evaluate, "--group", "g3"], {
        ...env,
        SLURM_ARRAY_TASK_ID: String(id),
        SLURM_ARRAY_TASK_COUNT: "3",
      });
    }
    const missing = await runTask("tasks/merge.ts", ["--group", "g3"], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /group 'g3': 1 of 3 shards missing: shard 1\/3/);
    await run(deno, [...evaluate, "--group", "g3"], {
      ...env,
      SLURM_ARRAY_TASK_ID: "1",
      SLURM_ARRAY_TASK_COUNT: "3",
    });
    const merged = JSON.parse(await run(deno, ["task", "merge", "--group", "g3", "--json"], env));
    assert.equal(merged.shards, 3);
    assert.deepEqual(merged.metrics.confusionMatrix, whole.metrics.confusionMatrix);
    assert.deepEqual(merged.metrics, whole.metrics);
    assert.equal(merged.input.sha256, whole.data.sha256);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
