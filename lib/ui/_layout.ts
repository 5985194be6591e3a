// Private: the page shell shared by the viewer, exported run pages and evaluation reports.
import { CSS } from "./_assets.ts";
import { html, type Markup, raw } from "./_html.ts";

/** How a page is delivered. */
export interface LayoutOptions {
  /** A static file (export, report): the stylesheet inline, no script, no viewer navigation. */
  static?: boolean;
}

/** A whole HTML document around `body`. */
export function page(title: string, body: Markup, options: LayoutOptions = {}): string {
  const head = options.static ? html`<style>${raw(CSS)}</style>` : html`
    <link rel="stylesheet" href="/app.css">
    <script src="/app.js" defer></script>
  `;
  const nav = options.static ? html`<header class="top"><span class="brand">sentilab</span></header>` : html`
    <header
      class="top"><a class="brand" href="/">sentilab</a><a href="/">Runs</a><a href="/artifacts">Artifacts</a></header>
  `;
  return "<!doctype html>\n" + html`
    <html lang="en">
      <head><meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="sentilab">
    <title>${title}</title>${head}</head>
      <body>${nav}<main>${body}</main></body>
    </html>
  `.value;
}
