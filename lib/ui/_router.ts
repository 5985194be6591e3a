// Private: requests to pages. Only GET and HEAD; unknown paths, runs, tables, artifacts and files are 404.
import { CSS, JS } from "./_assets.ts";
import { NotFound, type PageContext } from "./_context.ts";
import { runsPage } from "./_runs_page.ts";
import { chartsFragment, runPage } from "./_run_page.ts";
import { tablePage } from "./_table_page.ts";
import { comparePage } from "./_compare_page.ts";
import { artifactPage, artifactsPage, diffPage, filePage, rawFile, versionPage } from "./_artifact_pages.ts";
import { html } from "./_html.ts";
import { page } from "./_layout.ts";
import type { ReadOptions } from "../tracking/mod.ts";

type Handler = (ctx: PageContext, p: string[]) => string | Response;

const ROUTES: [RegExp, Handler][] = [
  [/^\/$/, (c) => runsPage(c)],
  [/^\/run\/([^/]+)$/, (c, p) => runPage(c, p[0])],
  [/^\/run\/([^/]+)\/charts$/, (c, p) => chartsFragment(c, p[0])],
  [/^\/run\/([^/]+)\/table\/([^/]+)$/, (c, p) => tablePage(c, p[0], p[1])],
  [/^\/compare$/, (c) => comparePage(c)],
  [/^\/artifacts$/, (c) => artifactsPage(c)],
  [/^\/artifact\/([^/]+)$/, (c, p) => artifactPage(c, p[0])],
  [/^\/artifact\/([^/]+)\/diff$/, (c, p) => diffPage(c, p[0])],
  [/^\/artifact\/([^/]+)\/v\/(\d+)$/, (c, p) => versionPage(c, p[0], Number(p[1]))],
  [/^\/artifact\/([^/]+)\/v\/(\d+)\/file$/, (c, p) => filePage(c, p[0], Number(p[1]))],
  [/^\/artifact\/([^/]+)\/v\/(\d+)\/raw$/, (c, p) => rawFile(c, p[0], Number(p[1]))],
];

const HTML = "text/html; charset=utf-8";

/** The response to a request for `url` (the checks of _security.ts are done by the caller). */
export function route(read: ReadOptions, url: URL): Response {
  if (url.pathname === "/app.js") {
    return new Response(JS, { headers: { "content-type": "text/javascript; charset=utf-8" } });
  }
  if (url.pathname === "/app.css") {
    return new Response(CSS, { headers: { "content-type": "text/css; charset=utf-8" } });
  }
  for (const [re, handler] of ROUTES) {
    const m = re.exec(url.pathname);
    if (!m) continue;
    try {
      const parts = m.slice(1).map((s) => decodeURIComponent(s));
      const out = handler({ read, url }, parts);
      return out instanceof Response ? out : new Response(out, { headers: { "content-type": HTML } });
    } catch (e) {
      if (e instanceof NotFound || e instanceof URIError || (e as Error)?.name === "TrackingError") {
        return notFound((e as Error).message);
      }
      return new Response(
        page(
          "Error · sentilab",
          html`
            <h1>Error</h1>
            <pre class="preview">${(e as Error)?.message ?? String(e)}</pre>
          `,
        ),
        {
          status: 500,
          headers: { "content-type": HTML },
        },
      );
    }
  }
  return notFound(`nothing at ${url.pathname}`);
}

/** A 404 page. */
export function notFound(message: string): Response {
  return new Response(
    page(
      "Not found · sentilab",
      html`
        <h1>Not found</h1>
        <p>${message}</p>
        <p><a href="/">runs</a></p>
      `,
    ),
    {
      status: 404,
      headers: { "content-type": HTML },
    },
  );
}
