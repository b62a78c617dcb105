// Every example landing page (demo, ask) in zh-CN and en, as a phone in WeChat sees it, from the
// running stack: lang attribute and viewport; nothing loaded from another host; no inline script
// or handler (the CSP is script-src 'self'); HTML + CSS under 30 KB; no sideways scrolling;
// inputs at 16 px or more (iOS zooms below that); tap targets at least 44 px high; visible
// focus; text contrast at least 4.5:1 (3:1 for large text); the honeypot off-screen but not
// display:none; the language link keeps ?ch=. Screenshots of each page and thank-you page.
import { start, launch, phone, baseUrl } from './lib.mjs';

const t = start('pages');
const BASE = baseUrl();
const ORIGIN = new URL(BASE).origin;
const BUDGET = 30 * 1024;

// Runs in the page: every check that needs layout or computed styles.
function inspect() {
	const vis = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
	const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = ([r, g, b]) => {
		const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
		return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
	};
	// The colour behind an element: the nearest opaque background up the tree (white at the top).
	const bg = (e) => {
		for (; e; e = e.parentElement) {
			const c = rgb(getComputedStyle(e).backgroundColor);
			if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) return c;
		}
		return [255, 255, 255];
	};
	const out = { lowContrast: [], smallInputs: [], smallTargets: [], inline: [] };
	out.lang = document.documentElement.getAttribute('lang');
	out.viewport = (document.querySelector('meta[name=viewport]') || {}).content || '';
	out.scrollWidth = document.documentElement.scrollWidth;
	out.inlineScripts = document.querySelectorAll('script:not([src])').length;
	out.styleElements = document.querySelectorAll('style').length;
	for (const e of document.querySelectorAll('*'))
		for (const a of e.attributes)
			if (/^on/i.test(a.name) || a.name === 'style') out.inline.push(`${e.tagName}[${a.name}]`);
	for (const e of document.querySelectorAll('body *')) {
		if (!vis(e) || e.closest('.hp')) continue;
		const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
		if (!own) continue;
		const s = getComputedStyle(e), size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
		const L1 = lum(rgb(s.color)), L2 = lum(bg(e));
		const ratio = (Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05);
		const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
		if (ratio < need) out.lowContrast.push(`${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 20)}" ${ratio.toFixed(2)}`);
	}
	const form = document.querySelector('form');
	for (const e of document.querySelectorAll('input, textarea, select')) {
		if (!vis(e) || e.closest('.hp') || e.type === 'checkbox' || e.type === 'radio') continue;
		if (parseFloat(getComputedStyle(e).fontSize) < 16) out.smallInputs.push(e.name);
	}
	// Controls and the language links must be big enough to hit; links inside running text are exempt.
	const targets = [...document.querySelectorAll('button, input, select, textarea, summary, .langs a, .jump, form label')]
	    .filter((e) => vis(e) && !e.closest('.hp') && e.type !== 'hidden' && e.type !== 'checkbox');
	for (const e of targets) {
		if (e.tagName === 'LABEL' && !e.querySelector('input[type=checkbox], input[type=radio]')) continue;
		const r = e.getBoundingClientRect();
		if (r.height < 44) out.smallTargets.push(`${e.tagName}.${e.className || e.name || ''} ${Math.round(r.height)}px`);
	}
	const hp = document.querySelector('.hp');
	if (hp) {
		const r = hp.getBoundingClientRect();
		out.hp = { display: getComputedStyle(hp).display, offscreen: r.right <= 0 || r.bottom <= 0 || r.left >= innerWidth };
	}
	out.hasForm = !!form;
	out.langEn = (document.querySelector('a[hreflang=en]') || {}).href || null;
	return out;
}

async function checkPage(ctx, slug, lang, url) {
	const page = await ctx.newPage();
	const foreign = [];
	const bytes = {};
	page.on('request', (r) => { if (!r.url().startsWith(ORIGIN) && !r.url().startsWith('data:')) foreign.push(r.url()); });
	page.on('response', async (r) => {
		const type = r.request().resourceType();
		if (type === 'document' || type === 'stylesheet')
			bytes[r.url()] = (await r.body().catch(() => Buffer.alloc(0))).length;
	});
	const res = await page.goto(url, { waitUntil: 'networkidle' });
	const id = `${slug} ${lang}`;
	t.is(res.status(), 200, `${id}: 200`);
	const csp = res.headers()['content-security-policy'] || '';
	t.ok(/script-src 'self'/.test(csp), `${id}: served with a CSP script-src 'self'`, csp);
	const x = await page.evaluate(inspect);
	t.is(x.lang, lang, `${id}: <html lang="${lang}">`);
	t.ok(/width=device-width/.test(x.viewport) && !/user-scalable=no|maximum-scale=1\b/.test(x.viewport),
	    `${id}: viewport meta, zoom allowed`, x.viewport);
	t.is(foreign, [], `${id}: nothing from another host`);
	t.ok(x.inlineScripts === 0 && x.inline.length === 0, `${id}: no inline script, handler or style attribute`,
	    JSON.stringify(x.inline));
	const total = Object.values(bytes).reduce((a, b) => a + b, 0);
	t.ok(total > 0 && total < BUDGET, `${id}: HTML + CSS ${total} bytes, under 30 KB`, JSON.stringify(bytes));
	t.ok(x.scrollWidth <= 390, `${id}: no sideways scrolling at 390 px`, x.scrollWidth);
	t.is(x.smallInputs, [], `${id}: inputs at 16 px or more`);
	t.is(x.smallTargets, [], `${id}: tap targets at least 44 px high`);
	t.is(x.lowContrast, [], `${id}: text contrast at least 4.5:1`);
	t.ok(x.hasForm, `${id}: has the form`);
	t.ok(x.hp && x.hp.display !== 'none' && x.hp.offscreen, `${id}: honeypot off-screen, not display:none`,
	    JSON.stringify(x.hp));
	await page.focus('form input:not([type=hidden]):not([tabindex="-1"])');
	const outline = await page.evaluate(() => {
		const s = getComputedStyle(document.activeElement);
		return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
	});
	t.ok(outline, `${id}: a focused field shows a focus outline`);
	await t.shot(page, `${slug}-${lang}`);
	await page.close();
	return x;
}

const browser = await launch();
try {
	const ctx = await phone(browser, t);
	for (const slug of ['demo', 'ask']) {
		await t.step(slug, async () => {
			const zh = await checkPage(ctx, slug, 'zh-CN', `${BASE}/p/${slug}?ch=e2e`);
			const en = zh.langEn && new URL(zh.langEn);
			t.ok(en && en.searchParams.get('ch') === 'e2e', `${slug}: the English link keeps ?ch=`, zh.langEn);
			if (en)
				await checkPage(ctx, slug, 'en', en.href);
			for (const [lang, q] of [['zh-CN', 'ch=e2e'], ['en', 'ch=e2e&lang=en']]) {
				const page = await ctx.newPage();
				const r = await page.goto(`${BASE}/p/${slug}/thanks?${q}`);
				t.is(r.status(), 200, `${slug} ${lang}: thank-you page answers 200`);
				t.ok(await page.locator('.thanks').isVisible(), `${slug} ${lang}: thank-you page shows the thanks`);
				await t.shot(page, `${slug}-${lang}-thanks`);
				await page.close();
			}
		});
	}
	await ctx.close();
} finally {
	await browser.close();
	t.end();
}
