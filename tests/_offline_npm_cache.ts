/**
 * Deno's global npm cache for a child that has no deno.json, built from what `deno install` put in the
 * project's node_modules, so that the child needs no network.
 *
 * A child outside the project (a user's script importing mod.ts by URL) resolves `npm:` specifiers through
 * Deno's global cache, `$DENO_DIR/npm/<registry host>/`: per package a `registry.json` (the registry's
 * package document, "packument") and one folder per version holding the unpacked package. `deno install`
 * fills the project's node_modules and unpacks packages, but writes the packuments of the project's direct
 * dependencies only; such a child then asks the registry for every other one (transitive dependencies and
 * the optional per-platform packages it never installs) and fails offline. This builds a cache in a fresh
 * folder instead: every package of deno.lock gets a packument with its locked version (the fields Deno reads
 * from a registry document: name, version, dist.tarball and dist.integrity from the lock, dependencies,
 * optionalDependencies, peerDependencies, bin, os, cpu, scripts, as npm publishes them from the package's
 * package.json, https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md), and every
 * installed one its unpacked folder, hard-linked from node_modules (copied across file systems).
 * @module
 */
import { join } from "node:path";

interface LockEntry {
  integrity: string;
  dependencies?: string[];
  optionalDependencies?: string[];
  os?: string[];
  cpu?: string[];
}

/** A registry's package document, with the versions of the lock. */
interface Packument {
  name: string;
  "dist-tags": Record<string, string>;
  versions: Record<string, unknown>;
  "_deno.packumentFormat": string;
}

/** `@scope/name@1.2.3_peer@4.5.6` (a deno.lock npm key) -> name and version. */
function parseKey(key: string): { name: string; version: string } {
  const at = key.indexOf("@", 1);
  return { name: key.slice(0, at), version: key.slice(at + 1).split("_")[0] };
}

/** A lock dependency (`name` or `name@version`) as a packument dependency: name -> exact version. */
function lockDeps(deps: string[] | undefined, versions: Map<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of deps ?? []) {
    const at = d.indexOf("@", 1);
    const name = at > 0 ? d.slice(0, at) : d;
    out[name] = at > 0 ? d.slice(at + 1).split("_")[0] : versions.get(name)![0];
  }
  return out;
}

/** Hard-links (else copies) the tree `from` into `to`, keeping symlinks as symlinks. */
async function linkTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    const src = join(from, e.name), dst = join(to, e.name);
    if (e.isSymlink) await Deno.symlink(await Deno.readLink(src), dst);
    else if (e.isDirectory) await linkTree(src, dst);
    else {
      try {
        await Deno.link(src, dst);
      } catch {
        await Deno.copyFile(src, dst);
      }
    }
  }
}

/**
 * Builds a DENO_DIR in `dir` whose npm cache holds every package of the lock at `lockPath`, from the
 * node_modules folder `nodeModules` (Deno's layout: `.deno/<name with / as +>@<version>/node_modules/<name>`).
 * @returns `dir`, for the child's `DENO_DIR`.
 */
export async function offlineNpmCache(
  lockPath: string,
  nodeModules: string,
  dir: string,
  registry: string,
): Promise<string> {
  // Deno's folder for a registry: its host name, a port joined with "_" (registry.npmjs.org,
  // localhost_4873; Deno 2.9.6).
  const root = join(dir, "npm", new URL(registry).host.replace(":", "_"));
  const lock = JSON.parse(await Deno.readTextFile(lockPath)).npm as Record<string, LockEntry>;
  const versions = new Map<string, string[]>();
  for (const key of Object.keys(lock)) {
    const { name, version } = parseKey(key);
    const list = versions.get(name) ?? [];
    if (!list.includes(version)) list.push(version);
    versions.set(name, list);
  }
  const packuments = new Map<string, Packument>();
  for (const [key, entry] of Object.entries(lock)) {
    const { name, version } = parseKey(key);
    const folder = join(nodeModules, ".deno", `${name.replace("/", "+")}@${version}`, "node_modules", name);
    let pkg: Record<string, unknown> | null = null;
    try {
      pkg = JSON.parse(await Deno.readTextFile(join(folder, "package.json")));
    } catch { /* not installed here (another platform's optional package): the lock says enough */ }
    const cache = join(root, name);
    if (pkg) await linkTree(folder, join(cache, version));
    // `_deno.packumentFormat: "full"` marks a document Deno cached whole (not the abbreviated form it
    // fetches again).
    const p = packuments.get(name) ??
      { name, "dist-tags": {}, versions: {}, "_deno.packumentFormat": "full" };
    p["dist-tags"].latest = version;
    const base = name.split("/").at(-1);
    p.versions[version] = {
      name,
      version,
      dependencies: pkg?.dependencies ?? lockDeps(entry.dependencies, versions),
      optionalDependencies: pkg?.optionalDependencies ?? lockDeps(entry.optionalDependencies, versions),
      peerDependencies: pkg?.peerDependencies,
      peerDependenciesMeta: pkg?.peerDependenciesMeta,
      bin: pkg?.bin,
      os: pkg?.os ?? entry.os,
      cpu: pkg?.cpu ?? entry.cpu,
      scripts: pkg?.scripts,
      dist: {
        tarball: new URL(`${name}/-/${base}-${version}.tgz`, registry).href,
        integrity: entry.integrity,
      },
    };
    packuments.set(name, p);
  }
  for (const [name, p] of packuments) {
    const cache = join(root, name);
    await Deno.mkdir(cache, { recursive: true });
    await Deno.writeTextFile(join(cache, "registry.json"), JSON.stringify(p));
  }
  return dir;
}
