/**
 * writeAtomic (lib/_fs): the one write-then-rename of the project.
 * @module
 */
import assert from "node:assert/strict";
import { writeAtomic } from "../lib/_fs/write_atomic.ts";

Deno.test("writeAtomic writes text, bytes and writer output, and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeAtomic(`${dir}/sub/a.txt`, "héllo", { mkdir: true });
    assert.equal(await Deno.readTextFile(`${dir}/sub/a.txt`), "héllo");
    await writeAtomic(`${dir}/sub/a.txt`, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...await Deno.readFile(`${dir}/sub/a.txt`)], [1, 2, 3]);
    await writeAtomic(`${dir}/b.svg`, async (tmp) => {
      assert.ok(tmp.endsWith(".svg"), "the temporary file keeps the extension");
      await Deno.writeTextFile(tmp, "<svg/>");
    });
    assert.equal(await Deno.readTextFile(`${dir}/b.svg`), "<svg/>");
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["b.svg", "sub"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeAtomic: a failed write keeps the old file whole and removes the temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeAtomic(`${dir}/keep.txt`, "old");
    await assert.rejects(
      writeAtomic(`${dir}/keep.txt`, async (tmp) => {
        await Deno.writeTextFile(tmp, "half");
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/keep.txt`), "old");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["keep.txt"]);
    await assert.rejects(writeAtomic(`${dir}/missing/x.txt`, "x"), Deno.errors.NotFound);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["keep.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no module writes a temporary file and renames it by hand: writeAtomic is the one way", () => {
  const root = new URL("../", import.meta.url).pathname;
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${root}${dir}`)) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory) walk(rel);
      else if (rel.endsWith(".ts") && !rel.startsWith("lib/_fs/")) {
        const code = Deno.readTextFileSync(`${root}${rel}`);
        // a text or bytes write to a temporary path, then a rename of that path
        for (const m of code.matchAll(/\bwrite(?:Text)?File(?:Sync)?\(\s*(\w+)\s*,/g)) {
          if (new RegExp(`\\brename(?:Sync)?\\(\\s*${m[1]}\\s*,`).test(code)) {
            offenders.push(`${rel} (${m[1]})`);
          }
        }
      }
    }
  };
  walk("lib");
  walk("tasks");
  assert.deepEqual(offenders, []);
});
