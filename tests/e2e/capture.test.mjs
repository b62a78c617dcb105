// Lead capture end to end on /p/demo?ch=e2e, on a phone: the plain form post with JavaScript off
// (303 to the thank-you page) and the JSON submit with it on (landform.js then opens the answer's
// thanks_url, the thank-you page with the share link, as the demo page offers one); then the rows, read with
// $LANDFORM_PSQL: one lead for +8613812345678, each submission's fields byte-exact (CJK, emoji,
// an apostrophe, markup kept as text), channel e2e. Also: a bad phone number shows its error
// next to the field and keeps everything typed, with and without JavaScript, and stores nothing.
import fs from 'node:fs';
import path from 'node:path';
import { start, launch, phone, baseUrl, psqlJson, sleep, recordJson, ROOT } from './lib.mjs';

const t = start('capture');
const BASE = baseUrl();
const URL_ = `${BASE}/p/demo?ch=e2e`;
const FORM = JSON.parse(fs.readFileSync(path.join(ROOT, 'landing', 'demo', 'form.json'), 'utf8'));
const THANKS = FORM.thanks['zh-CN'];
const E164 = '+8613812345678';
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const COMPANY = '<script>alert(1)</script>';
const STAMP_WAIT = 2100; // the form stamp refuses posts younger than 2 s after render

// Each attempt gets its own name so this run's rows are found whatever earlier runs left.
const who = {
	nojs: `李雷 O'Brien 🚀 ${RUN}-nojs`,
	js: `韩梅梅 D'Arcy 😀 ${RUN}-js`,
	badNojs: `张伟 O'Neil 🙂 ${RUN}-bad-nojs`,
	badJs: `王芳 L'Amour 🎉 ${RUN}-bad-js`,
};

// Opens the form and notes when it was rendered, so the post waits out the stamp's minimum age.
async function openForm(ctx) {
	const page = await ctx.newPage();
	const res = await page.goto(URL_);
	t.is(res.status(), 200, `GET /p/demo?ch=e2e answers 200 (JS ${ctx._js ? 'on' : 'off'})`);
	return { page, rendered: Date.now() };
}

async function fill(page, name, mobile) {
	await page.fill('form [name=name]', name);
	await page.fill('form [name=mobile]', mobile);
	await page.fill('form [name=company]', COMPANY);
	await page.check('form [name=agree]');
}

async function waitStamp(rendered) {
	const left = STAMP_WAIT - (Date.now() - rendered);
	if (left > 0)
		await sleep(left);
}

async function typed(page) {
	return page.evaluate(() => {
		const f = document.querySelector('form');
		return { name: f.elements.name.value, mobile: f.elements.mobile.value,
		    company: f.elements.company.value, agree: f.elements.agree.checked };
	});
}

// The visible error for the mobile field, and where it sits relative to the input.
async function mobileError(page) {
	return page.evaluate(() => {
		const i = document.querySelector('form [name=mobile]'), r = i.getBoundingClientRect();
		const errs = [...document.querySelectorAll('.field-error')].filter((e) => e.offsetParent !== null);
		const near = errs.map((e) => ({ e, b: e.getBoundingClientRect() }))
		    .filter(({ b }) => b.top >= r.bottom - 1 && b.top - r.bottom < 60 && b.height > 0);
		return {
			count: errs.length,
			near: near.length ? near[0].e.textContent.trim() : null,
			described: (i.getAttribute('aria-describedby') || '').split(/\s+/)
			    .some((id) => { const e = document.getElementById(id); return e && e.classList.contains('field-error'); }),
			invalid: i.getAttribute('aria-invalid'),
		};
	});
}

const browser = await launch();
try {
	const nojs = await phone(browser, t, { javaScriptEnabled: false });
	nojs._js = false;
	const js = await phone(browser, t);
	js._js = true;

	await t.step('JS off: plain post, 303, thank-you page', async () => {
		const { page, rendered } = await openForm(nojs);
		await t.shot(page, 'nojs-form');
		await fill(page, who.nojs, '138 1234 5678');
		await waitStamp(rendered);
		const post = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/p/demo');
		await page.click('form button[type=submit]');
		const r = await post;
		t.is(r.status(), 303, 'the form post answers 303 See Other');
		await page.waitForLoadState('load');
		const u = new URL(page.url());
		t.ok(u.pathname !== '/p/demo' || u.search !== '?ch=e2e', 'the browser followed the redirect', page.url());
		t.is(u.searchParams.get('ch'), 'e2e', 'the thank-you URL keeps the channel');
		t.ok(await page.locator(`text=${THANKS}`).isVisible(), 'the thank-you page shows the thanks from form.json');
		t.is(await page.locator('form [name=mobile]').count(), 0, 'no form on the thank-you page');
		await t.shot(page, 'nojs-thanks');
		await page.close();
	});

	await t.step('JS on: JSON submit, then the thank-you page', async () => {
		const { page, rendered } = await openForm(js);
		const beacon = page.waitForRequest((r) => r.method() === 'POST' &&
		    r.url() === `${BASE}/p/demo/open?ch=e2e`, { timeout: 5000 }).catch(() => null);
		await fill(page, who.js, '138 1234 5678');
		t.ok(await beacon, 'the first focus sent the "form opened" beacon to /p/demo/open?ch=e2e');
		await waitStamp(rendered);
		const answers = await recordJson(page, '/api/v1/pages/demo/submissions');
		await page.click('form button[type=submit]');
		// The demo page offers a share link: landform.js opens thanks_url, which shows it.
		await page.waitForURL((u) => u.pathname === '/p/demo/thanks', { timeout: 8000 });
		const { status, body } = answers[0] || {};
		t.ok(status >= 200 && status < 300, 'the JSON submit answers 2xx', status);
		t.ok(body && body.ok === true && body.thanks === THANKS && /^\/p\/demo\/thanks\?.*&t=/.test(body.thanks_url),
		    'with {"ok":true,"thanks":…,"thanks_url":…}', JSON.stringify(body));
		t.is(page.url(), body && `${BASE}${body.thanks_url}`, 'then the browser opens thanks_url');
		t.is(new URL(page.url()).searchParams.get('ch'), 'e2e', 'the thank-you URL keeps the channel');
		t.ok(await page.locator(`text=${THANKS}`).isVisible(), 'the thank-you page shows the thanks from form.json');
		t.ok(await page.locator('[data-lf-share]').isVisible(), '... and the visitor\'s share link');
		await t.shot(page, 'js-thanks');
		await page.close();
	});

	await t.step('JS off: bad phone', async () => {
		const { page, rendered } = await openForm(nojs);
		await fill(page, who.badNojs, '12345');
		await waitStamp(rendered);
		const post = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/p/demo');
		await page.click('form button[type=submit]');
		const r = await post;
		t.is(r.status(), 422, 'a bad phone answers 422 with the page again');
		await page.waitForLoadState('load');
		t.ok(!(await r.text()).includes(COMPANY), 'the typed markup comes back escaped, never raw');
		const e = await mobileError(page);
		t.ok(e.near && e.described && e.invalid === 'true', 'the error shows right under the mobile field', JSON.stringify(e));
		t.ok(await page.locator('.form-errors[role=alert]').isVisible(), 'and in the summary above the form');
		t.is(await typed(page), { name: who.badNojs, mobile: '12345', company: COMPANY, agree: true },
		    'everything typed is kept');
		await t.shot(page, 'nojs-bad-phone');
		await page.close();
	});

	await t.step('JS on: bad phone', async () => {
		const { page, rendered } = await openForm(js);
		await fill(page, who.badJs, '12345');
		await waitStamp(rendered);
		const api = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/pages/demo/submissions');
		await page.click('form button[type=submit]');
		const r = await api;
		t.is(r.status(), 422, 'the JSON submit answers 422');
		const body = await r.json().catch(() => null);
		t.ok(body && body.error && body.error.field === 'mobile' && body.error.message,
		    'with {"error":{"field":"mobile",…}}', JSON.stringify(body));
		await page.waitForSelector('form [name=mobile][aria-invalid=true]', { timeout: 5000 });
		const e = await mobileError(page);
		t.ok(e.near && e.near === body.error.message && e.described, 'the message shows right under the mobile field',
		    JSON.stringify(e));
		t.ok(await page.evaluate(() => document.activeElement && document.activeElement.name === 'mobile'),
		    'the mobile field has the focus');
		t.is(page.url(), URL_, 'without leaving the page');
		t.is(await typed(page), { name: who.badJs, mobile: '12345', company: COMPANY, agree: true },
		    'everything typed is kept');
		await t.shot(page, 'js-bad-phone');
		await page.close();
	});

	await t.step('rows', async () => {
		const got = psqlJson(`
SELECT json_build_object(
  'leads', (SELECT count(*) FROM landform.leads WHERE phone = :'phone'),
  'subs', (SELECT coalesce(json_agg(json_build_object(
		'fields', s.fields, 'channel', c.code, 'page', p.slug, 'consent', s.consent_text IS NOT NULL,
		'name_hex', encode(convert_to(s.fields->>'name', 'UTF8'), 'hex')) ORDER BY s.id), '[]')
	FROM landform.submissions s
	JOIN landform.leads l ON l.id = s.lead_id
	JOIN landform.pages p ON p.id = s.page_id
	LEFT JOIN landform.channels c ON c.id = s.channel_id
	WHERE l.phone = :'phone' AND s.fields->>'name' IN (:'n1', :'n2', :'n3', :'n4')))`,
		    { phone: E164, n1: who.nojs, n2: who.js, n3: who.badNojs, n4: who.badJs });
		t.is(got.leads, 1, `one lead for ${E164}`);
		t.is(got.subs.length, 2, 'two submissions from this run (the bad phones stored nothing)',
		    JSON.stringify(got.subs));
		for (const [i, name] of [who.nojs, who.js].entries()) {
			const s = got.subs[i] || {};
			const how = i ? 'JS on' : 'JS off';
			t.is(s.fields, { name, mobile: E164, company: COMPANY, agree: true },
			    `${how}: fields stored exactly (phone in E.164, consent as true)`);
			t.is(s.name_hex, Buffer.from(name, 'utf8').toString('hex'), `${how}: the name is byte-exact UTF-8`);
			t.ok(s.channel === 'e2e' && s.page === 'demo' && s.consent === true,
			    `${how}: page demo, channel e2e, consent text recorded`, JSON.stringify(s));
		}
	});
	await nojs.close();
	await js.close();
} finally {
	await browser.close();
	t.end();
}
