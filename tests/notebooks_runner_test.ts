/**
 * The notebooks and their runner. The committed notebooks must be clean and built on mod.ts only; the
 * runner (notebooks/run_notebooks.py, Debian's python3-nbclient, the repo-local Deno kernelspec) must
 * pass a good notebook, keep its outputs, and fail on an error cell or a missing expected output.
 * Executing the real notebooks is `deno task notebooks` (CI runs it); here the runner is tested on small
 * notebooks generated in a temp folder.
 */
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NOTEBOOKS = join(ROOT, "notebooks");
const RUNNER = join(NOTEBOOKS, "run_notebooks.py");
const PYTHON = "/usr/bin/python3";

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
  metadata?: Record<string, unknown>;
}

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}

/** nbformat saves multi-line strings as arrays of lines. */
function str(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join("") : value ?? "";
}

function source(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

async function committedNotebooks(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(NOTEBOOKS)) {
    if (e.isFile && e.name.endsWith(".ipynb")) names.push(e.name);
  }
  return names.sort();
}

/** Whether Debian's python with jupyter_client and nbformat is installed (python3-nbclient). */
async function hasNbclient(): Promise<boolean> {
  try {
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", "import jupyter_client, nbformat"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const NBCLIENT = await hasNbclient();
if (!NBCLIENT) {
  console.warn(
    "notebooks_runner_test: skipping the runner tests: /usr/bin/python3 cannot import jupyter_client and " +
      "nbformat (apt-get install -y --no-install-recommends python3-nbclient)",
  );
}

function notebook(cells: Array<[string, string]>): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    cells: cells.map(([type, text]) =>
      type === "md"
        ? { cell_type: "markdown", metadata: {}, source: text }
        : { cell_type: "code", metadata: {}, source: text, outputs: [], execution_count: null }
    ),
  });
}

async function runRunner(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(PYTHON, {
    args: [RUNNER, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(240_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Every module specifier a cell imports: static (`import x from`, `import "x"`), re-exports, dynamic. */
function importedSpecifiers(src: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gms,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]/g,
  ];
  return patterns.flatMap((re) => [...src.matchAll(re)].map((m) => m[1]));
}

Deno.test("importedSpecifiers finds static, side-effect, re-export and dynamic imports", () => {
  const src = [
    'import { a,\n  b } from "../mod.ts";',
    "import ffmpeg from 'npm:@ffmpeg-installer/ffmpeg@1.1.0';",
    'import "./side_effect.ts";',
    'export { c } from "../lib/video/mod.ts";',
    'const m = await import("npm:x@1");',
    'import { Buffer } from "node:buffer";',
  ].join("\n");
  assert.deepEqual(importedSpecifiers(src).sort(), [
    "../lib/video/mod.ts",
    "../mod.ts",
    "./side_effect.ts",
    "node:buffer",
    "npm:@ffmpeg-installer/ffmpeg@1.1.0",
    "npm:x@1",
  ]);
});

Deno.test("committed notebooks: the four of the issue, clean, built on mod.ts only, with checked outputs", async () => {
  const names = await committedNotebooks();
  for (const n of ["01_quickstart", "02_compare_models", "03_artifacts", "04_video"]) {
    assert.ok(names.includes(`${n}.ipynb`), `${n}.ipynb missing`);
  }
  for (const name of names) {
    const nb = JSON.parse(await Deno.readTextFile(join(NOTEBOOKS, name)));
    assert.equal(nb.metadata?.kernelspec?.name, "deno", `${name}: kernelspec`);
    const code = (nb.cells as Cell[]).filter((c) => c.cell_type === "code");
    assert.ok(code.length > 0, `${name}: no code`);
    let expecting = 0;
    code.forEach((cell, i) => {
      assert.deepEqual(
        cell.outputs,
        [],
        `${name} code cell ${i} has saved outputs: run the runner with --clean`,
      );
      assert.equal(cell.execution_count, null, `${name} code cell ${i} has an execution count`);
      const src = source(cell);
      for (const spec of importedSpecifiers(src)) {
        assert.ok(
          spec === "../mod.ts" || spec.startsWith("node:"),
          `${name} code cell ${i} imports '${spec}': notebooks import only ../mod.ts and node: built-ins ` +
            `(what they need from a dependency, mod.ts exports: e.g. ffmpegPath())`,
        );
      }
      if (/^\s*\/\/\s*expect-output/m.test(src)) expecting++;
    });
    assert.ok(code.some((c) => source(c).includes('from "../mod.ts"')), `${name} does not import ../mod.ts`);
    assert.ok(
      expecting >= code.length / 2,
      `${name}: only ${expecting} of ${code.length} cells check output`,
    );
  }
});

Deno.test({
  name: "runner: passes a good notebook with outputs kept, fails an error cell and a missing output",
  ignore: !NBCLIENT,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_nbrun_" });
  try {
    const display = new URL("../lib/display/mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      join(dir, "good.ipynb"),
      notebook([
        ["md", "# good"],
        ["code", `// expect-output\nconsole.log("cwd", Deno.cwd(), Deno.env.get("SENTILAB_DIR"));`],
        [
          "code",
          `// expect-output: text/html\nimport { metricsTable, show } from "${display}";\nawait show(metricsTable({ accuracy: 0.75 }));`,
        ],
        [
          "code",
          `// expect-output: image/svg+xml\nimport { confusionMatrixSvg } from "${display}";\nawait show(confusionMatrixSvg([[1, 0], [0, 1]], ["a", "b"]));`,
        ],
        ["code", "// expect-output: text/plain\n6 * 7"],
      ]),
    );
    await Deno.writeTextFile(
      join(dir, "error.ipynb"),
      notebook([["code", 'console.log("first");'], ["code", 'throw new Error("boom in cell 1");'], [
        "code",
        'console.log("never");',
      ]]),
    );
    await Deno.writeTextFile(
      join(dir, "silent.ipynb"),
      notebook([["code", "// expect-output\nconst x = 1;"]]),
    );
    await Deno.writeTextFile(
      join(dir, "wrongmime.ipynb"),
      notebook([["code", '// expect-output: image/svg+xml\nconsole.log("text, not a picture");']]),
    );
    const dirty = JSON.parse(notebook([["code", "1"]]));
    dirty.cells[0].outputs = [{ output_type: "stream", name: "stdout", text: "old\n" }];
    await Deno.writeTextFile(join(dir, "dirty.ipynb"), JSON.stringify(dirty));

    const good = await runRunner([join(dir, "good.ipynb"), "--output-dir", join(dir, "out")]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^ok\s+good\.ipynb: 4 code cells, 4 outputs/m);
    assert.match(good.stdout, /notebooks: 1 passed, 0 failed/);
    const executed = JSON.parse(await Deno.readTextFile(join(dir, "out", "good.ipynb")));
    const outs = (executed.cells as Cell[]).filter((c) => c.cell_type === "code").map((c) =>
      c.outputs as Output[]
    );
    const cwdLine = str(outs[0][0].text);
    assert.ok(cwdLine.startsWith(`cwd ${dir} `), `kernel cwd is the notebook's folder: ${cwdLine}`);
    assert.ok(
      !cwdLine.includes("undefined") && !cwdLine.trim().endsWith(" "),
      "SENTILAB_DIR is set to a temp store",
    );
    assert.ok(str(outs[1][0].data?.["text/html"]).includes("0.7500"));
    assert.ok(str(outs[2][0].data?.["image/svg+xml"]).startsWith("<svg"));
    assert.equal(str(outs[3][0].data?.["text/plain"]), "42");

    const bad = await runRunner([
      join(dir, "error.ipynb"),
      join(dir, "silent.ipynb"),
      join(dir, "wrongmime.ipynb"),
      join(dir, "dirty.ipynb"),
    ]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /^FAILED\s+error\.ipynb: cell 1 failed: Error: boom in cell 1/m);
    assert.ok(!bad.stdout.includes("never"), "execution stops at the failing cell");
    assert.match(
      bad.stdout,
      /^FAILED\s+silent\.ipynb: cell 0 is marked expect-output but produced no output/m,
    );
    assert.match(bad.stdout, /^FAILED\s+wrongmime\.ipynb: cell 0 should output image\/svg\+xml/m);
    assert.match(bad.stdout, /^FAILED\s+dirty\.ipynb: not clean: cell 0 has 1 saved output/m);
    assert.match(bad.stdout, /notebooks: 0 passed, 4 failed/);

    const cleaned = await runRunner(["--clean", join(dir, "dirty.ipynb")]);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "dirty.ipynb"))).cells[0].outputs, []);

    const missing = await runRunner(["no_such_notebook"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no notebook 'no_such_notebook'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * The executor of run_notebooks.py fed the message order the Deno 2.9.6 kernel sometimes produces: the
 * cell's `status: idle` and its execute_reply first, its `execute_result` afterwards (same parent msg_id).
 * A scripted client stands in for the kernel, so the order is exact every time.
 */
const LATE_OUTPUT_PY = `
import json, queue, sys
sys.path.insert(0, sys.argv[1])
import run_notebooks as rn

def msg(kind, parent, content):
    return {"header": {"msg_type": kind, "msg_id": kind + "-" + parent}, "parent_header": {"msg_id": parent},
            "content": content}

class Kernel:
    def is_alive(self): return True
    def interrupt_kernel(self): raise AssertionError("interrupted")

class Client:
    def __init__(self):
        self.iopub, self.shell, self.after_reply = [], [], []
    def execute(self, source, **kw):
        mid = "req-%d" % (len(self.shell) + 1)
        self.iopub += [msg("status", mid, {"execution_state": "busy"}),
                       msg("execute_input", mid, {"code": source, "execution_count": 1}),
                       msg("stream", mid, {"name": "stdout", "text": "before idle\\n"}),
                       msg("status", mid, {"execution_state": "idle"})]
        self.shell.append(msg("execute_reply", mid, {"status": "ok", "execution_count": 1}))
        # Sent by the kernel only after idle and the reply: a stray message of another request, then
        # this cell's result.
        self.after_reply = [msg("execute_result", "someone-else", {"data": {"text/plain": "'not ours'"}}),
                            msg("execute_result", mid, {"data": {"text/plain": "42"}, "metadata": {},
                                                        "execution_count": 1})]
        return mid
    def get_iopub_msg(self, timeout=None):
        if not self.iopub: raise queue.Empty()
        return self.iopub.pop(0)
    def get_shell_msg(self, timeout=None):
        if not self.shell: raise queue.Empty()
        self.iopub += self.after_reply
        self.after_reply = []
        return self.shell.pop(0)

ex = rn.Executor.__new__(rn.Executor)
ex.timeout, ex.grace, ex.by_msg, ex.km, ex.kc = 30.0, 0.3, {}, Kernel(), Client()
cell = ex.run_cell(0, "6 * 7")
print(json.dumps({"outputs": cell.outputs, "late": cell.late, "idle": cell.idle,
                  "execution_count": cell.execution_count, "error": cell.error}))
`;

Deno.test({
  name:
    "runner: a result sent after the cell's idle status (same parent msg_id) is kept (needs python3-nbclient)",
  ignore: !NBCLIENT,
}, async () => {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", LATE_OUTPUT_PY, NOTEBOOKS],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const dec = new TextDecoder();
  assert.ok(out.success, dec.decode(out.stderr));
  const r = JSON.parse(dec.decode(out.stdout).trim().split("\n").at(-1)!);
  assert.equal(r.idle, true);
  assert.equal(r.error, null);
  assert.equal(r.execution_count, 1);
  assert.deepEqual(r.outputs.map((o: Output) => o.output_type), ["stream", "execute_result"]);
  assert.equal(str(r.outputs[0].text), "before idle\n");
  assert.equal(str(r.outputs[1].data["text/plain"]), "42", "the late execute_result is kept");
  assert.equal(r.late, 1, "counted as late");
});

Deno.test("committed notebooks type-check against mod.ts (their code cells, concatenated)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sentilab_nbcheck_" });
  try {
    const modUrl = new URL("../mod.ts", import.meta.url).href;
    const files: string[] = [];
    for (const name of await committedNotebooks()) {
      const nb = JSON.parse(await Deno.readTextFile(join(NOTEBOOKS, name)));
      const code = (nb.cells as Cell[]).filter((c) => c.cell_type === "code")
        .map((c, i) =>
          `// --- ${name} code cell ${i}\n${source(c).replaceAll('"../mod.ts"', `"${modUrl}"`)}`
        );
      const file = join(dir, name.replace(/\.ipynb$/, ".ts"));
      await Deno.writeTextFile(file, code.join("\n\n") + "\nexport {};\n");
      files.push(file);
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--config", join(ROOT, "deno.json"), ...files],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(180_000),
    }).output();
    assert.ok(
      out.success,
      `notebook code does not type-check:\n${new TextDecoder().decode(out.stderr).slice(-4000)}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
