// Private: artifacts by type, versions with aliases, sizes and digests, a version's files with previews,
// the diff of two versions and the lineage graph. File contents only ever come from readArtifactFile,
// which looks names up in the version's manifest: nothing outside the store can be served.
import { lineageFromRuns, lineageGraphSvg, type LineageRun } from "../display/mod.ts";
import {
  type ArtifactVersion,
  diffArtifactVersions,
  getArtifactVersion,
  getLineage,
  getRun,
  listArtifacts,
  listArtifactVersions,
  readArtifactFile,
  type RunDetails,
} from "../tracking/mod.ts";
import { bytes, href, html, type Markup, raw, seg } from "./_html.ts";
import { page } from "./_layout.ts";
import { NotFound, type PageContext, param } from "./_context.ts";

/** Bytes of a file shown in a preview. */
const PREVIEW_BYTES = 256 * 1024;
const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
};

function ext(file: string): string {
  return file.slice(file.lastIndexOf(".") + 1).toLowerCase();
}

function versionLink(v: { name: string; version: number }): string {
  return `/artifact/${seg(v.name)}/v/${v.version}`;
}

/** All artifact collections, grouped by type. */
export function artifactsPage(ctx: PageContext): string {
  const all = listArtifacts(ctx.read);
  const types = [...new Set(all.map((a) => a.type))].sort();
  const body = html`<h1>Artifacts</h1>${all.length === 0 ? html`<p class="muted">No artifacts.</p>` : ""}${
    types.map((t) =>
      html`
        <h2>${t}</h2>
        <table class="grid artifacts" data-type="${t}">
          <thead>
            <tr>
              <th>Name</th>
              <th>Versions</th>
              <th>Latest</th>
              <th>Aliases</th>
              <th>Size</th>
            </tr>
          </thead>
          <tbody>${all.filter((a) => a.type === t).map((a) =>
            html`
              <tr>
                <td><a href="/artifact/${seg(a.name)}">${a.name}</a></td>
                <td class="num">${a.versionCount}</td>
                <td>${a.latest === null
                  ? "-"
                  : html`<a href="${versionLink({ name: a.name, version: a.latest })}">v${a.latest}</a>`}</td>
                <td>${Object.entries(a.aliases).map(([k, v]) =>
                  html`<span class="tag">${k} → v${v}</span>`
                )}</td>
                <td class="num">${bytes(a.size)}</td>
              </tr>
            `
          )}</tbody>
        </table>
      `
    )
  }`;
  return page("Artifacts · sentilab", body);
}

/** The versions of one artifact, with a form to diff two of them. */
export function artifactPage(ctx: PageContext, name: string): string {
  const versions = listArtifactVersions(name, ctx.read);
  if (versions.length === 0) throw new NotFound(`no artifact '${name}'`);
  const base = `/artifact/${seg(name)}`;
  const choice = (id: string, pick: number) =>
    html`<select name="${id}">${
      versions.map((v) =>
        html`
          <option value="${v.version}" ${v.version === pick
            ? html`
              selected
            `
            : ""}>v${v.version}</option>
        `
      )
    }</select>`;
  const body = html`
    <h1>${name} <span class="muted">${versions[0].type}</span></h1>
    <table class="grid" id="versions">
      <thead>
        <tr>
          <th>Version</th>
          <th>Aliases</th>
          <th>Files</th>
          <th>Size</th>
          <th>Digest</th>
          <th>Created</th>
          <th>By run</th>
        </tr>
      </thead>
      <tbody>${versions.map((v) =>
        html`
          <tr>
            <td><a href="${versionLink(v)}">v${v.version}</a></td>
            <td>${v.aliases.map((a) => html`<span class="tag">${a}</span>`)}</td>
            <td class="num">${v.fileCount}</td>
            <td class="num">${bytes(v.size)}</td>
            <td><code>${v.digest}</code></td>
            <td>${v.createdAt}</td>
            <td>${v.createdBy ? html`<a href="/run/${seg(v.createdBy)}">${v.createdBy}</a>` : "-"}</td>
          </tr>
        `
      )}</tbody>
    </table>
    ${versions.length > 1
      ? html`
        <form class="filters" method="get"
          action="${base}/diff"><label>From${choice(
            "from",
            versions.at(-2)!.version,
          )}</label><label>To${choice(
            "to",
            versions.at(-1)!.version,
          )}</label><button type="submit" id="diff">Diff</button></form>
      `
      : ""}
  `;
  return page(`${name} · sentilab`, body);
}

/** One version: metadata, files with preview links, and its lineage graph. */
export function versionPage(ctx: PageContext, name: string, version: number): string {
  const v = getArtifactVersion(`${name}:v${version}`, ctx.read);
  if (!v) throw new NotFound(`no artifact '${name}:v${version}'`);
  const base = versionLink(v);
  const files = Object.entries(v.manifest.contents).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const body = html`
    <h1>${v.ref} <span class="muted">${v.type}</span></h1>
    <table class="grid kv">
      <tbody>
        <tr>
          <td>Aliases</td>
          <td>${v.aliases.map((a) => html`<span class="tag">${a}</span>`)}</td>
        </tr>
        <tr>
          <td>Digest</td>
          <td><code>${v.digest}</code></td>
        </tr>
        <tr>
          <td>Size</td>
          <td>${bytes(v.size)} in ${v.fileCount} files</td>
        </tr>
        <tr>
          <td>Created</td>
          <td>${v.createdAt}${v.createdBy
            ? html`
              by run <a href="/run/${seg(v.createdBy)}">${v.createdBy}</a>
            `
            : ""}</td>
        </tr>
        <tr>
          <td>Description</td>
          <td class="cell-text">${v.description}</td>
        </tr>
        <tr>
          <td>Metadata</td>
          <td>${metadataCell(v.metadata)}</td>
        </tr>
      </tbody>
    </table>
    <p><a href="/artifact/${seg(name)}">all versions of ${name}</a></p>
    <h2>Files</h2><table class="grid" id="files">
      <thead>
        <tr>
          <th>Path</th>
          <th>Size</th>
          <th>MD5 (base64)</th>
        </tr>
      </thead>
      <tbody>${files.map(([path, e]) =>
        html`
          <tr>
            <td><a class="file" href="${href(`${base}/file`, { path })}">${path}</a></td>
            <td class="num">${bytes(e.size)}</td>
            <td><code>${e.digest}</code></td>
          </tr>
        `
      )}</tbody>
    </table>
    <h2>Lineage</h2>${lineageBlock(ctx, v)}
  `;
  return page(`${v.ref} · sentilab`, body);
}

function lineageBlock(ctx: PageContext, v: ArtifactVersion): Markup {
  const lineage = getLineage(v.ref, ctx.read);
  if (!lineage) return html``;
  const ids = [...new Set([...lineage.producedBy, ...lineage.usedBy].map((l) => l.runId))];
  const runs = ids.map((id) => getRun(id, ctx.read)).filter((r): r is RunDetails => r !== null);
  const list = html`<ul id="lineage-runs">${
    lineage.producedBy.map((l) =>
      html`<li>logged by <a href="/run/${seg(l.runId)}">${l.runName ?? l.runId}</a></li>`
    )
  }${
    lineage.usedBy.map((l) =>
      html`<li>used by <a href="/run/${seg(l.runId)}">${l.runName ?? l.runId}</a></li>`
    )
  }</ul>`;
  if (runs.length === 0) return html`${list}<p class="muted">No run logged or used this version.</p>`;
  const graph = lineageGraphSvg(lineageFromRuns(runs as LineageRun[]), { title: `Lineage of ${v.ref}` });
  return html`${list}<figure id="lineage">${raw(graph)}</figure>`;
}

/** A file of a version: text, JSON and JSONL shown as text, images and SVG as pictures. */
export function filePage(ctx: PageContext, name: string, version: number): string {
  const path = param(ctx, "path") ?? "";
  const ref = `${name}:v${version}`;
  const bytesRead = readArtifactFile(ref, path, { ...ctx.read, maxBytes: PREVIEW_BYTES });
  if (bytesRead === null) throw new NotFound(`no file '${path}' in ${ref}`);
  const v = getArtifactVersion(ref, ctx.read)!;
  const size = v.manifest.contents[path].size;
  const raws = href(`${versionLink(v)}/raw`, { path });
  let preview: Markup;
  if (IMAGE_TYPES[ext(path)]) {
    preview = html`<img class="thumb" id="preview-image" alt="${path}" src="${raws}">`;
  } else {
    let text = new TextDecoder("utf-8", { fatal: false }).decode(bytesRead);
    if (ext(path) === "json" && size <= PREVIEW_BYTES) {
      try {
        text = JSON.stringify(JSON.parse(text), null, 2);
      } catch { /* shown as stored */ }
    }
    const binary = bytesRead.subarray(0, 4096).includes(0);
    preview = binary
      ? html`<p class="muted">Binary file (${bytes(size)}); <a href="${raws}">raw bytes</a>.</p>`
      : html`<pre class="preview" id="preview">${text}</pre>${
        size > PREVIEW_BYTES
          ? html`<p class="muted">First ${bytes(PREVIEW_BYTES)} of ${bytes(size)}.</p>`
          : ""
      }`;
  }
  const body = html`<h1>${path} <span class="muted">in <a href="${versionLink(v)}">${v.ref}</a></span></h1>
<p class="muted">${bytes(size)} · MD5 ${
    v.manifest.contents[path].digest
  } · <a href="${raws}">raw</a></p>${preview}`;
  return page(`${path} · ${v.ref} · sentilab`, body);
}

/** The raw bytes of a file of a version, with headers that keep any active content inert. */
export function rawFile(ctx: PageContext, name: string, version: number): Response {
  const path = param(ctx, "path") ?? "";
  const data = readArtifactFile(`${name}:v${version}`, path, ctx.read);
  if (data === null) throw new NotFound(`no file '${path}' in ${name}:v${version}`);
  const type = IMAGE_TYPES[ext(path)] ??
    (data.subarray(0, 4096).includes(0) ? "application/octet-stream" : "text/plain; charset=utf-8");
  return new Response(data as Uint8Array<ArrayBuffer>, {
    headers: {
      "content-type": type,
      // A file may hold script (an SVG, an HTML page): sandboxed and without any source it can never run.
      "content-security-policy":
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
      "content-disposition": `inline; filename*=UTF-8''${
        encodeURIComponent(path.split("/").at(-1) ?? "file")
      }`,
    },
  });
}

/** The difference between two versions of an artifact. */
export function diffPage(ctx: PageContext, name: string): string {
  const from = param(ctx, "from"), to = param(ctx, "to");
  if (!from || !to || !/^\d+$/.test(from) || !/^\d+$/.test(to)) {
    throw new NotFound("diff needs from and to versions");
  }
  let d;
  try {
    d = diffArtifactVersions(`${name}:v${from}`, `${name}:v${to}`, ctx.read);
  } catch {
    throw new NotFound(`cannot diff ${name}:v${from} and v${to}`);
  }
  if (!d) throw new NotFound(`cannot diff ${name}:v${from} and v${to}`);
  const rows = [
    ...d.added.map((c) => ["added", c] as const),
    ...d.removed.map((c) => ["removed", c] as const),
    ...d.changed.map((c) => ["changed", c] as const),
  ];
  const body = html`
    <h1>${d.from} → ${d.to}</h1>
    <p id="diff-summary">${d.added.length} added, ${d.removed.length} removed, ${d.changed
      .length} changed, ${d.unchanged} unchanged</p>
    <table class="grid" id="diff">
      <thead>
        <tr>
          <th>Change</th>
          <th>Path</th>
          <th>Size before</th>
          <th>Size after</th>
        </tr>
      </thead>
      <tbody>${rows.map(([kind, c]) =>
        html`
          <tr class="${kind}">
            <td>${kind}</td>
            <td>${c.path}</td>
            <td class="num">${c.from ? bytes(c.from.size) : "-"}</td>
            <td class="num">${c.to ? bytes(c.to.size) : "-"}</td>
          </tr>
        `
      )}</tbody>
    </table>
    <p><a href="/artifact/${seg(name)}/v/${from}">${name}:v${from}</a> · <a href="/artifact/${seg(
      name,
    )}/v/${to}">${name}:v${to}</a></p>
  `;
  return page(`${d.from} → ${d.to} · sentilab`, body);
}

/** Short metadata inline; long metadata (a model's card, its hyperparameter search) folded, indented. */
function metadataCell(metadata: Record<string, unknown>): Markup {
  const keys = Object.keys(metadata ?? {});
  if (keys.length === 0) return html`<span class="muted">none</span>`;
  const flat = JSON.stringify(metadata);
  if (flat.length <= 120) return html`<code class="cell-text">${flat}</code>`;
  return html`
    <details id="metadata">
      <summary>${keys.length} key${keys.length === 1 ? "" : "s"}: ${keys.slice(0, 6).join(
        ", ",
      )}${keys.length > 6 ? ", …" : ""}</summary>
      <pre class="preview json">${JSON.stringify(metadata, null, 2)}</pre>
    </details>
  `;
}
