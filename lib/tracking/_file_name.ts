// The rule for a file name inside an artifact or a run (a manifest key), applied everywhere such a name is
// taken in or becomes a path on disk: logging an artifact, download(), path(), the W&B client's upload
// and download.

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why `name` cannot be a file name inside an artifact (a sentence naming it), or null. A name is relative,
 * '/'-separated, without empty, '.' or '..' segments, backslashes or control characters, so that joined
 * to any folder it stays inside that folder on every OS.
 */
export function fileNameProblem(name: unknown): string | null {
  if (typeof name !== "string") return `a file name must be a string, got ${typeof name}`;
  if (name.length === 0) return "a file name inside an artifact cannot be empty";
  const shown = CONTROL.test(name) ? JSON.stringify(name) : `'${name}'`;
  if (CONTROL.test(name)) return `the file name ${shown} contains control characters`;
  if (name.includes("\\")) {
    return `the file name ${shown} contains '\\'; names inside an artifact are '/'-separated`;
  }
  if (name.startsWith("/")) {
    return `the file name ${shown} starts with '/'; names inside an artifact are relative`;
  }
  if (/^[A-Za-z]:/.test(name)) return `the file name ${shown} starts with a drive letter; names are relative`;
  if (name.split("/").some((s) => s === ".." || s === "." || s === "")) {
    return `the file name ${shown} has an empty, '.' or '..' path segment; ` +
      `names inside an artifact must stay inside it (e.g. 'data/train.jsonl')`;
  }
  return null;
}
