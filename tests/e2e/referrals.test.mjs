// Referrals (issue 17) on a phone, with JavaScript off (the plain post whose 303 opens the
// thank-you page) and on (landform.js posts JSON, then opens the answer's thanks_url since the
// demo page marks its in-page thanks data-lf-share): after a submission the thank-you page shows
// the visitor's own share link and its QR code, both within a phone's width, and weighs under
// 30 KB; opening the link lands on the page with the referral carried in the form (hidden _ref);
// a friend's submission through it records referred_by the first visitor (read with
// $LANDFORM_PSQL).
import { start, launch, phone, baseUrl, psql, sleep, recordJson } from './lib.mjs';

const t = start('referrals');
const BASE = baseUrl();
const STAMP_WAIT = 2100; // the form stamp refuses posts younger than 2 s after render
const R = String(Date.now() % 100000).padStart(5, '0');
const API = '/api/v1/pages/demo/submissions';

// Fills and posts the demo form (at least 2 s after it was rendered) and waits for the page it
// ends on; resolves to the post's answer, {status, body}: the plain post's (JS off) or the JSON
// one's (JS on, with its body: the request, to check _ref).
async function submit(page, js, rendered, name, mobile) {
	const answers = js ? await recordJson(page, API) : null;
	await page.fill('form [name=name]', name);
	await page.fill('form [name=mobile]', mobile);
	await page.check('form [name=agree]');
	const left = STAMP_WAIT - (Date.now() - rendered);
	if (left > 0)
		await sleep(left);
	const path = js ? API : '/p/demo';
	const post = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path);
	await page.click('form button[type=submit]');
	const r = await post;
	if (js)
		await page.waitForURL((u) => u.pathname === '/p/demo/thanks', { timeout: 8000 });
	await page.waitForLoadState('load');
	return js ? { ...answers[0], request: r.request() } : { status: r.status() };
}

// One visitor submits and gets a link; a friend follows it and submits: JS off, then on.
async function chain(browser, js) {
	const how = js ? 'JS on' : 'JS off';
	const A = `+86133${R}00${js ? 3 : 1}`, B = `+86133${R}00${js ? 4 : 2}`;
	const ctx = await phone(browser, t, { javaScriptEnabled: js });
	let link = null;

	await t.step(`${how}: the thank-you page offers the share link and its QR`, async () => {
		const page = await ctx.newPage();
		await page.goto(`${BASE}/p/demo`);
		const r = await submit(page, js, Date.now(), `推荐人 ${R}`, A);
		if (js) {
			const body = r.body;
			t.ok(r.status === 201 && body && body.ok === true && /^\/p\/demo\/thanks\?.*&t=t1\./.test(body.thanks_url),
			    `${how}: the JSON submit answers 201 with the thank-you address (thanks_url)`, JSON.stringify(body));
			t.is(page.url(), body && `${BASE}${body.thanks_url}`, `${how}: landform.js opened that address`);
		} else {
			t.is(r.status, 303, `${how}: the post answers 303`);
		}
		t.is(new URL(page.url()).pathname, '/p/demo/thanks', `${how}: the browser is on the thank-you page`);
		const a = page.locator('[data-lf-share]');
		t.ok(await a.isVisible(), `${how}: it shows a share link`);
		link = (await a.textContent()).trim();
		const token = psql(`SELECT t.token FROM landform.referral_tokens t JOIN landform.leads l ON l.id = t.lead_id
		                    WHERE l.phone = :'p'`, { p: A });
		t.is(link, `${BASE}/r/${token}`, `${how}: the link is public_url/r/<the token SQL made for this lead>`);
		t.is(await a.getAttribute('href'), link, `${how}: ... and a link you can tap`);
		const qr = page.locator('.share svg');
		t.ok(await qr.isVisible(), `${how}: its QR code shows`);
		const box = await qr.boundingBox();
		t.ok(box && box.width >= 120 && box.x >= 0 && box.x + box.width <= 390,
		    `${how}: the QR code is big enough to scan and fits the phone-sized screen`, JSON.stringify(box));
		const wide = await page.evaluate(() => document.documentElement.scrollWidth);
		t.ok(wide <= 390, `${how}: nothing scrolls sideways`, wide);
		const html = await (await page.request.get(page.url())).text();
		const css = await (await page.request.get(`${BASE}/assets/_common/style.css`)).text();
		const kb = (Buffer.byteLength(html) + Buffer.byteLength(css)) / 1024;
		t.ok(kb < 30, `${how}: the thank-you page with its stylesheet weighs under 30 KB (${kb.toFixed(1)} KB)`);
		await t.shot(page, `thanks-share-${js ? 'js' : 'nojs'}`);
		await page.close();
	});

	await t.step(`${how}: following the link carries the referral to the form`, async () => {
		const page = await ctx.newPage();
		const res = await page.goto(link);
		t.is(res.status(), 200, `${how}: the link opens the page`);
		t.is(new URL(page.url()).pathname, '/p/demo', `${how}: ... the referrer's page`);
		const ref = await page.getAttribute('form input[type=hidden][name=_ref]', 'value');
		t.ok(/^r1\.[0-9a-f]{32}\.[0-9a-f]{32}$/.test(ref || ''), `${how}: the form carries the signed referral (hidden _ref)`, ref);
		const rendered = Date.now();
		await t.shot(page, `referred-form-${js ? 'js' : 'nojs'}`);
		const r = await submit(page, js, rendered, `朋友 ${R}`, B);
		t.is(r.status, js ? 201 : 303, `${how}: the friend's post answers ${js ? 201 : 303}`);
		if (js)
			t.is(JSON.parse(r.request.postData() || '{}')._ref, ref, `${how}: the JSON post carried _ref`);
		t.is(psql(`SELECT r.phone FROM landform.leads l JOIN landform.leads r ON r.id = l.referred_by
		           WHERE l.phone = :'p'`, { p: B }), A, `${how}: the friend's lead records referred_by the first visitor`);
		t.ok(await page.locator('[data-lf-share]').isVisible(), `${how}: the friend gets a share link of their own`);
		await page.close();
	});
	await ctx.close();
}

const browser = await launch();
try {
	await chain(browser, false);
	await chain(browser, true);
} finally {
	await browser.close();
	t.end();
}
