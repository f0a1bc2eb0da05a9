// The page checks shared by the Chromium page tests: axe-core in light and dark mode at 1280
// and 390 px, in English and German, the page's width at 390 px, and a screenshot of each.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './signet.mjs';

const axeSource = readFileSync(join(repoRoot, 'interop', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
export const MODES = [
  { scheme: 'light', width: 1280 }, { scheme: 'dark', width: 1280 },
  { scheme: 'light', width: 390 }, { scheme: 'dark', width: 390 },
];
export const LANGS = ['en', 'de'];

/** A `check(page, name, reload)` that records into `results` and screenshots into `out`. */
export function pageChecker(base, out, results) {
  return async function check(page, name, reload = () => page.reload()) {
    for (const lang of LANGS) {
      if (lang !== 'en') {
        await page.context().addCookies([{ name: 'signet_lang', value: lang, url: base }]);
        await reload();
      }
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang, `${name}: <html lang>`);
      for (const m of MODES) {
        await page.setViewportSize({ width: m.width, height: m.width === 390 ? 844 : 900 });
        await page.emulateMedia({ colorScheme: m.scheme });
        if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
          .violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        results.push({ page: name, lang, ...m, scrollWidth, violations });
        await page.screenshot({ path: join(out, `${name}-${lang}-${m.width}-${m.scheme}.png`), fullPage: true });
      }
    }
    await page.context().clearCookies({ name: 'signet_lang' });
  };
}

/** The verdicts: no serious or critical axe violation, nothing wider than 390 px. */
export function assertClean(results) {
  const serious = results.filter((r) => r.violations.some((v) => v.impact === 'serious' || v.impact === 'critical'));
  assert.deepEqual(serious.map((r) => `${r.page} ${r.lang} ${r.width} ${r.scheme}: ${JSON.stringify(r.violations)}`), [],
    'axe_clean_light_and_dark');
  const wide = results.filter((r) => r.width === 390 && r.scrollWidth > 390);
  assert.deepEqual(wide.map((r) => `${r.page} ${r.lang} ${r.scheme}: ${r.scrollWidth}px`), [],
    'pages_fit_390px_without_horizontal_scroll');
}
