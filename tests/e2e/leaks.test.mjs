// Issue 13 in a browser, against the running stack: a member outside a pool sees none of its
// open-pool leads by any path (pool page, my leads, the lead page, the JSON API by every nearby
// id since ids are sequential, claim and the other actions); a member of that pool sees the open
// lead with every contact detail masked (phone, e-mail field, phone number and WeChat id in the
// question, a phone in a note); an offer is masked the same way until accepted, and shown in
// full after. Screenshots go to artifacts/leaks/.
import { start, launch, phone, baseUrl, psql, leadState as stateOf, until as waitUntil } from './lib.mjs';

const t = start('leaks');
const BASE = baseUrl();
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`.slice(-8);
const PW = 'leaks e2e password 密码';
const A = `e2e_la_${RUN}`, C = `e2e_lc_${RUN}`;
const POOL1 = `e2e-l1-${RUN}`, POOL2 = `e2e-l2-${RUN}`;
const digits = String(Date.now()).slice(-7);
const phoneOf = (n) => `+86136${digits}${n}`.slice(0, 14);
const QUESTION = `13900001111 或微信 wxid_${RUN}`;
const MAIL = (n) => `vip.${n}.${RUN}@example.com`;

const sql = (text, more = {}) => psql(text, { run: RUN, a: A, c: C, p1: POOL1, p2: POOL2, ...more });
const one = (text, more = {}) => sql(text, more).split('\n')[0];
const until = (what, fn, ms) => waitUntil(t, what, fn, ms);
function submit(pool, n) {
	return one(`SELECT lead_id FROM landform.submit(:'page', NULL, :'phone', :'name', :'q',
	    jsonb_build_object('email', :'mail', 'mobile', :'phone'), 'yes', :'key', '127.0.0.1', 'e2e', 'zh-CN')`,
	{ page: pool, phone: phoneOf(n), name: `贵宾${n}`, q: QUESTION, mail: MAIL(n), key: `e2e-leaks-${RUN}-${n}` });
}
async function press(page, selector) {
	const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
	return res;
}
// Signs a member up through the invitation; no request the browser makes afterwards carries
// the token in its Referer (the page says Referrer-Policy: strict-origin).
async function signUp(ctx, link) {
	const p = await ctx.newPage();
	const token = link.slice(link.lastIndexOf('/') + 1);
	const requests = [];
	p.on('request', (r) => requests.push(r));
	await p.goto(`${BASE}${link.slice(link.indexOf('/staff/'))}`);
	await p.fill('#password', PW);
	await p.fill('#again', PW);
	await press(p, '#set-password');
	t.is(new URL(p.url()).pathname, '/staff/', 'a member signs in through the invitation');
	// allHeaders: the headers as sent on the wire (headers() may leave Referer out).
	const referers = (await Promise.all(requests.map((r) => r.allHeaders()))).map((h) => h.referer || '');
	t.ok(referers.filter((r) => r.startsWith(BASE)).length >= 3 && !referers.some((r) => r.includes(token)),
	    `no request after the invitation page sends its token as the Referer (${referers.join(' ')})`);
	return p;
}
// Nothing of a contact detail in the page: the full number, its national part, the e-mail's
// local part, the WeChat id.
function hidesAll(html, n, what) {
	const national = phoneOf(n).slice(3);
	t.ok(!html.includes(national) && !html.includes(`vip.${n}.${RUN}`) && !html.includes(`wxid_${RUN}`)
	    && !html.includes('13900001111') && !html.includes('13500002222'), `${what}: no contact detail in the page`);
}

// --- data: two pools, each with its own page and member; an open lead in pool 2 -------------
const linkA = one(`SELECT landform.add_staff(:'a', 'Leaks A')`);
const linkC = one(`SELECT landform.add_staff(:'c', 'Leaks C')`);
sql(`SELECT landform.register_page(:'p1', 'Pool one', 'consult');
     SELECT landform.register_page(:'p2', 'Pool two', 'consult');
     SELECT landform.add_pool(:'p1', '30 minutes', 3);
     SELECT landform.add_pool(:'p2', '30 minutes', 3);
     SELECT landform.set_page_pool(:'p1', :'p1');
     SELECT landform.set_page_pool(:'p2', :'p2');
     SELECT landform.join_pool(:'p1', :'a');
     SELECT landform.join_pool(:'p2', :'c');`);
const open = submit(POOL2, 1);
await until('the dispatcher offers the pool-2 lead to C', () => stateOf(open) === `pending:${C}`);
sql(`SELECT landform.accept(a.id, a.staff_id) FROM landform.assignments a
     WHERE a.lead_id = :'id' AND a.closed_at IS NULL;
     INSERT INTO landform.notes (lead_id, staff_id, body) SELECT :'id', id, 'her office: 13500002222'
     FROM landform.staff WHERE login = :'c';
     SELECT landform.release(:'id');`, { id: open });
const offer = submit(POOL1, 2);
await until('the dispatcher offers the pool-1 lead to A', () => stateOf(offer) === `pending:${A}`);
t.is(stateOf(open), 'open:', 'scene: the pool-2 lead is in the open pool');

const browser = await launch();
try {
	const ctxA = await phone(browser, t);
	const ctxC = await phone(browser, t);
	const pa = await signUp(ctxA, linkA);
	const pc = await signUp(ctxC, linkC);

	await t.step('a member outside the pool sees none of its open leads, by any path', async () => {
		await pa.goto(`${BASE}/staff/pool`);
		await t.shot(pa, 'pool-outside');
		t.ok(!(await pa.content()).includes(`/staff/leads/${open}"`), 'not in the open pool page');
		await pa.goto(`${BASE}/staff/`);
		t.ok(!(await pa.content()).includes(`/staff/leads/${open}"`), 'not on my leads');
		for (const path of [`/staff/leads/${open}`, `/staff/leads/${open}?lang=en`, `/api/v1/staff/leads/${open}`]) {
			const res = await pa.goto(`${BASE}${path}`);
			t.is(res.status(), 404, `404 at ${path}`);
			hidesAll(await pa.content(), 1, path);
		}
		const pool = await ctxA.request.get(`${BASE}/api/v1/staff/pool`);
		t.ok(pool.status() === 200 && !(await pool.text()).includes(`"lead_id":${open}`), 'not in the JSON open pool');
		// Ids are sequential: walk the ones around it; only A's own offer answers.
		const seen = [];
		for (let id = Number(open) - 3; id <= Number(offer) + 3; id++) {
			const r = await ctxA.request.get(`${BASE}/api/v1/staff/leads/${id}`);
			if (r.status() === 200)
				seen.push(id);
		}
		t.is(seen, [Number(offer)], 'walking the ids through the JSON API finds only her own offer');
		await pa.goto(`${BASE}/staff/`);
		const csrf = await pa.getAttribute('input[name=csrf]', 'value');
		for (const act of ['claim', 'accept', 'note', 'contacted', 'release']) {
			const res = await ctxA.request.post(`${BASE}/staff/leads/${open}/${act}`, {
				form: { csrf, body: 'x', reason: 'x' }, maxRedirects: 0 });
			t.is(res.status(), 404, `${act} on it: 404, as for a lead that does not exist`);
		}
		t.is(stateOf(open), 'open:', 'the lead is still in the open pool');
	});

	await t.step('a member of the pool sees the open lead, every contact detail masked', async () => {
		await pc.goto(`${BASE}/staff/pool`);
		t.ok(await pc.isVisible(`#pool-${open}`), 'C sees it in the open pool');
		const res = await pc.goto(`${BASE}/staff/leads/${open}`);
		t.is(res.status(), 200, 'and opens it');
		await t.shot(pc, 'open-lead-masked');
		const html = await pc.content();
		t.ok(html.includes('136****'), 'the phone is masked');
		t.ok(html.includes(`v***@example.com`), 'the e-mail field is masked');
		t.ok(html.includes('139****1111') && html.includes('wxid_***'), 'the phone and WeChat id in the question are masked');
		t.ok(html.includes('135****2222'), 'a phone in a note is masked');
		hidesAll(html, 1, 'the open lead');
	});

	await t.step('an offer is masked until accepted, in full after', async () => {
		let res = await pa.goto(`${BASE}/staff/leads/${offer}`);
		t.is(res.status(), 200, 'A opens her offer');
		await t.shot(pa, 'offer-masked');
		hidesAll(await pa.content(), 2, 'the offer before accepting');
		t.ok((await pa.content()).includes('v***@example.com'), '... e-mail masked');
		await pa.goto(`${BASE}/staff/`);
		await press(pa, `#offer-${offer} button`);
		t.is(stateOf(offer), `owned:${A}`, 'A accepts it');
		res = await pa.goto(`${BASE}/staff/leads/${offer}`);
		await t.shot(pa, 'offer-accepted');
		const html = await pa.content();
		t.ok(html.includes(MAIL(2)), 'after accepting: the e-mail in full');
		t.ok(html.includes('13900001111') && html.includes(`wxid_${RUN}`), '... the question in full');
		t.is(await pa.getAttribute('a.call', 'href'), `tel:${phoneOf(2)}`, '... and the phone, with a call link');
	});
} catch (e) {
	t.fail('leaks e2e threw', e.stack || e);
} finally {
	await browser.close();
	t.end();
}
