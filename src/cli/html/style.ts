/**
 * The page's styles, inline. Sizes in rem and a fluid width, so that the page reflows at 200%
 * zoom (wide tables scroll inside their box, not the page); colours with at least 4.5:1 contrast.
 */
export const HTML_STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1a1a1a; background: #fff; }
body { margin: 0 auto; padding: 1rem; max-width: 72rem; }
h1 { font-size: 1.8rem; margin: 0.5rem 0; }
h2 { font-size: 1.4rem; margin-top: 2.5rem; border-bottom: 2px solid #0072B2; padding-bottom: 0.2rem; overflow-wrap: anywhere; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
.skip { position: absolute; left: -999rem; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.5rem; outline: 3px solid #0072B2; }
a { color: #005a8c; }
a:focus, summary:focus { outline: 3px solid #D55E00; outline-offset: 2px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
.hash { font-size: 0.8em; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; min-width: 50%; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.6rem; vertical-align: top; text-align: left; }
thead th { background: #eef4f8; }
td[data-count], .counts td, .forecast td:nth-child(2), .forecast td:nth-child(3) { text-align: right; font-variant-numeric: tabular-nums; }
tfoot th, tfoot td { font-weight: 600; background: #f6f6f6; }
blockquote { margin: 0; font-style: italic; max-width: 40rem; }
.note { color: #4d4d4d; font-size: 0.9em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
dl.glossary dt { font-weight: 600; font-family: ui-monospace, Menlo, Consolas, monospace; }
dl.glossary dd { margin: 0 0 0.4rem 1.5rem; }
figure { margin: 1rem 0; }
figcaption { font-size: 0.9rem; color: #4d4d4d; }
svg.chart { width: 100%; max-width: 48rem; height: auto; display: block; }
svg.chart text { font-size: 11px; fill: #333; }
svg.chart .grid { stroke: #ddd; stroke-width: 1; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; font-size: 0.9rem; }
ul.legend svg { vertical-align: -2px; }
details { margin: 0.5rem 0 1rem; }
summary { cursor: pointer; color: #005a8c; }
footer { margin-top: 3rem; font-size: 0.9rem; color: #4d4d4d; border-top: 1px solid #ddd; }
@media (max-width: 40rem) { body { padding: 0.5rem; } dl.facts { grid-template-columns: 1fr; } }
@media print { .skip { display: none; } details { display: block; } }
`;
