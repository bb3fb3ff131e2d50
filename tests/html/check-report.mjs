// Loads a kplan HTML report in headless Chromium (Debian's, driven by playwright-core)
// and prints what a person's browser shows, as JSON:
//   lang, findings listed (li.finding), findings counted (sum of the groups' data-count),
//   the page's own total, outlined cells, the requests the page made besides itself,
//   console errors, and axe-core's accessibility violations (WCAG 2.x A and AA).
// A screenshot of the whole page is written beside it.
// usage: node check-report.mjs REPORT.html SHOT.png
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
// the packages live in $KPLAN_NODE_TOOLS (tests/integration/html-report.sh installs them)
const require = createRequire(process.env.KPLAN_NODE_TOOLS ? `${process.env.KPLAN_NODE_TOOLS}/node_modules/` : import.meta.url);
const { chromium } = require('playwright-core');
const axePath = require.resolve('axe-core/axe.min.js');

const [report, shot] = process.argv.slice(2);
const url = pathToFileURL(report).href;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const out = {};
try {
  // 1. as a person opens it: nothing may load but the file itself
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests = [], consoleErrors = [];
  page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto(url, { waitUntil: 'load' });
  Object.assign(out, await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content || '',
    listed: document.querySelectorAll('li.finding').length,
    counted: [...document.querySelectorAll('details.group')]
      .reduce((n, d) => n + Number(d.dataset.count), 0),
    total: Number(document.querySelector('[data-findings]')?.dataset.findings),
    groups: document.querySelectorAll('details.group').length,
    outlined: document.querySelectorAll('table.excerpt td.bad').length,
    scripts: document.querySelectorAll('script').length,
    valid: document.getElementById('verdict')?.dataset.valid,
    verdict: document.getElementById('verdict')?.textContent,
    height: document.documentElement.scrollHeight,
  })));
  await page.screenshot({ path: shot, fullPage: true });
  out.requests = requests;
  out.consoleErrors = consoleErrors;
  await page.close();
  // 2. axe-core needs its script in the page: a second load that lifts the CSP for it
  const ctx = await browser.newContext({ bypassCSP: true });
  const p2 = await ctx.newPage();
  await p2.goto(url, { waitUntil: 'load' });
  // the groups are read open, as a person expanding them would
  await p2.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  await p2.addScriptTag({ path: axePath });
  const axe = await p2.evaluate(async () =>
    // eslint-disable-next-line no-undef
    await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } }));
  out.violations = axe.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
    target: v.nodes[0]?.target }));
  out.axePasses = axe.passes.length;
  await ctx.close();
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
