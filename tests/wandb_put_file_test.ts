// File uploads stream past node:http, which ignores proxies: with a proxy configured they go through fetch.
import assert from "node:assert/strict";
import { proxyConfigured } from "../lib/tracking/wandb/_put_file.ts";

Deno.test("a file upload is sent through fetch when the environment names a proxy for its scheme", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  const s3 = "https://bucket.s3.amazonaws.com/x?sig=1";
  assert.equal(proxyConfigured(s3, env({})), false);
  assert.equal(proxyConfigured(s3, env({ HTTPS_PROXY: "http://proxy:3128" })), true);
  assert.equal(proxyConfigured(s3, env({ https_proxy: "http://proxy:3128" })), true);
  assert.equal(proxyConfigured(s3, env({ HTTP_PROXY: "http://proxy:3128" })), false, "http proxy only");
  assert.equal(proxyConfigured("http://127.0.0.1:8080/put", env({ HTTP_PROXY: "http://proxy:3128" })), true);
  assert.equal(
    proxyConfigured("http://127.0.0.1:8080/put", env({ HTTP_PROXY: "" })),
    false,
    "empty is unset",
  );
});
