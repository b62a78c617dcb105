// The staff portal on a phone, against the running stack: invitation -> set password -> log out
// -> log in -> accept an offer before its deadline (live countdown ticking) -> change stage ->
// add a note -> log out. A second member in a second browser context (JavaScript off) cannot see
// or act on the first member's leads by any URL. A lost race says so; an expired session goes
// to the login page. Stored XSS payloads in every lead field (name, page title, submitted fields,
// question, tags, notes, release reason, staff names) render inert on every page: any JS dialog
// fails the test, and no injected element reaches the DOM. Every page stays under 50 KB (HTML,
// CSS and JS, no images). Screenshots of each page go to artifacts/portal/.
import { start, launch, phone, baseUrl, psql, sleep, leadState, until as waitUntil } from './lib.mjs';

const t = start('portal');
const BASE = baseUrl();
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`.slice(-8);
const PW_A = '我的密码 correct horse';
const PW_B = 'another long password';
// One payload per context it could break out of: element, attribute, URL, template, script.
const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)>"><svg onload=alert(3)>'\`{{t.app}}{{{content}}}`;
const SHORT = '<img src=x onerror=alert(5)><script>alert(6)</script>'; // where 100 characters is the limit
const LIMIT = 50 * 1024;

const A = `e2e_a_${RUN}`, B = `e2e_b_${RUN}`, POOL = `e2e-portal-${RUN}`, PAGE = `e2e-portal-${RUN}`;
const vars = { run: RUN, a: A, b: B, pool: POOL, page: PAGE, xss: XSS, short: SHORT };
const digits = String(Date.now()).slice(-7);
const phoneOf = (n) => `+86137${digits}${n}`.slice(0, 14);

// Admin SQL through psql; values only ever as psql variables.
const sql = (text, more = {}) => psql(text, { ...vars, ...more });
const one = (text, more = {}) => sql(text, more).split('\n')[0];

function submit(name, n) {
	return one(`SELECT lead_id FROM landform.submit(:'page', 'e2e', :'phone', :'name', :'q',
	    jsonb_build_object('company', :'xss', 'mobile', :'phone', 'note', :'xss'), 'yes',
	    :'key', '127.0.0.1', 'e2e', 'zh-CN')`,
	{ name, phone: phoneOf(n), q: `问题 ${XSS}`, key: `e2e-portal-${RUN}-${n}` });
}
const stateOf = leadState;
const until = (what, fn, ms) => waitUntil(t, what, fn, ms);

// Page weight: the document plus the portal's stylesheet and script (no images are used).
let assets = 0;
async function weigh(res, name) {
	if (!res)
		return;
	const html = (await res.body()).length;
	t.ok(html + assets < LIMIT, `${name} weighs under 50 KB with CSS and JS (${html} + ${assets} bytes)`);
}

// Nothing injected made it into the DOM: our one script, no images, no SVG, no event handlers.
async function inert(page, name) {
	const found = await page.evaluate(() => ({
		scripts: [...document.scripts].map((s) => s.getAttribute('src') || 'inline'),
		injected: document.querySelectorAll('img, svg, iframe, object, embed').length,
		handlers: [...document.querySelectorAll('*')].filter((e) =>
		    [...e.attributes].some((a) => a.name.startsWith('on'))).length,
	}));
	t.is(found.scripts, ['/assets/_staff/portal.js'], `${name}: only the portal's own script`);
	t.is(found.injected + found.handlers, 0, `${name}: no injected element or handler`);
}

// Opens a path; returns the response. Screenshot, weight and inertness come with it.
async function visit(page, path, shot, opts = {}) {
	const res = await page.goto(`${BASE}${path}`);
	if (shot) {
		await t.shot(page, shot);
		await weigh(res, shot);
		await inert(page, shot);
	}
	if (opts.status !== undefined)
		t.is(res.status(), opts.status, `${path} answers ${opts.status}`);
	return res;
}

// Clicks a button that posts a form and waits for the page it leads to.
async function press(page, selector) {
	const [res] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		page.click(selector),
	]);
	return res;
}

// --- data: a consult page in its own pool, two members, leads full of payloads ---------------
const linkA = one(`SELECT landform.add_staff(:'a', 'A ' || :'short')`);
const linkB = one(`SELECT landform.add_staff(:'b', '王 B')`);
sql(`SELECT landform.register_page(:'page', '页面 ' || :'short', 'consult');
     SELECT landform.add_pool(:'pool', '30 minutes', 3);
     SELECT landform.set_page_pool(:'page', :'pool');
     SELECT landform.join_pool(:'pool', :'a');
     SELECT landform.join_pool(:'pool', :'b');
     SELECT landform.set_on_duty(:'b', false);`);
t.ok(/\/staff\/invite\/[0-9a-f]{64}$/.test(linkA), 'add_staff gives an invitation link');

const l1 = submit(`客户 ${XSS}`, 1);  // A accepts it
const l2 = submit('客户二', 2);       // stays offered to A (countdown on the list)
const l5 = submit('客户五', 5);       // given to B by an admin while A looks at it: lost race
const l4 = submit('公海客户', 4);     // released by an admin: the open pool
await until('the dispatcher offers the leads to A', () =>
	[l1, l2, l4, l5].every((id) => stateOf(id) === `pending:${A}`));
sql(`SELECT landform.release(:'l4')`, { l4 });
const l3 = submit('乙的客户', 3);
await until('... and the fifth', () => stateOf(l3) === `pending:${A}`);
sql(`SELECT landform.assign(:'l3', :'b');
     UPDATE landform.leads SET tags = ARRAY[:'short', 'vip'] WHERE id IN (:'l1', :'l3');
     SELECT landform.set_on_duty(:'b', true);`, { l1, l3 });

const browser = await launch();
try {
	const ctxA = await phone(browser, t);
	const ctxB = await phone(browser, t, { javaScriptEnabled: false });
	const pa = await ctxA.newPage();
	const pb = await ctxB.newPage();
	assets = (await (await ctxA.request.get(`${BASE}/assets/_staff/portal.css`)).body()).length +
	    (await (await ctxA.request.get(`${BASE}/assets/_staff/portal.js`)).body()).length;

	await t.step('invitation: set a password', async () => {
		await visit(pa, linkA.slice(linkA.indexOf('/staff/')), 'invite', { status: 200 });
		await pa.fill('#password', PW_A);
		await pa.fill('#again', PW_A);
		await press(pa, '#set-password');
		t.is(new URL(pa.url()).pathname, '/staff/', 'setting the password signs the member in');
		t.ok(await pa.isVisible('.flash'), '... with a welcome');
	});

	await t.step('log out, then log in', async () => {
		await press(pa, '#logout');
		t.is(new URL(pa.url()).pathname, '/staff/login', 'logout goes to the login page');
		await t.shot(pa, 'logged-out');
		const cookies = await ctxA.cookies();
		t.ok(!cookies.some((c) => c.name === 'lf_staff' && c.value), '... and the session cookie is gone');
		await visit(pa, '/staff/login', 'login', { status: 200 });
		await pa.fill('#login', A);
		await pa.fill('#password', 'wrong password');
		await press(pa, '#sign-in');
		t.ok((await pa.textContent('.error')).includes('登录名或密码不正确'), 'a wrong password says so');
		await pa.fill('#password', PW_A);
		await press(pa, '#sign-in');
		t.is(new URL(pa.url()).pathname, '/staff/', 'the right password signs in');
		const c = (await ctxA.cookies()).find((x) => x.name === 'lf_staff' && x.path === '/staff');
		t.ok(c && c.httpOnly && c.sameSite === 'Lax', 'the session cookie is HttpOnly and SameSite=Lax');
	});

	await t.step('my leads: offers with a live countdown', async () => {
		await visit(pa, '/staff/', 'home', { status: 200 });
		t.is(await pa.locator('article.offer').count(), 3, 'three offers wait for A');
		t.ok(Number(await pa.getAttribute(`#offer-${l1} .left`, 'data-left')) > 1700, 'the deadline is about 30 minutes away');
		const left = pa.locator(`#offer-${l1} .left`);
		const before = await left.textContent();
		t.ok(/^还剩 \d+ 分(钟| \d\d 秒)$/.test(before.trim()), `the deadline reads "${before.trim()}"`);
		await sleep(1500);
		const after = await left.textContent();
		t.ok(/^还剩 \d+ 分 \d\d 秒$/.test(after) && after !== before, `... and ticks ("${after}")`);
		t.ok((await pa.textContent(`#offer-${l1} .meta`)).includes('137****'), 'the phone is masked before accepting');
		await visit(pa, '/staff/?lang=en', 'home-en', { status: 200 });
		t.ok((await pa.textContent('h1')).includes('Waiting for you'), 'English on ?lang=en');
		t.ok(/left$/.test((await left.textContent()).trim()), '... countdown in English too');
		await visit(pa, '/staff/?lang=zh-CN');
	});

	await t.step('accept before the deadline', async () => {
		await visit(pa, '/staff/');
		await press(pa, `#offer-${l1} button`);
		t.is(new URL(pa.url()).pathname, `/staff/leads/${l1}`, 'accept opens the lead');
		t.is(stateOf(l1), `owned:${A}`, '... which A now owns');
		const tel = await pa.getAttribute('a.call', 'href');
		t.is(tel, `tel:${phoneOf(1)}`, 'the full phone is shown, with a one-tap call link');
		await t.shot(pa, 'lead-accepted');
	});

	await t.step('change stage, add a note, tag, release reason payloads', async () => {
		const stage = await pa.locator('form.chips button:not([disabled])').first();
		const name = (await stage.textContent()).trim();
		await Promise.all([pa.waitForNavigation(), stage.click()]);
		t.is((await pa.textContent('.badge.stage')).trim(), name, `stage changed to ${name}`);
		t.is(one(`SELECT s.name FROM landform.leads l JOIN landform.stages s ON s.id = l.stage_id
		    WHERE l.id = :'l1'`, { l1 }), name, '... in the database');
		await pa.fill('#note', `回电 ${XSS}`);
		await press(pa, '#add-note');
		t.ok((await pa.textContent('.notes .body')).includes('回电 <script>'), 'the note shows as text');
		t.is(one(`SELECT count(*) FROM landform.notes WHERE lead_id = :'l1'`, { l1 }), '1', '... stored');
		await pa.fill('input[name=add]', '<b>粗</b>');
		await press(pa, 'form.inline button');
		await visit(pa, `/staff/leads/${l1}`, 'lead', { status: 200 });
	});

	await t.step('a lost race says so', async () => {
		await visit(pa, '/staff/');
		sql(`SELECT landform.assign(:'l5', :'b')`, { l5 });
		await press(pa, `#offer-${l5} button`);
		t.ok((await pa.textContent('h1')).includes('晚了一步'), 'accepting a lead given away meanwhile: lost race');
		await t.shot(pa, 'lost-race');
		t.is(stateOf(l5), `owned:${B}`, '... and nothing changed');
	});

	await t.step('the open pool', async () => {
		await visit(pa, '/staff/pool', 'pool', { status: 200 });
		t.ok(await pa.isVisible(`#pool-${l4}`), 'the released lead waits in the open pool');
		t.ok(/已等待/.test(await pa.textContent(`#pool-${l4} .waited`)), '... with how long it has waited');
	});

	await t.step('second member: set a password without JavaScript', async () => {
		await visit(pb, linkB.slice(linkB.indexOf('/staff/')), null, { status: 200 });
		await pb.fill('#password', PW_B);
		await pb.fill('#again', PW_B);
		await press(pb, '#set-password');
		t.is(new URL(pb.url()).pathname, '/staff/', 'B is signed in');
	});

	await t.step("second member cannot see or act on the first member's leads", async () => {
		for (const path of [`/staff/leads/${l1}`, `/staff/leads/0${l1}`, `/staff/leads/${l1}?lang=en`,
		    `/api/v1/staff/leads/${l1}`]) {
			const res = await visit(pb, path);
			t.is(res.status(), 404, `B gets 404 at ${path}`);
		}
		await visit(pb, `/staff/leads/${l1}?lang=zh-CN`, 'not-found');
		await visit(pb, '/staff/');
		const home = await pb.content();
		t.ok(!home.includes(`/staff/leads/${l1}"`) && !home.includes(phoneOf(1)), "A's lead is not on B's list");
		const csrf = await pb.getAttribute('input[name=csrf]', 'value');
		for (const act of ['accept', 'contacted', 'stage', 'note', 'tag', 'release', 'answer']) {
			const res = await ctxB.request.post(`${BASE}/staff/leads/${l1}/${act}`, {
				form: { csrf, assignment: '1', stage: '1', body: 'x', add: 'x', reason: 'x', consultation: '1' },
				maxRedirects: 0,
			});
			t.is(res.status(), 404, `B posting ${act} on A's lead gets 404`);
		}
		const api = await ctxB.request.post(`${BASE}/api/v1/staff/leads/${l1}/note`, {
			headers: { 'X-CSRF-Token': csrf }, data: { body: 'x' } });
		t.is(api.status(), 404, '... and through the JSON API');
		t.is(one(`SELECT count(*) FROM landform.notes WHERE lead_id = :'l1'`, { l1 }), '1', 'nothing was written');
		t.is(stateOf(l1), `owned:${A}`, 'the lead is still A\'s');
	});

	await t.step('second member works their own lead without JavaScript', async () => {
		await visit(pb, `/staff/leads/${l3}`, 'lead-nojs', { status: 200 });
		await pb.fill('#note', 'no JS needed');
		await press(pb, '#add-note');
		t.ok((await pb.textContent('.flash')).includes('备注已添加'), 'a note is added with a plain form post');
	});

	await t.step('an expired session redirects to login', async () => {
		sql(`UPDATE landform.staff_sessions SET last_seen = now() - interval '3 hours'
		     WHERE staff_id = (SELECT id FROM landform.staff WHERE login = :'b')`);
		await visit(pb, `/staff/leads/${l3}`);
		const u = new URL(pb.url());
		t.is(u.pathname, '/staff/login', 'an idle session lands on the login page');
		t.is(u.searchParams.get('next'), `/staff/leads/${l3}`, '... which will bring the member back');
		t.ok((await pb.textContent('.flash')).includes('登录已过期'), '... saying the session ended');
		await t.shot(pb, 'expired');
		await pb.fill('#login', B);
		await pb.fill('#password', PW_B);
		await press(pb, '#sign-in');
		t.is(new URL(pb.url()).pathname, `/staff/leads/${l3}`, 'signing in again returns to the lead');
	});

	await t.step('every page with payloads stays inert', async () => {
		sql(`SELECT landform.assign(:'l4', :'a')`, { l4 });
		await visit(pa, `/staff/leads/${l4}`);
		await pa.click('details.release summary');
		await pa.fill('#reason', `原因 ${XSS}`);
		await press(pa, '#release');
		t.is(new URL(pa.url()).pathname, '/staff/', 'release goes back to my leads');
		for (const [path, shot] of [['/staff/', 'xss-home'], [`/staff/leads/${l1}`, 'xss-lead'],
		    ['/staff/pool', 'xss-pool'], [`/staff/leads/${l4}`, 'xss-open-lead']]) {
			await visit(pa, path, shot, { status: 200 });
			const html = await pa.content();
			t.ok(html.includes('&lt;script&gt;alert(') && !html.includes('<script>alert('),
			    `${shot}: the payloads are shown as text`);
			if (shot !== 'xss-pool')
				t.ok(html.includes('{{t.app}}{{{content}}}'), `${shot}: template tags in data stay text`);
		}
	});

	await t.step('log out', async () => {
		await visit(pa, '/staff/');
		await press(pa, '#logout');
		t.ok((await pa.textContent('.flash')).includes('已安全退出'), 'logged out');
		const res = await visit(pa, '/staff/');
		t.is(new URL(pa.url()).pathname, '/staff/login', 'my leads need a new login afterwards');
		t.is(res.status(), 200, '... (the login page)');
	});
} catch (e) {
	t.fail('portal e2e threw', e.stack || e);
} finally {
	await browser.close();
	sql(`DELETE FROM landform.login_attempts WHERE login IN (:'a', :'b')`);
	t.end();
}
