/**
 * The W&B emulator's GraphQL endpoint (tests/wandb_emulator.ts): every request parsed and validated against
 * W&B's schema (tests/_wandb_schema.ts), then executed with the root fields below; the resolvers of runs
 * and artifacts live in tests/_wandb_emu_runs.ts and tests/_wandb_emu_artifacts.ts.
 * @module
 */
import { execute, GraphQLError } from "graphql";
import { checkGraphql, wandbSchema } from "./_wandb_schema.ts";
import {
  addAliases,
  artifactFragment,
  commitArtifact,
  createArtifact,
  createArtifactFiles,
  createArtifactManifest,
  deleteAliases,
  membership,
  resolveName,
  updateArtifactManifest,
  useArtifact,
} from "./_wandb_emu_artifacts.ts";
import { checkAuth, dec, GqlError, json } from "./_wandb_emu_http.ts";
import { createRunFiles, runBucket, upsertBucket, viewer } from "./_wandb_emu_runs.ts";
import type { EmuState } from "./_wandb_emu_state.ts";

/** Operations recognised by their document when the request names none. */
const OP_PATTERNS: [RegExp, string][] = [
  [/artifactCollectionMembership\s*\(/, "ArtifactMembershipByName"],
  [/project\s*\([^)]*\)\s*\{\s*artifact\s*\(/, "ProjectArtifact"],
  [/\bviewer\s*\{/, "Viewer"],
  [/\bupsertBucket\s*\(/, "UpsertBucket"],
];

/**
 * `project(name, entityName)` (and `model(...)`, its older name) with the fields the SDKs select under it:
 * `artifactCollectionMembership(name)` (wandb/wandb wandb/sdk/artifacts/_generated ArtifactMembershipByName),
 * `artifact(name)` and `artifactType(name)` (the older lookups), `bucket(name){ files(names) }`
 * (@wandb/sdk's RunUploadUrls).
 */
function project(st: EmuState, args: Record<string, unknown>) {
  const entity = String(args.entityName ?? st.defaultEntity);
  const name = String(args.name ?? "");
  return {
    id: btoa(`Project:${entity}/${name}`),
    name,
    entityName: entity,
    entity: { id: btoa(`Entity:${entity}`), name: entity },
    artifactCollectionMembership: (a: { name: string }) => {
      const found = resolveName(st, entity, name, a.name);
      return found ? membership(st, found) : null;
    },
    artifact: (a: { name: string }) => {
      const found = resolveName(st, entity, name, a.name);
      return found ? artifactFragment(st, found) : null;
    },
    artifactType: (a: { name: string }) => {
      const found = resolveName(st, entity, name, `${a.name}`) ??
        [...st.artifacts.values()].find((x) =>
          x.entity === entity && x.project === name && x.type === a.name
        );
      return found ? { id: btoa(`ArtifactType:${found.type}`), name: found.type } : null;
    },
    bucket: (b: { name: string }) => runBucket(st, entity, name, b.name),
  };
}

type Args = Record<string, unknown>;
const inputOf = (args: Args) => args.input as Record<string, unknown>;

/**
 * The root fields the emulator implements; each gets the field's arguments from the document and the
 * state (the execution's context value).
 */
const root: Record<string, (args: Args, st: EmuState) => unknown> = {
  viewer: (_args, st) => viewer(st).viewer,
  serverInfo: () => null,
  project: (args, st) => project(st, args),
  model: (args, st) => project(st, args),
  artifact: (args, st) => {
    const a = st.artifacts.get(String(args.id));
    return a ? artifactFragment(st, a) : null;
  },
  upsertBucket: (args, st) => upsertBucket(st, inputOf(args)).upsertBucket,
  createRunFiles: (args, st) => createRunFiles(st, inputOf(args)),
  createArtifactType: (args) => ({
    artifactType: { id: btoa(`ArtifactType:${inputOf(args).name}`), name: inputOf(args).name },
  }),
  createArtifact: (args, st) => createArtifact(st, inputOf(args)).createArtifact,
  createArtifactManifest: (args, st) => createArtifactManifest(st, inputOf(args)),
  updateArtifactManifest: (args, st) => updateArtifactManifest(st, inputOf(args)),
  createArtifactFiles: (args, st) => createArtifactFiles(st, inputOf(args)),
  commitArtifact: (args, st) => commitArtifact(st, inputOf(args)).commitArtifact,
  useArtifact: (args, st) => useArtifact(st, inputOf(args)).useArtifact,
  addAliases: (args, st) => addAliases(st, inputOf(args)),
  deleteAliases: (args, st) => deleteAliases(st, inputOf(args)),
};

/** The operation's name, for the request log and fault injection (dispatch reads the document). */
export function opFromQuery(query: string): string {
  const m = /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(query);
  if (m) return m[1];
  for (const [re, op] of OP_PATTERNS) if (re.test(query)) return op;
  return "(anonymous)";
}

/**
 * A GraphQL request: parsed, validated against W&B's schema, variables coerced (an invalid request is
 * answered HTTP 400 with `errors`, as W&B's GraphQL server does, and counted in `invalid`), then executed
 * with the resolvers of `root`.
 */
export async function graphql(st: EmuState, req: Request, body: Uint8Array, op: string): Promise<Response> {
  let parsed: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    parsed = JSON.parse(dec.decode(body));
  } catch {
    st.invalid.push({ op, message: "request body is not JSON" });
    return json({ errors: [{ message: "request body is not JSON" }] }, 400);
  }
  if (!checkAuth(st, req)) return json({ errors: [{ message: "invalid API key" }] }, 401);
  const query = typeof parsed.query === "string" ? parsed.query : "";
  const vars = parsed.variables ?? {};
  const checked = vars !== null && typeof vars === "object" && !Array.isArray(vars)
    ? checkGraphql(
      query,
      vars as Record<string, unknown>,
      typeof parsed.operationName === "string" ? parsed.operationName : null,
    )
    : {
      errors: [
        new GraphQLError(
          "Variables must be provided as an Object where each property is a variable value.",
        ),
      ],
    };
  if ("errors" in checked) {
    const message = checked.errors.map((e) => e.message).join("; ");
    st.invalid.push({ op, message });
    if (st.loud) console.error(`[wandb emulator] INVALID GraphQL '${op}': ${message}`);
    return json({ errors: checked.errors.map((e) => e.toJSON()) }, 400);
  }
  for (const sel of checked.operation.selectionSet.selections) {
    if (sel.kind === "Field" && !sel.name.value.startsWith("__") && !(sel.name.value in root)) {
      st.unknown.push({ op, query: query.slice(0, 500) });
      if (st.loud) console.error(`[wandb emulator] UNKNOWN root field '${sel.name.value}' in '${op}'`);
      st.errors.push({ op, message: "unknown operation" });
      return json({ data: null, errors: [{ message: `emulator: unknown field '${sel.name.value}'` }] });
    }
  }
  const result = await execute({
    schema: wandbSchema,
    document: checked.document,
    operationName: checked.operation.name?.value,
    variableValues: checked.variables,
    rootValue: root,
    contextValue: st,
  });
  if (result.errors?.length) {
    for (const e of result.errors) {
      st.errors.push({ op, message: e.message });
      if (!(e.originalError instanceof GqlError) && st.loud) {
        console.error(`[wandb emulator] '${op}': ${e.message}`);
      }
    }
  }
  return json(result);
}
