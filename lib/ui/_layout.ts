// Private: the page shell shared by the viewer, exported run pages and evaluation reports.
import { CSS } from "./_assets.ts";
import { html, type Markup, raw } from "./_html.ts";

/** How a page is delivered. */
export interface LayoutOptions {
  /** A static file (export, report): the stylesheet inline, no script, no viewer navigation. */
  static?: boolean;
}

const VIEWER_HEAD = '<link rel="stylesheet" href="/app.css"><script src="/app.js" defer></script>';
const VIEWER_NAV = '<header class="top"><a class="brand" href="/">sentilab</a><a href="/">Runs</a>' +
  '<a href="/artifacts">Artifacts</a></header>';
const STATIC_NAV = '<header class="top"><span class="brand">sentilab</span></header>';

/** A whole HTML document around `body` (the body is one element, so it also parses as XML). */
export function page(title: string, body: Markup, options: LayoutOptions = {}): string {
  const head = options.static ? `<style>${CSS}</style>` : VIEWER_HEAD;
  const nav = options.static ? STATIC_NAV : VIEWER_NAV;
  return '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="generator" content="sentilab">' +
    html`<title>${title}</title>`.value + head + "</head>\n<body>" +
    html`<div class="page">${raw(nav)}<main>${body}</main></div>`.value + "</body>\n</html>\n";
}
