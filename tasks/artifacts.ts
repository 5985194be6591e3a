/**
 * `deno task artifacts`: artifact names, versions, aliases and sizes; one version's manifest; diffs.
 *
 *   deno task artifacts [--dir DIR] [--type T] [--json]
 *   deno task artifacts <name> [--json]              versions of a name
 *   deno task artifacts <name:vN|name:alias> [--json] one version: manifest, metadata, lineage
 *   deno task artifacts --diff <name:vA> <name:vB> [--json]
 *   deno task artifacts alias <name:vN> <alias> [--remove]   point an alias at a version (or remove it)
 *
 * @module
 */
import {
  diffArtifactVersions,
  getArtifactVersion,
  getLineage,
  listArtifacts,
  listArtifactVersions,
  setArtifactAlias,
  TrackingError,
} from "../lib/tracking/mod.ts";
import { brief, parseTask, plural, runMain, size, table } from "./_cli.ts";

const TASK = {
  name: "artifacts",
  usage: [
    "[--type T] [--dir DIR] [--json]",
    "NAME | NAME:vN | NAME:ALIAS [--json]",
    "--diff NAME:vA NAME:vB [--json]",
    "alias NAME:vN ALIAS [--remove]",
  ],
  about: "Lists artifact names, versions, aliases and sizes; with NAME its versions; with NAME:vN one " +
    "version (manifest, metadata, lineage); with --diff the files added, removed and changed between two; `alias` points an alias at a " +
    "version (or removes it).",
  positionals: { min: 0, max: 3, arg: "artifact names or references" },
  flags: {
    dir: { type: "string", arg: "DIR", help: "the store (default: SENTILAB_DIR, else .sentilab)" },
    type: { type: "string", arg: "T", help: "list only artifacts of type T (dataset, model, report, ...)" },
    diff: { type: "boolean", help: "compare two versions given as NAME:vA NAME:vB" },
    remove: { type: "boolean", help: "with `alias`: remove the alias instead of setting it" },
    json: { type: "boolean", help: "print JSON instead of tables" },
  },
} as const;

async function main(): Promise<number> {
  const { values, positionals } = parseTask(TASK);
  const dir = values.dir;
  const print = (data: unknown) => console.log(JSON.stringify(data, null, 2));

  if (positionals[0] === "alias" && positionals.length > 1) {
    if (positionals.length !== 3) {
      throw new TrackingError("usage: deno task artifacts alias <name:vN> <alias> [--remove]");
    }
    const [, ref, alias] = positionals;
    const v = await setArtifactAlias(ref, alias, { dir, remove: values.remove });
    if (values.json) return (print(v), 0);
    console.log(
      values.remove
        ? `removed alias ${alias} from ${v.ref}; aliases: ${v.aliases.join(", ") || "-"}`
        : `${v.name}:${alias} -> ${v.ref}; aliases: ${v.aliases.join(", ")}`,
    );
    return 0;
  }
  if (values.remove) {
    throw new TrackingError("--remove goes with: deno task artifacts alias <name:vN> <alias>");
  }
  if (values.diff) {
    if (positionals.length !== 2) {
      throw new TrackingError(`--diff needs two references, e.g. --diff data:v0 data:v1`);
    }
    const d = diffArtifactVersions(positionals[0], positionals[1], { dir });
    if (values.json) return (print(d), 0);
    const out = [
      `${d.from} -> ${d.to}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged`,
    ];
    for (const c of d.added) out.push(`  + ${c.path}  (${size(c.to!.size)})`);
    for (const c of d.removed) out.push(`  - ${c.path}  (${size(c.from!.size)})`);
    for (const c of d.changed) out.push(`  ~ ${c.path}  (${size(c.from!.size)} -> ${size(c.to!.size)})`);
    console.log(out.join("\n"));
    return 0;
  }
  if (positionals.length > 1) {
    throw new TrackingError(`expected one artifact name or reference, got ${positionals.join(" ")}`);
  }

  if (positionals.length === 0) {
    const list = listArtifacts({ dir, type: values.type });
    if (values.json) return (print(list), 0);
    if (list.length === 0) {
      return (console.log(
        values.type === undefined ? "No artifacts." : `No artifacts of type ${values.type}.`,
      ),
        0);
    }
    console.log(table(
      ["NAME", "TYPE", "VERSIONS", "LATEST", "ALIASES", "SIZE"],
      list.map((a) => [
        a.name,
        a.type,
        String(a.versionCount),
        a.latest === null ? "-" : `v${a.latest}`,
        Object.entries(a.aliases).map(([k, v]) => `${k}->v${v}`).join(", "),
        size(a.size),
      ]),
    ));
    return 0;
  }

  const arg = positionals[0];
  if (!arg.includes(":")) {
    const versions = listArtifactVersions(arg, { dir });
    if (versions.length === 0) {
      throw new TrackingError(`No artifact named '${arg}'; 'deno task artifacts' lists them`);
    }
    if (values.json) return (print(versions), 0);
    console.log(`${arg} (${versions[0].type}), ${plural(versions.length, "version")}\n`);
    // Lineage, not `createdBy`: a version first stored by a run that only used it was not produced by it.
    const runs = (list: { runId: string }[]) => {
      const ids = [...new Set(list.map((l) => l.runId))];
      return ids.length === 0 ? "-" : ids.length === 1 ? ids[0] : `${ids[0]} +${ids.length - 1}`;
    };
    console.log(table(
      ["VERSION", "ALIASES", "FILES", "SIZE", "DIGEST", "CREATED", "PRODUCED BY", "USED BY"],
      versions.map((v) => {
        const l = getLineage(v.ref, { dir });
        return [
          `v${v.version}`,
          v.aliases.join(", "),
          String(v.fileCount),
          size(v.size),
          v.digest,
          v.createdAt.replace("T", " ").slice(0, 19),
          runs(l?.producedBy ?? []),
          runs(l?.usedBy ?? []),
        ];
      }),
    ));
    return 0;
  }

  const v = getArtifactVersion(arg, { dir });
  if (!v) {
    throw new TrackingError(
      `Artifact '${arg}' not found; 'deno task artifacts ${arg.split(":")[0]}' lists its versions`,
    );
  }
  const lineage = getLineage(v.ref, { dir })!;
  if (values.json) return (print({ ...v, lineage }), 0);
  const out = [
    `${v.ref} (${v.type})  aliases: ${v.aliases.join(", ") || "-"}`,
    `  digest   ${v.digest}`,
    `  files    ${v.fileCount}, ${size(v.size)}`,
    `  created  ${v.createdAt} (first stored by run ${v.createdBy ?? "-"}; see Lineage)`,
  ];
  if (v.description) {
    out.push(...wrapText(v.description, 96).map((l, i) => `  ${i ? "        " : "about   "} ${l}`));
  }
  // Metadata pretty-printed: one key a line, nested objects indented (two levels), long values summarised;
  // a copy of the description is not shown twice.
  const meta = Object.entries(v.metadata).filter(([k, x]) => !(k === "description" && x === v.description));
  if (meta.length) {
    out.push("", "Metadata");
    out.push(...metadataLines(meta, "  ", 0));
  }
  out.push("", "Manifest");
  out.push(
    table(
      ["PATH", "SIZE", "DIGEST (base64 MD5)"],
      Object.entries(v.manifest.contents).map(([p, e]) => [p, size(e.size), e.digest]),
    ).split("\n").map((l) => "  " + l).join("\n"),
  );
  out.push("", "Lineage");
  for (const l of lineage.producedBy) {
    out.push(`  produced by ${l.runId} (${l.runName ?? "?"})${l.deduplicated ? " [identical re-log]" : ""}`);
  }
  for (const l of lineage.usedBy) out.push(`  used by     ${l.runId} (${l.runName ?? "?"})`);
  if (!lineage.producedBy.length && !lineage.usedBy.length) out.push("  (none)");
  console.log(out.join("\n"));
  return 0;
}

await runMain(main);

/** Words of `text` in lines of at most `width` characters. */
function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) (lines.push(line), line = word);
    else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

/** Key/value lines of metadata: nested objects (not arrays) open below their key, up to depth 2. */
function metadataLines(entries: [string, unknown][], indent: string, depth: number): string[] {
  const w = Math.max(...entries.map(([k]) => k.length));
  return entries.flatMap(([k, x]) => {
    const nested = x !== null && typeof x === "object" && !Array.isArray(x) && depth < 2 &&
      Object.keys(x).length > 0;
    if (nested) return [`${indent}${k}`, ...metadataLines(Object.entries(x), `${indent}  `, depth + 1)];
    const max = 100 - indent.length - w;
    const text = typeof x === "string" && x.length <= max ? x : brief(x, max);
    return [`${indent}${k.padEnd(w)}  ${text}`];
  });
}
