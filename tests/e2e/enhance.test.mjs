// landform.js against a mocked server (no stack needed): the real landing/demo page.html and assets,
// a stand-in generated form, and scripted answers from /api/v1/pages/demo/submissions.
// Covers: open beacon once; JSON body shape; 4xx error next to the field with typed values kept;
// 2xx in-page thanks (as text, never HTML), or the answer's thanks_url opened when the in-page
// thanks is marked data-lf-share (and only then); fallback to the plain post on 5xx, network error
// and a 4xx without a JSON error; a form-level error; no CSP violation under script-src 'self'.
import fs from 'node:fs';
import path from 'node:path';
import { start, launch, phone, renderTemplate, sleep, ROOT } from './lib.mjs';

const t = start('enhance');
const ORIGIN = 'http://landform.test';
const PAGE = `${ORIGIN}/p/demo?ch=t1`;
const DIR = path.join(ROOT, 'landing', 'demo');
const NAME = "王小明 O'Brien 😀";

// Markup as fcgi/schema_html.c renders it (no data-slug: the slug comes from the path), plus a
// checkbox group to check arrays.
const FORM = `<form class="lf-form" method="post" action="/p/demo?ch=t1" accept-charset="utf-8">
<input type="hidden" name="_stamp" value="s1.abc">
<div class="field field-text">
<label for="f-name">姓名<span class="req" aria-hidden="true">*</span></label>
<input type="text" id="f-name" name="name" required maxlength="40" autocomplete="name">
</div>
<div class="field field-tel">
<label for="f-mobile">手机号<span class="req" aria-hidden="true">*</span></label>
<input type="tel" id="f-mobile" name="mobile" required aria-describedby="f-mobile-hint" inputmode="tel" maxlength="20">
<p class="hint" id="f-mobile-hint">11 位手机号</p>
</div>
<div class="field field-text">
<label for="f-company">公司名称</label>
<input type="text" id="f-company" name="company" maxlength="100" autocomplete="organization">
</div>
<div class="field field-checkbox">
<label><input type="checkbox" value="stock" name="topics"><span>库存</span></label>
<label><input type="checkbox" value="orders" name="topics"><span>订单</span></label>
</div>
<div class="field field-checkbox">
<label><input type="checkbox" value="yes" id="f-agree" name="agree" required aria-describedby="f-agree-text"><span>我同意<span class="req" aria-hidden="true">*</span></span></label>
<p class="hint consent-text" id="f-agree-text">仅用于安排演示。</p>
</div>
<div class="hp" aria-hidden="true"><label for="f-_website">此项请留空</label><input type="text" id="f-_website" name="_website" value="" tabindex="-1" autocomplete="off"></div>
<button type="submit">预约演示</button>
</form>`;

const HTML = renderTemplate(fs.readFileSync(path.join(DIR, 'page.html'), 'utf8'), {
	lang: 'zh-CN', zh: true, en: false, slug: 'demo', title: '预约产品演示', assets: '/assets/demo', common: '/assets/_common',
	form: FORM, is_thanks: false, thanks: '', channel: 't1',
	lang_zh_url: '/p/demo?ch=t1&lang=zh-CN', lang_en_url: '/p/demo?ch=t1&lang=en',
});
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'";

// One scripted server per page: api() decides each JSON answer; everything is recorded.
async function open(ctx, api, html = HTML) {
	const page = await ctx.newPage();
	const seen = { beacons: [], api: [], posts: [], csp: [], errors: [] };
	page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) seen.csp.push(m.text()); });
	page.on('pageerror', (e) => seen.errors.push(String(e)));
	await page.route(`${ORIGIN}/**`, async (route) => {
		const req = route.request(), u = new URL(req.url());
		if (u.pathname.startsWith('/assets/_common/')) {
			const f = path.join(DIR, '..', '_common', 'assets', path.basename(u.pathname));
			const type = f.endsWith('.css') ? 'text/css' : f.endsWith('.js') ? 'text/javascript' : 'image/svg+xml';
			return route.fulfill({ status: 200, contentType: type, body: fs.readFileSync(f) });
		}
		if (u.pathname === '/p/demo/open') {
			seen.beacons.push({ method: req.method(), url: req.url() });
			return route.fulfill({ status: 204 });
		}
		if (u.pathname === '/api/v1/pages/demo/submissions') {
			seen.api.push({ url: req.url(), headers: req.headers(), body: req.postData() });
			return api(route, seen.api.length);
		}
		if (u.pathname === '/p/demo' && req.method() === 'POST') {
			seen.posts.push({ url: req.url(), body: req.postData() });
			return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8',
			    body: '<!DOCTYPE html><html lang="zh-CN"><title>ok</title><p class="thanks">plain post arrived</p>' });
		}
		if (u.pathname === '/p/demo/thanks')
			return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8',
			    body: '<!DOCTYPE html><html lang="zh-CN"><title>ok</title><p class="thanks">thank-you page</p>' });
		if (u.pathname === '/p/demo')
			return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8',
			    headers: { 'Content-Security-Policy': CSP }, body: html });
		return route.fulfill({ status: 404, body: 'not found' });
	});
	await page.goto(PAGE);
	return { page, seen };
}

const json = (status, obj) => (route) => route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(obj) });

async function fill(page, mobile) {
	await page.fill('#f-name', NAME);
	await page.fill('#f-mobile', mobile);
	await page.fill('#f-company', '<script>alert(1)</script>');
	await page.check('input[name=topics][value=stock]');
	await page.check('input[name=topics][value=orders]');
	await page.check('input[name=agree]');
}

async function values(page) {
	return page.evaluate(() => ({
		name: document.querySelector('#f-name').value,
		mobile: document.querySelector('#f-mobile').value,
		company: document.querySelector('#f-company').value,
		consent: document.querySelector('input[name=agree]').checked,
	}));
}

const browser = await launch();
try {
	const ctx = await phone(browser, t);

	await t.step('error then thanks', async () => {
		const answers = [
			json(422, { error: { field: 'mobile', code: 'not_mobile', message: '请输入 11 位中国大陆手机号' }, stamp: 's2.renewed' }),
			json(200, { ok: true, thanks: '谢谢！<b>不是 HTML</b>', redirect: null }),
		];
		const { page, seen } = await open(ctx, (route, n) => answers[n - 1](route));
		t.is(seen.beacons.length, 0, 'no beacon before the form is touched');
		await page.focus('#f-name');
		await page.focus('#f-mobile');
		await sleep(300);
		t.is(seen.beacons.length, 1, 'the first focus sends one "form opened" beacon');
		t.ok(seen.beacons[0] && seen.beacons[0].method === 'POST' && seen.beacons[0].url === `${ORIGIN}/p/demo/open?ch=t1`,
		    'the beacon posts to <page>/open with the channel', JSON.stringify(seen.beacons[0]));

		await fill(page, '12345');
		await page.click('button[type=submit]');
		await page.waitForSelector('#f-mobile[aria-invalid=true]', { timeout: 5000 });
		const req = seen.api[0];
		t.ok(req && req.url === `${ORIGIN}/api/v1/pages/demo/submissions?ch=t1`, 'posts to the page API with the channel');
		t.ok(req && /application\/json/.test(req.headers.accept || ''), 'asks for JSON');
		t.ok(req && /application\/json/.test(req.headers['content-type'] || ''), 'sends JSON');
		t.is(req && JSON.parse(req.body), {
			_stamp: 's1.abc', name: NAME, mobile: '12345', company: '<script>alert(1)</script>',
			topics: ['stock', 'orders'], agree: 'yes', _website: '',
		}, 'the body is the form as an object, checkbox group as an array, values byte-exact');
		const err = await page.evaluate(() => {
			const i = document.querySelector('#f-mobile');
			const e = i.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id))
			    .find((x) => x && x.classList.contains('field-error'));
			if (!e) return null;
			const a = i.getBoundingClientRect(), b = e.getBoundingClientRect();
			return { text: e.textContent, cls: e.className, gap: b.top - a.bottom, visible: b.height > 0,
			    focused: document.activeElement === i };
		});
		t.ok(err && err.cls === 'field-error' && err.text === '请输入 11 位中国大陆手机号' && err.visible,
		    'the message shows as the field\'s error', JSON.stringify(err));
		t.ok(err && err.gap >= 0 && err.gap < 40, 'right under the field', JSON.stringify(err));
		t.ok(err && err.focused, 'the field is focused');
		t.is(await page.getAttribute('#f-mobile', 'aria-describedby'), 'f-mobile-hint lf-e-mobile',
		    'the field keeps its hint in aria-describedby');
		t.is(await values(page), { name: NAME, mobile: '12345', company: '<script>alert(1)</script>', consent: true },
		    'typed values are kept after the error');
		await t.shot(page, 'field-error');

		await page.fill('#f-mobile', '138 1234 5678');
		await page.click('button[type=submit]');
		await page.waitForSelector('[data-lf-thanks]:not([hidden])', { timeout: 5000 });
		t.is(seen.api[1] && JSON.parse(seen.api[1].body)._stamp, 's2.renewed', 'the retry carries the stamp the error sent back');
		const after = await page.evaluate(() => ({
			text: document.querySelector('[data-lf-text]').textContent,
			bold: !!document.querySelector('[data-lf-thanks] b'),
			formShown: document.querySelector('form').getBoundingClientRect().height > 0,
			errors: [...document.querySelectorAll('.field-error')].filter((e) => e.offsetParent).length,
			pre: document.querySelector('[data-lf-pre]').getBoundingClientRect().height,
			focus: document.activeElement.hasAttribute('data-lf-thanks'),
			url: location.href,
		}));
		t.is(after.text, '谢谢！<b>不是 HTML</b>', 'the thanks from the answer shows as text');
		t.ok(!after.bold, 'the thanks is never parsed as HTML');
		t.ok(!after.formShown && after.pre === 0, 'the form and its heading are hidden');
		t.ok(after.focus, 'the thanks takes the focus (announced by screen readers)');
		t.is(after.url, PAGE, 'no navigation');
		t.is(await values(page), { name: NAME, mobile: '138 1234 5678', company: '<script>alert(1)</script>', consent: true },
		    'typed values are still in the (hidden) form');
		t.is(seen.beacons.length, 1, 'still only one beacon');
		t.is(seen.csp, [], 'no CSP violation');
		t.is(seen.errors, [], 'no script error');
		await t.shot(page, 'thanks');
		await page.close();
	});

	await t.step('a share link to show: thanks_url opened only where the page marks it', async () => {
		const THANKS_URL = '/p/demo/thanks?lang=zh-CN&ch=t1&t=t1.1.x.s1.abc';
		const answer = json(201, { ok: true, thanks: '谢谢', redirect: null, thanks_url: THANKS_URL });
		t.ok(/data-lf-thanks data-lf-share hidden/.test(HTML), 'the demo page marks its in-page thanks data-lf-share');
		let { page, seen } = await open(ctx, answer);
		await fill(page, '138 1234 5678');
		await page.click('button[type=submit]');
		await page.waitForSelector('text=thank-you page', { timeout: 5000 });
		t.is(page.url(), ORIGIN + THANKS_URL, 'marked: the browser opens thanks_url (the page with the share link)');
		t.is([seen.api.length, seen.posts.length, seen.errors], [1, 0, []], 'marked: after one JSON post, no plain post, no script error');
		await page.close();

		({ page, seen } = await open(ctx, answer, HTML.replace(' data-lf-share', '')));
		await fill(page, '138 1234 5678');
		await page.click('button[type=submit]');
		await page.waitForSelector('[data-lf-thanks]:not([hidden])', { timeout: 5000 });
		t.is([page.url(), (await page.textContent('[data-lf-text]')).trim()], [PAGE, '谢谢'],
		    'unmarked (a page without a share block): the thanks shows in the page, no navigation');
		await page.close();
	});

	for (const [what, api] of [
		['a 5xx', json(503, { error: { field: null, code: 'unavailable', message: 'down' } })],
		['a network error', (route) => route.abort('connectionreset')],
		['a 4xx without a JSON error', (route) => route.fulfill({ status: 413, contentType: 'text/plain', body: 'too big' })],
	]) {
		await t.step(`fallback on ${what}`, async () => {
			const { page, seen } = await open(ctx, api);
			await fill(page, '138 1234 5678');
			await page.click('button[type=submit]');
			await page.waitForSelector('text=plain post arrived', { timeout: 8000 });
			t.is(seen.api.length, 1, `${what}: the JSON post was tried once`);
			const p = seen.posts[0];
			t.ok(p && p.url === PAGE, `${what}: then the plain form post went to the form's action`, JSON.stringify(p));
			const body = new URLSearchParams(p ? p.body : '');
			t.ok(body.get('name') === NAME && body.getAll('topics').join() === 'stock,orders' &&
			    body.get('company') === '<script>alert(1)</script>', `${what}: with everything typed`, p && p.body);
			await page.close();
		});
	}

	await t.step('form-level error', async () => {
		const { page } = await open(ctx, json(403, { error: { field: null, code: 'too_fast', message: '请稍后再提交' } }));
		await fill(page, '138 1234 5678');
		await page.click('button[type=submit]');
		await page.waitForSelector('form .form-errors', { timeout: 5000 });
		const box = await page.evaluate(() => {
			const e = document.querySelector('form .form-errors');
			return { first: e === document.querySelector('form').firstElementChild, role: e.getAttribute('role'),
			    text: e.textContent, focused: document.activeElement === e };
		});
		t.is(box, { first: true, role: 'alert', text: '请稍后再提交', focused: true },
		    'an error with no field shows atop the form as an alert and takes the focus');
		t.ok(!(await page.isDisabled('button[type=submit]')), 'the button works again');
		await page.close();
	});
	await ctx.close();
} finally {
	await browser.close();
	t.end();
}
