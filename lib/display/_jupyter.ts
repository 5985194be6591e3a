/**
 * Private: access to `Deno.jupyter`, which throws when read outside `deno jupyter`.
 * @module
 */

/** The `Deno.jupyter` namespace when running inside the Deno Jupyter kernel, else `null`. */
export function jupyter(): typeof Deno.jupyter | null {
  try {
    const j = Deno.jupyter;
    return typeof j?.display === "function" ? j : null;
  } catch {
    return null;
  }
}
