// The consultation page /p/ask?ch=e2e on a phone, with JavaScript off and on (landform.js posts
// JSON, then opens the thank-you page with the share link: the ask page offers one): a multi-line
// question with CJK, emoji and an apostrophe becomes a submission and a consultation row
// (read with $LANDFORM_PSQL) holding the question as typed. Browsers send a textarea's line
// breaks as CRLF in a plain form post and as LF through FormData/JSON; either is accepted here,
// everything else must be byte-exact.
import fs from 'node:fs';
import path from 'node:path';
import { start, launch, phone, baseUrl, psqlJson, sleep, ROOT } from './lib.mjs';

const t = start('consult');
const BASE = baseUrl();
const URL_ = `${BASE}/p/ask?ch=e2e`;
const FORM = JSON.parse(fs.readFileSync(path.join(ROOT, 'landing', 'ask', 'form.json'), 'utf8'));
const THANKS = FORM.thanks['zh-CN'];
const E164 = '+8613900001111';
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const question = (how) => `抖店和自建仓怎么对接？\n我们有 3 个仓 — O'Neil 说要两周 🚀\n(${RUN}-${how})`;

async function ask(ctx, how) {
	const page = await ctx.newPage();
	const res = await page.goto(URL_);
	const rendered = Date.now();
	t.is(res.status(), 200, `${how}: GET /p/ask?ch=e2e answers 200`);
	await page.fill('form [name=name]', `王女士 ${how}`);
	await page.fill('form [name=mobile]', '139 0000 1111');
	await page.selectOption('form [name=topic]', 'integration');
	await page.fill('form [name=question]', question(how));
	await page.check('form [name=agree]');
	await sleep(Math.max(0, 2100 - (Date.now() - rendered)));
	const api = how === 'js' && page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/pages/ask/submissions');
	await page.click('form button[type=submit]');
	if (api)
		t.is((await api).status(), 201, 'js: the JSON submit answers 201');
	await page.waitForURL((u) => u.pathname === '/p/ask/thanks', { timeout: 8000 });
	await page.waitForSelector('.thanks', { timeout: 8000 });
	t.ok((await page.textContent('.thanks')).includes(THANKS), `${how}: the thank-you page shows the thanks from form.json`);
	t.ok(await page.locator('[data-lf-share]').isVisible(), `${how}: ... and the visitor's share link`);
	await t.shot(page, `${how}-thanks`);
	await page.close();
}

const browser = await launch();
try {
	const nojs = await phone(browser, t, { javaScriptEnabled: false });
	const js = await phone(browser, t);
	await t.step('JS off', () => ask(nojs, 'nojs'));
	await t.step('JS on', () => ask(js, 'js'));
	await t.step('rows', async () => {
		const rows = psqlJson(`
SELECT coalesce(json_agg(json_build_object('question', c.question, 'fields', s.fields, 'same_lead',
	c.lead_id = s.lead_id, 'page', p.slug, 'channel', ch.code) ORDER BY s.id), '[]')
FROM landform.consultations c
JOIN landform.submissions s ON s.id = c.submission_id
JOIN landform.leads l ON l.id = s.lead_id
JOIN landform.pages p ON p.id = c.page_id
LEFT JOIN landform.channels ch ON ch.id = s.channel_id
WHERE l.phone = :'phone' AND c.question LIKE '%' || :'run' || '%'`, { phone: E164, run: RUN });
		t.is(rows.length, 2, 'one consultation per submission from this run', JSON.stringify(rows));
		for (const [i, how] of ['nojs', 'js'].entries()) {
			const r = rows[i] || {};
			const want = question(how);
			t.ok(r.question === want || r.question === want.replace(/\n/g, '\r\n'),
			    `${how}: the question is stored as typed`, JSON.stringify(r.question));
			t.ok(r.fields && r.fields.name === `王女士 ${how}` && r.fields.mobile === E164 &&
			    r.fields.topic === 'integration' && r.fields.agree === true,
			    `${how}: the other fields too`, JSON.stringify(r.fields));
			t.ok(r.same_lead && r.page === 'ask' && r.channel === 'e2e', `${how}: linked to the lead, page ask, channel e2e`,
			    JSON.stringify(r));
		}
	});
	await nojs.close();
	await js.close();
} finally {
	await browser.close();
	t.end();
}
