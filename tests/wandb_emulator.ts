/**
 * A loopback emulator of the W&B backend (GraphQL, file_stream, storage) for tests.
 *
 * Every GraphQL request is parsed and validated against W&B's own schema (tests/fixtures/wandb_schema.graphql)
 * and its variables coerced against the operation's variable definitions (tests/_wandb_schema.ts); an invalid
 * one is answered HTTP 400 with `errors`, as W&B's GraphQL server answers it, and counted in
 * `state().invalid`. A valid one is executed against the schema: the resolvers get the field arguments the
 * document and its variables give, and the answer holds exactly the fields the document selects. Uploads,
 * file_stream lines and artifact digests are checked by the rules of the real SDK, each cited where it is
 * encoded. `close()` throws when any request was invalid, so every test that uses the emulator fails on one.
 *
 * Beyond that: runs with file_stream offset semantics, run files, artifacts with versions, moving aliases,
 * digest deduplication, commit checks and lineage, a request log and fault injection per operation (by
 * operation name). It binds 127.0.0.1 only.
 *
 * This file holds the public entry (options, the server, routing); each concern has its own file next to
 * it: the state as plain data (_wandb_emu_state.ts), GraphQL validation and execution (_wandb_emu_graphql.ts)
 * with the resolvers of runs (_wandb_emu_runs.ts) and artifacts (_wandb_emu_artifacts.ts), file_stream
 * (_wandb_emu_file_stream.ts), uploads and downloads (_wandb_emu_storage.ts), injected failures
 * (_wandb_emu_faults.ts), digests (_wandb_emu_digest.ts) and what every endpoint shares (_wandb_emu_http.ts).
 *
 * @example
 * ```ts
 * import { startEmulator } from "./wandb_emulator.ts";
 * const emu = await startEmulator();
 * emu.inject("UpsertBucket", { status: 500, times: 3 });
 * // ... point a client at emu.url ...
 * console.log(emu.state().counts);
 * await emu.close();
 * ```
 * @module
 */
import { b64url, hexToB64 } from "./_wandb_emu_digest.ts";
import {
  DROPPED,
  type Fault,
  type FaultQueue,
  faultResponse,
  newFaultQueue,
  queueFault,
  releaseHung,
  takeFault,
} from "./_wandb_emu_faults.ts";
import { fileStream } from "./_wandb_emu_file_stream.ts";
import { graphql, opFromQuery } from "./_wandb_emu_graphql.ts";
import { dec, json, readBody } from "./_wandb_emu_http.ts";
import {
  baseUrl,
  type EmulatorState,
  type EmuState,
  type LoggedRequest,
  newEmuState,
  snapshot,
} from "./_wandb_emu_state.ts";
import { artifactFileGet, getStorage, putStorage } from "./_wandb_emu_storage.ts";

export type { EmuArtifact, EmulatorState, EmuRun, LoggedRequest } from "./_wandb_emu_state.ts";
export type { Fault } from "./_wandb_emu_faults.ts";

/** Options for {@linkcode startEmulator}. */
export interface StartEmulatorOptions {
  /** Port to bind on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** The viewer's default entity (default "emu-user"). */
  entity?: string;
  /** When set, requests carrying another API key are rejected with 401. */
  apiKey?: string;
  /** Print unknown operations to stderr (default true). */
  loud?: boolean;
  /**
   * Accept a completed run's summary `_step` past the last history line W&B holds, as when the client
   * dropped its last lines for being over the line cap (default false: the summary's `_step` and
   * `_timestamp` must be the last line's; see `exitGaps` in tests/_wandb_emu_file_stream.ts).
   */
  allowDroppedLines?: boolean;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  /** The bound port. */
  port: number;
  /** A deep copy of the state. */
  state(): EmulatorState;
  /**
   * Queue a fault for an operation. Operations: a GraphQL operation name (`Viewer`, `UpsertBucket`,
   * `CreateArtifact`, ...), `file_stream`, `storage_put` (uploads), `storage_get` (manifest and run-file
   * reads), `artifact_file_get` (artifact file downloads), or `*` for every request. Faults of one
   * operation apply in the order queued.
   */
  inject(op: string, fault: Fault): void;
  /** Drop every queued fault. */
  clearFaults(): void;
  /** Stop listening but keep the state (connections are refused until {@linkcode Emulator.up}). */
  down(): Promise<void>;
  /** Listen again on the same port with the same state. */
  up(): Promise<void>;
  /**
   * Stop for good: releases hung requests, closes the listener.
   * @throws {Error} when a request was invalid (see {@linkcode EmulatorState.invalid}) and not taken by
   *   {@linkcode Emulator.takeInvalid}.
   */
  close(): Promise<void>;
  /** Returns the invalid requests seen so far and forgets them (for tests that send one on purpose). */
  takeInvalid(): { op: string; message: string }[];
}

/** Routes a request: the endpoint it is for and the parts of its path the endpoint reads. */
function classify(req: Request, url: URL): { op: string; parts: string[] } {
  const p = url.pathname;
  if (p === "/graphql" || p === "/graphql/") return { op: "graphql", parts: [] };
  let m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream\/?$/.exec(p);
  if (m) return { op: "file_stream", parts: [m[1], m[2], m[3]] };
  if (p.startsWith("/__storage/")) {
    return { op: req.method === "PUT" ? "storage_put" : "storage_get", parts: p.slice(11).split("/") };
  }
  // The SDK's download URLs: V2 ends with the file's name only (wandb/wandb
  // wandb/sdk/artifacts/storage_policies/wandb_storage_policy.py `_file_url`); a nested path is not found.
  m = /^\/artifactsV2\/[^/]+\/[^/]+\/[^/]+\/[^/]+\/(?:[^/]+\/)?[^/]+\/([0-9a-f]{32})\/([^/]+)$/.exec(p) ??
    /^\/artifacts\/[^/]+\/([0-9a-f]{32})\/?$/.exec(p);
  if (m) return { op: "artifact_file_get", parts: ["blob", b64url(hexToB64(m[1])), ...m.slice(2)] };
  if (p === "/__emu/state") return { op: "__emu_state", parts: [] };
  return { op: "unknown_path", parts: [] };
}

/**
 * One request: routed, counted and logged by operation, answered by an injected fault if one is queued for
 * it, else by its endpoint.
 */
async function handle(st: EmuState, faults: FaultQueue, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const { op: kind, parts } = classify(req, url);
  if (kind === "__emu_state") return json(snapshot(st));
  let body: Uint8Array;
  try {
    body = req.method === "GET" || req.method === "HEAD" ? new Uint8Array() : await readBody(req);
  } catch {
    return new Response("cannot read body", { status: 400 });
  }
  let op = kind;
  if (kind === "graphql") {
    try {
      const parsed = JSON.parse(dec.decode(body));
      op = typeof parsed.operationName === "string" && parsed.operationName
        ? parsed.operationName
        : opFromQuery(String(parsed.query ?? ""));
    } catch {
      op = "graphql";
    }
  }
  st.counts[op] = (st.counts[op] ?? 0) + 1;
  const entry: LoggedRequest = { op, method: req.method, path: url.pathname, status: 0 };
  st.requests.push(entry);
  const fault = takeFault(faults, op);
  const respond = (r: Response, f?: string) => {
    entry.status = r.status;
    if (f) entry.fault = f;
    return r;
  };
  if (fault) {
    const injected = await faultResponse(faults, fault);
    if (injected) return respond(injected.response, injected.label);
  }
  let res: Response;
  if (kind === "graphql") res = await graphql(st, req, body, op);
  else if (kind === "file_stream") res = fileStream(st, req, body, parts);
  else if (kind === "storage_put") res = putStorage(st, req, body, parts, url);
  else if (kind === "storage_get") res = getStorage(st, parts);
  else if (kind === "artifact_file_get") res = artifactFileGet(st, parts);
  else {
    st.unknown.push({ op: `${req.method} ${url.pathname}`, query: "" });
    if (st.loud) console.error(`[wandb emulator] UNKNOWN path ${req.method} ${url.pathname}`);
    res = new Response("not found", { status: 404 });
  }
  return respond(res, fault?.delayMs ? "delay" : undefined);
}

/**
 * Starts the emulator on 127.0.0.1.
 *
 * @param options Port, default entity, accepted API key.
 * @returns The running emulator.
 * @example
 * ```ts
 * const emu = await startEmulator({ port: 0 });
 * await fetch(`${emu.url}/__emu/state`).then((r) => r.json());
 * await emu.close();
 * ```
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const st = newEmuState(options);
  const faults = newFaultQueue();
  let server: Deno.HttpServer<Deno.NetAddr> | null = null;
  let closed = false;

  function serve(): Promise<void> {
    return new Promise((resolve) => {
      server = Deno.serve({
        hostname: "127.0.0.1",
        port: st.port,
        onListen: (addr) => {
          st.port = addr.port;
          resolve();
        },
        onError: (e) => {
          if (!String(e).includes(DROPPED)) {
            console.error("[wandb emulator] handler error:", e);
          }
          return new Response(`emulator error: ${e}`, { status: 500 });
        },
      }, (req) => handle(st, faults, req));
    });
  }

  async function down() {
    releaseHung(faults);
    if (server) {
      const s = server;
      server = null;
      await s.shutdown();
    }
  }

  await serve();
  return {
    get url() {
      return baseUrl(st);
    },
    get port() {
      return st.port;
    },
    state: () => snapshot(st),
    inject(op: string, fault: Fault) {
      queueFault(faults, op, fault);
    },
    clearFaults() {
      faults.pending.clear();
    },
    down,
    async up() {
      if (closed) throw new Error("the emulator is closed");
      if (!server) await serve();
    },
    async close() {
      closed = true;
      faults.pending.clear();
      await down();
      if (st.invalid.length) {
        throw new Error(
          `the W&B emulator got ${st.invalid.length} request(s) the real W&B refuses:\n` +
            st.invalid.map((x) => `  ${x.op}: ${x.message}`).join("\n"),
        );
      }
    },
    takeInvalid() {
      const taken = st.invalid;
      st.invalid = [];
      return taken;
    },
  };
}

/** The W&B artifact digest, exported for tests that build manifests by hand. */
export { manifestDigest } from "./_wandb_emu_digest.ts";
/** Base64 MD5 of bytes, exported for tests. */
export { md5b64 } from "./_wandb_emu_digest.ts";
/** JSON.parse that also reads W&B's bare NaN / Infinity tokens, exported for tests. */
export { parseLine } from "./_wandb_emu_file_stream.ts";
