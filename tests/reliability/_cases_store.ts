// The store under faults: processes killed mid-write, concurrent writers, a damaged database, blobs
// changed or deleted on disk, manifests naming paths outside the target, read-only media, a full disk.
import { DatabaseSync } from "node:sqlite";
import { chmodSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import {
  finishRun,
  getHistory,
  getRun,
  initRun,
  listArtifactVersions,
  listRuns,
  logArtifact,
  logMetrics,
  openStore,
  type Run,
  useArtifact,
  type UsedArtifact,
} from "../../lib/tracking/mod.ts";
import {
  canMount,
  type Case,
  child,
  LIB,
  MANUAL,
  type Outcome,
  rejects,
  short,
  task,
  withTemp,
  withTmpfs,
} from "./_matrix.ts";
import { warnings } from "../_warnings.ts";

/** A store in `dir/store` holding one finished run and artifact data:v0 (file a.txt). */
async function seeded(dir: string): Promise<string> {
  await Deno.writeTextFile(`${dir}/a.txt`, "the right content\n");
  const run = await initRun({ dir: `${dir}/store`, strict: true, captureConsole: false });
  logMetrics(run, { loss: 0.5 });
  await logArtifact(run, { name: "data", type: "dataset", files: [`${dir}/a.txt`] });
  await finishRun(run);
  return run.id;
}

function allJson(db: string): boolean {
  const d = new DatabaseSync(db, { readOnly: true });
  try {
    for (const r of d.prepare("SELECT data FROM history").all()) JSON.parse(String(r.data));
    return true;
  } catch {
    return false;
  } finally {
    d.close();
  }
}

/** Replaces store.db with `bytes` (after checkpointing), for the damaged-database cases. */
async function damage(dir: string, bytes: Uint8Array): Promise<void> {
  openStore({ dir: `${dir}/store` }).close();
  for (const f of ["store.db-wal", "store.db-shm"]) await Deno.remove(`${dir}/store/${f}`).catch(() => {});
  await Deno.writeFile(`${dir}/store/store.db`, bytes);
}

const DAMAGES: [string, Uint8Array][] = [["emptied", new Uint8Array()], [
  "overwritten with garbage",
  new Uint8Array(8192).fill(7),
]];

const mountable = canMount();
/** Twenty numeric fields: rows big enough to fill pages quickly. */
const PAD = Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`pad${k}`, k]));

function onTmpfs(size: string, fn: (dir: string) => Promise<Outcome>): () => Promise<Outcome> {
  return async () => {
    const why = await mountable;
    if (why) return { observed: "", pass: true, skipped: why };
    return await withTmpfs(size, fn);
  };
}

async function fill(dir: string): Promise<void> {
  const f = await Deno.open(`${dir}/filler`, { write: true, create: true });
  try {
    const chunk = new Uint8Array(64 * 1024);
    for (;;) await f.write(chunk);
  } catch {
    /* ENOSPC: the disk is full */
  } finally {
    f.close();
  }
}

/** A blob case: data:v0 used by a strict run, its blob of a.txt changed or deleted on disk first. */
function blobCase(
  name: string,
  expected: string,
  fault: "tamper" | "delete",
  check: (used: UsedArtifact, dir: string, run: Run) => Promise<Outcome>,
): Case {
  return {
    group: "blobs",
    name,
    expected,
    run: () =>
      withTemp(async (dir) => {
        await seeded(dir);
        const run = await initRun({ dir: `${dir}/store`, strict: true, captureConsole: false });
        try {
          const used = (await useArtifact(run, "data:v0"))!;
          const blob = used.path("a.txt");
          if (fault === "delete") await Deno.remove(blob);
          else {
            chmodSync(blob, 0o644);
            writeFileSync(blob, "tampered!!!!!!!!!!\n");
          }
          return await check(used, dir, run);
        } finally {
          await finishRun(run);
        }
      }),
  };
}

export const STORE_CASES: Case[] = [
  {
    group: "kill",
    name: "SIGKILL mid-metrics",
    expected: "every returned call stored; run crashed",
    run: () =>
      withTemp(async (dir) => {
        const r = await child(
          dir,
          `import { initRun, logMetrics } from "${LIB}";
const run = await initRun({ dir: Deno.args[0], strict: true, captureConsole: false });
console.log(run.id);
for (let step = 0; step < 3000; step++) { logMetrics(run, { loss: 1 / (step + 1) }, { step }); console.log(step); }
Deno.kill(Deno.pid, "SIGKILL");`,
          [`${dir}/store`],
        );
        const lines = r.stdout.trim().split("\n");
        const id = lines.shift()!;
        const steps = new Set(getHistory(id, { dir: `${dir}/store` }).map((h) => h.step));
        const missing = lines.map(Number).filter((s) => !steps.has(s));
        const status = getRun(id, { dir: `${dir}/store` })?.status;
        return {
          observed: `${r.signal}; ${steps.size} of ${lines.length} stored; ${status}`,
          pass: missing.length === 0 && status === "crashed",
        };
      }),
  },
  {
    group: "kill",
    name: "torn journal record (a short write), then SIGKILL",
    expected: "torn record skipped; records around it kept",
    run: () =>
      withTemp(async (dir) => {
        const r = await child(
          dir,
          `import { initRun, logMetrics } from "${LIB}";
const dir = Deno.args[0];
const run = await initRun({ dir, strict: true, captureConsole: false });
logMetrics(run, { a: 1 }, { step: 0 });
const journal = dir + "/journal/" + run.id + ".log";
const text = Deno.readTextFileSync(journal);
const last = text.split("\\n").filter((l) => l !== "").pop()!;
const record = text.endsWith("\\n") ? last + "\\n" : "\\n" + last;
Deno.writeTextFileSync(journal, record.slice(0, 9), { append: true });
logMetrics(run, { a: 2 }, { step: 1 });
console.log(run.id);
Deno.kill(Deno.pid, "SIGKILL");`,
          [`${dir}/store`],
        );
        const id = r.stdout.trim();
        const values = getHistory(id, { dir: `${dir}/store` }).map((h) => h.values.a);
        return {
          observed: `history a = ${JSON.stringify(values)}`,
          pass: JSON.stringify(values) === "[1,2]" && allJson(`${dir}/store/store.db`),
        };
      }),
  },
  {
    group: "kill",
    name: "SIGKILL mid-logTable",
    expected: "no table shown; its chunks reclaimed",
    run: () =>
      withTemp(async (dir) => {
        await child(
          dir,
          `import { initRun, logTable } from "${LIB}";
const run = await initRun({ dir: Deno.args[0], strict: true, captureConsole: false });
const data = Array.from({ length: 80_000 }, (_, i) => [i]);
const rows = new Proxy(data, { get(t, p, r) { if (p === "60000") Deno.kill(Deno.pid, "SIGKILL"); return Reflect.get(t, p, r); } });
await logTable(run, "big", { columns: ["i"], rows });`,
          [`${dir}/store`],
        );
        openStore({ dir: `${dir}/store` }).close();
        const db = new DatabaseSync(`${dir}/store/store.db`, { readOnly: true });
        const chunks = Number(db.prepare("SELECT COUNT(*) AS n FROM table_chunks").get()!.n);
        db.close();
        const run = getRun(listRuns({ dir: `${dir}/store` })[0].id, { dir: `${dir}/store` })!;
        return {
          observed: `${run.status}; ${run.tables.length} tables; ${chunks} chunks left`,
          pass: chunks === 0 && run.tables.length === 0,
        };
      }),
  },
  {
    group: "kill",
    name: "SIGKILL mid-logArtifact (200 files)",
    expected: "no half version; the store opens",
    run: () =>
      withTemp(async (dir) => {
        await Deno.mkdir(`${dir}/many`);
        for (let i = 0; i < 200; i++) {
          await Deno.writeTextFile(`${dir}/many/f${i}.txt`, `file ${i}\n`.repeat(2000));
        }
        await child(
          dir,
          `import { initRun, logArtifact } from "${LIB}";
const run = await initRun({ dir: Deno.args[0], strict: true, captureConsole: false });
// killed while the files are being copied in (between two files: hashing awaits)
setTimeout(() => Deno.kill(Deno.pid, "SIGKILL"), 40);
await logArtifact(run, { name: "many", type: "dataset", files: [Deno.args[1]] });
Deno.kill(Deno.pid, "SIGKILL");`,
          [`${dir}/store`, `${dir}/many`],
        );
        const versions = listArtifactVersions("many", { dir: `${dir}/store` });
        const count = versions.length;
        // a version that exists is whole: every blob is there and intact
        let whole = true;
        const run = await initRun({ dir: `${dir}/store`, strict: true, captureConsole: false });
        for (const v of versions) {
          const used = await useArtifact(run, v.ref);
          for (const f of used!.files()) {
            used!.path(f);
          }
          whole = whole && used!.files().length === 200;
        }
        await finishRun(run);
        return { observed: `${count} versions (${whole ? "whole" : "HALF"})`, pass: whole };
      }),
  },
  {
    group: "concurrency",
    name: "8 processes log versions of one name",
    expected: "v0..v7, no gaps, no duplicates",
    run: () =>
      withTemp(async (dir) => {
        await Deno.writeTextFile(
          `${dir}/w.ts`,
          `import { finishRun, initRun, logArtifact } from "${LIB}";
const [store, i, root] = Deno.args;
await Deno.writeTextFile(root + "/file-" + i + ".txt", "content " + i);
const run = await initRun({ dir: store, strict: true, captureConsole: false });
await logArtifact(run, { name: "shared", type: "dataset", files: [root + "/file-" + i + ".txt"] });
await finishRun(run);`,
        );
        const { PROJECT_CONFIG, ROOT } = await import("../_task_env.ts");
        const outs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
          new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              ...PROJECT_CONFIG,
              MANUAL,
              `${dir}/w.ts`,
              `${dir}/store`,
              String(i),
              dir,
            ],
            cwd: ROOT,
            stdout: "null",
            stderr: "piped",
            signal: AbortSignal.timeout(120_000),
          }).output()));
        const errors = outs.filter((o) => !o.success).map((o) =>
          short(new TextDecoder().decode(o.stderr), 60)
        );
        const versions = listArtifactVersions("shared", { dir: `${dir}/store` }).map((v) => v.version).sort((
          a,
          b,
        ) => a - b);
        return {
          observed: `versions ${versions.join(",")}${errors.length ? `; ${errors[0]}` : ""}`,
          pass: versions.join(",") === "0,1,2,3,4,5,6,7",
        };
      }),
  },
  ...DAMAGES.map(([what, bytes]): Case => ({
    group: "damaged db",
    name: `store.db ${what}: listRuns`,
    expected: "'database is damaged', where, restore or move aside",
    run: () =>
      withTemp(async (dir) => {
        await seeded(dir);
        await damage(dir, bytes);
        return await rejects(
          () => listRuns({ dir: `${dir}/store` }),
          /store\.db' is damaged.*Restore it from a backup, or move it aside/,
        );
      }),
  })),
  {
    group: "damaged db",
    name: "store.db garbage: a new run",
    expected: "one warning, console backend, file not written",
    run: () =>
      withTemp(async (dir) => {
        await seeded(dir);
        const bytes = new Uint8Array(8192).fill(7);
        await damage(dir, bytes);
        let backend = "";
        const seen = await warnings(async () => {
          const run = await initRun({ dir: `${dir}/store`, tracker: "local", captureConsole: false });
          backend = run.backend;
          logMetrics(run, { a: 1 });
          await finishRun(run);
        });
        const same = (await Deno.readFile(`${dir}/store/store.db`)).every((b) => b === 7);
        return {
          observed: `${backend}; unchanged ${same}; ${short(seen.join(" "), 50)}`,
          pass: backend === "console" && same && /is damaged/.test(seen.join(" ")),
        };
      }),
  },
  {
    group: "damaged db",
    name: "store.db emptied: deno task runs",
    expected: "exit 1 with the damaged message (not 'No runs.')",
    run: () =>
      withTemp(async (dir) => {
        await seeded(dir);
        await damage(dir, new Uint8Array());
        const r = await task("runs", [], dir);
        return {
          observed: `exit ${r.code}: ${short(r.stderr, 70)}`,
          pass: r.code === 1 && /is damaged/.test(r.stderr) && !/No runs/.test(r.stdout),
        };
      }),
  },
  blobCase(
    "blob changed on disk: path()",
    "error naming data:v0 and a.txt",
    "tamper",
    (used) => rejects(() => used.path("a.txt"), /data:v0: file 'a\.txt' was changed on disk/),
  ),
  blobCase("blob changed on disk: download()", "refused, nothing written", "tamper", async (used, dir) => {
    const out = await rejects(() => used.download(`${dir}/out`), /changed on disk/);
    return { ...out, pass: out.pass && !existsSync(`${dir}/out/a.txt`) };
  }),
  blobCase(
    "blob changed on disk, then logged again",
    "the stored copy is repaired",
    "tamper",
    async (used, dir, run) => {
      await logArtifact(run, { name: "data", type: "dataset", files: [`${dir}/a.txt`] });
      const text = await Deno.readTextFile(used.path("a.txt"));
      return { observed: JSON.stringify(text), pass: text === "the right content\n" };
    },
  ),
  blobCase(
    "blob deleted",
    "error naming data:v0 and a.txt (not ENOENT)",
    "delete",
    (used, dir) =>
      rejects(() => used.download(`${dir}/out`), /data:v0: file 'a\.txt' is missing from the store/),
  ),
  ...["../../../escape.txt", "a\\..\\..\\b.txt", "x\u0007.txt"].map((name): Case => ({
    group: "manifest",
    name: `manifest name ${JSON.stringify(name)}: download()`,
    expected: "refused; nothing written anywhere",
    run: () =>
      withTemp(async (dir) => {
        await seeded(dir);
        const db = new DatabaseSync(`${dir}/store/store.db`);
        const m = JSON.parse(String(db.prepare("SELECT manifest FROM artifact_versions").get()!.manifest));
        m.contents = { [name]: m.contents["a.txt"] };
        db.prepare("UPDATE artifact_versions SET manifest = ?").run(JSON.stringify(m));
        db.close();
        const run = await initRun({ dir: `${dir}/store`, strict: true, captureConsole: false });
        const used = (await useArtifact(run, "data:v0"))!;
        await Deno.mkdir(`${dir}/t/u/v`, { recursive: true });
        const out = await rejects(() => used.download(`${dir}/t/u/v`), /file name/);
        await finishRun(run);
        const clean = readdirSync(`${dir}/t/u/v`).length === 0 && !existsSync(`${dir}/escape.txt`) &&
          !existsSync(`${dir}/t/escape.txt`);
        return { ...out, pass: out.pass && clean };
      }),
  })),
  {
    group: "read-only",
    name: "store on read-only media: listRuns, getRun, history",
    expected: "readable; nothing written",
    run: onTmpfs("16m", async (mnt) => {
      const id = await seeded(mnt);
      openStore({ dir: `${mnt}/store` }).close();
      const r = await new Deno.Command("mount", { args: ["-o", "remount,ro", mnt] }).output();
      if (!r.success) return { observed: "", pass: true, skipped: "cannot remount the tmpfs read-only" };
      const runs = listRuns({ dir: `${mnt}/store`, readOnly: true });
      const hist = getHistory(id, { dir: `${mnt}/store`, readOnly: true });
      return {
        observed: `${runs.length} run, ${hist.length} history row`,
        pass: runs.length === 1 && hist.length === 1,
      };
    }),
  },
  {
    group: "read-only",
    name: "store on read-only media: deno task runs",
    expected: "exit 0, the run listed",
    run: onTmpfs("16m", async (mnt) => {
      const id = await seeded(mnt);
      openStore({ dir: `${mnt}/store` }).close();
      await new Deno.Command("mount", { args: ["-o", "remount,ro", mnt] }).output();
      const r = await task("runs", [], mnt);
      return {
        observed: `exit ${r.code}: ${short(r.stderr || r.stdout, 60)}`,
        pass: r.code === 0 && r.stdout.includes(id),
      };
    }),
  },
  {
    group: "ENOSPC",
    name: "full disk mid-metrics (strict), then SIGKILL",
    expected: "every returned call stored; valid JSON only",
    run: onTmpfs("4m", async (mnt) => {
      const r = await child(
        mnt,
        `import { initRun, logMetrics } from "${LIB}";
const dir = Deno.args[0];
const run = await initRun({ dir: dir + "/store", strict: true, captureConsole: false });
console.log(run.id);
const f = Deno.openSync(dir + "/filler", { write: true, create: true });
try { for (;;) f.writeSync(new Uint8Array(16384)); } catch { /* full */ }
// leave 96 KB: some calls return, then the disk is full mid-run
f.truncateSync(Math.max(0, f.statSync().size - 96 * 1024));
f.close();
let failed = 0;
for (let step = 0; step < 5000 && failed < 50; step++) {
  try { logMetrics(run, { loss: step / 7, ...Object.fromEntries(Array.from({ length: 20 }, (_, k) => ["k" + k, k])) }, { step }); console.log(step); } catch { failed++; }
}
console.error("failed " + failed);
Deno.kill(Deno.pid, "SIGKILL");`,
        [mnt],
      );
      await Deno.remove(`${mnt}/filler`);
      const lines = r.stdout.trim().split("\n");
      const id = lines.shift()!;
      const stored = new Set(getHistory(id, { dir: `${mnt}/store` }).map((h) => h.step));
      const lost = lines.map(Number).filter((s) => !stored.has(s));
      const failed = /failed (\d+)/.exec(r.stderr)?.[1];
      return {
        observed: `${lines.length} returned, ${failed} refused, ${lost.length} lost`,
        pass: lines.length > 0 && lost.length === 0 && Number(failed) > 0 && allJson(`${mnt}/store/store.db`),
      };
    }),
  },
  {
    group: "ENOSPC",
    name: "full disk: getRun while the flush fails",
    expected: "no throw (non-strict reads)",
    run: onTmpfs("4m", async (mnt) => {
      const run = await initRun({ dir: `${mnt}/store`, captureConsole: false });
      logMetrics(run, { a: 1 });
      await fill(mnt);
      for (let i = 0; i < 300; i++) logMetrics(run, { a: i, ...PAD });
      let observed = "returned";
      let pass = true;
      try {
        getRun(run.id, { dir: `${mnt}/store` });
      } catch (e) {
        observed = short(String(e));
        pass = false;
      }
      await Deno.remove(`${mnt}/filler`);
      await finishRun(run);
      return { observed, pass };
    }),
  },
  {
    group: "ENOSPC",
    name: "full disk during logArtifact (strict)",
    expected: "clear error; no version; no .part left",
    run: onTmpfs("4m", async (mnt) => {
      await Deno.writeFile(`${mnt}/big.bin`, new Uint8Array(1024 * 1024).fill(1));
      const run = await initRun({ dir: `${mnt}/store`, strict: true, captureConsole: false });
      await fill(mnt);
      const out = await rejects(
        () => logArtifact(run, { name: "big", type: "dataset", files: [`${mnt}/big.bin`] }),
        /Cannot copy .*big\.bin.*into the store|No space left|disk is full/i,
      );
      await Deno.remove(`${mnt}/filler`);
      await finishRun(run);
      const parts = readdirSync(`${mnt}/store/tmp`).filter((n) => n.endsWith(".part")).length;
      const versions = listArtifactVersions("big", { dir: `${mnt}/store` }).length;
      return {
        observed: `${out.observed.slice(0, 50)}; ${versions} versions, ${parts} .part`,
        pass: out.pass && parts === 0 && versions === 0,
      };
    }),
  },
];
