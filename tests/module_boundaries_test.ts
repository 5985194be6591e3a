/**
 * How the modules of lib/ depend on each other: lib/tracking (the ground floor) imports nothing outside
 * itself but lib/_fs; lib/sentiment, lib/display and lib/_fs import no other module of lib/ beyond lib/_fs;
 * every other module reaches tracking one way (a static import of ../tracking/mod.ts); deno.json exports a
 * subpath per module, so `@sentilab/sentilab/tracking` loads without onnxruntime.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { DENO_DIR, ROOT } from "./_task_env.ts";

const LIB = join(ROOT, "lib");

function tsFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or with `import()`; comments skipped. */
function specifiers(file: string): { spec: string; dynamic: boolean }[] {
  const code = Deno.readTextFileSync(file).replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: { spec: string; dynamic: boolean }[] = [];
  for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']/g)) {
    out.push({ spec: m[1], dynamic: false });
  }
  for (const m of code.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g)) {
    out.push({ spec: m[1], dynamic: false });
  }
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
    out.push({ spec: m[1], dynamic: true });
  }
  return out;
}

/** The lib/ module (first folder under lib/) a relative specifier of `file` lands in, else null. */
function moduleOf(file: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const target = relative(LIB, resolve(dirname(file), spec));
  return target.startsWith("..") ? "(outside lib)" : target.split("/")[0];
}

Deno.test("lib/tracking imports nothing outside itself (but lib/_fs); the ground floors import no module", () => {
  const allowed: Record<string, string[]> = {
    tracking: ["tracking", "_fs"],
    sentiment: ["sentiment"],
    display: ["display", "_fs"],
    _fs: ["_fs"],
  };
  const bad: string[] = [];
  for (const [mod, ok] of Object.entries(allowed)) {
    for (const file of tsFiles(join(LIB, mod))) {
      for (const { spec } of specifiers(file)) {
        const target = moduleOf(file, spec);
        if (target !== null && !ok.includes(target)) bad.push(`${relative(ROOT, file)} -> ${spec}`);
        if (mod === "_fs" && !spec.startsWith("node:") && target === null) {
          bad.push(`${relative(ROOT, file)} -> ${spec}`);
        }
      }
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("every other module reaches tracking one way: a static import of ../tracking/mod.ts", () => {
  const bad: string[] = [];
  let users = 0;
  for (const file of tsFiles(LIB)) {
    if (relative(LIB, file).startsWith("tracking/")) continue;
    for (const { spec, dynamic } of specifiers(file)) {
      if (moduleOf(file, spec) !== "tracking") continue;
      users++;
      const deep = relative(join(LIB, "tracking"), resolve(dirname(file), spec)) !== "mod.ts";
      if (deep || dynamic) bad.push(`${relative(ROOT, file)} -> ${dynamic ? "import(" : ""}${spec}`);
    }
  }
  assert.ok(users > 5, `${users} imports of tracking found: the scan works`);
  assert.deepEqual(bad, []);
});

function npmPackagesOf(path: string): string[] {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", path],
    cwd: ROOT,
    env: { DENO_DIR, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { kind?: string; npmPackage?: string }[];
  };
  return graph.modules.filter((m) => m.kind === "npm").map((m) => m.npmPackage!.replace(/@[^@]+$/, ""));
}

Deno.test("deno.json exports a subpath per module; ./tracking loads without onnxruntime", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const exports = config.exports as Record<string, string>;
  assert.equal(exports["."], "./mod.ts");
  const modules = [...Deno.readDirSync(LIB)].filter((e) => e.isDirectory && !e.name.startsWith("_"))
    .map((e) => e.name).sort();
  for (const m of modules) {
    assert.equal(exports[`./${m}`], `./lib/${m}/mod.ts`, `deno.json exports ./${m}`);
  }
  assert.ok(
    !npmPackagesOf(exports["./tracking"]).includes("onnxruntime-node"),
    "tracking without onnxruntime",
  );
  assert.ok(!npmPackagesOf(exports["./sentiment"]).length, "the sentiment core has no npm dependency");
  assert.ok(npmPackagesOf(exports["./models"]).includes("onnxruntime-node"), "the check sees onnxruntime");

  // and a user's import by the package name resolves the subpath and works
  const probe = join(ROOT, `.probe_${crypto.randomUUID().slice(0, 8)}.ts`);
  await Deno.writeTextFile(
    probe,
    'const t = await import("@sentilab/sentilab/tracking");\n' +
      'const run = await t.initRun({ tracker: "disabled" });\nawait t.finishRun(run);\n' +
      "console.log(run.backend);\n",
  );
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", probe],
      cwd: ROOT,
      env: { DENO_DIR, NO_COLOR: "1" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "disabled");
  } finally {
    await Deno.remove(probe);
  }
});

Deno.test("deno doc mod.ts prints no type-resolution warnings", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "mod.ts"],
    cwd: ROOT,
    env: { DENO_DIR, NO_COLOR: "1" },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0);
  assert.equal(new TextDecoder().decode(out.stderr).trim(), "");
});
