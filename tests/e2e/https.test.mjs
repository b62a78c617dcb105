// The staff portal over HTTPS (nginx with docker/nginx-tls.conf.template, a self-signed
// certificate): plain HTTP redirects to HTTPS, the session cookie carries Secure (and HttpOnly),
// every form posts to an https: address, and invitation -> accept an offer -> log out -> log in
// work. Runs when LANDFORM_HTTPS_URL is set: scripts/test's "tls" section turns HTTPS on for the
// test stack and sets it; the plain e2e section has no HTTPS server and says so.
import { start, launch, phone, psql, sleep } from './lib.mjs';

const HTTPS = (process.env.LANDFORM_HTTPS_URL || '').replace(/\/+$/, '');
if (!HTTPS) {
	console.log('# https: LANDFORM_HTTPS_URL is not set; scripts/test tls runs this test');
	process.exit(0);
}
const PLAIN = (process.env.LANDFORM_URL || '').replace(/\/+$/, '');
const t = start('https');
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`.slice(-8);
const A = `e2e_tls_${RUN}`, POOL = `e2e-tls-${RUN}`, PAGE = `e2e-tls-${RUN}`, PW = 'a long TLS password';
const vars = { a: A, pool: POOL, page: PAGE };
const sql = (text, more = {}) => psql(text, { ...vars, ...more });
const one = (text, more = {}) => sql(text, more).split('\n')[0];
const phoneNo = `+86136${String(Date.now()).slice(-8)}`;
const stateOf = (id) => one(`SELECT l.state || ':' || coalesce(s.login, '') FROM landform.leads l
    LEFT JOIN landform.staff s ON s.id = l.owner_id WHERE l.id = :'id'`, { id });

const link = one(`SELECT landform.add_staff(:'a', 'TLS A')`);
sql(`SELECT landform.register_page(:'page', 'TLS', 'consult');
     SELECT landform.add_pool(:'pool', '30 minutes', 3);
     SELECT landform.set_page_pool(:'page', :'pool');
     SELECT landform.join_pool(:'pool', :'a');`);
const lead = one(`SELECT lead_id FROM landform.submit(:'page', 'e2e', :'phone', 'TLS 客户', '问题',
    jsonb_build_object('mobile', :'phone'), 'yes', :'key', '127.0.0.1', 'e2e', 'zh-CN')`,
    { phone: phoneNo, key: `e2e-tls-${RUN}` });

async function press(page, selector) {
	const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
	return res;
}
// Every form on the page posts to https: (form.action is the resolved address).
async function formsHttps(page, name) {
	const actions = await page.evaluate(() => [...document.forms].map((f) => f.action));
	t.ok(actions.length > 0 && actions.every((a) => a.startsWith('https://')),
	    `${name}: every form posts to https`, JSON.stringify(actions));
}
const session = async (ctx) => (await ctx.cookies()).find((c) => c.name === 'lf_staff' && c.path === '/staff');

const browser = await launch();
try {
	const ctx = await phone(browser, t, { ignoreHTTPSErrors: true });
	const page = await ctx.newPage();

	await t.step('plain HTTP redirects to HTTPS', async () => {
		const res = await page.goto(`${PLAIN}/staff/login`);
		t.ok(page.url().startsWith(`${HTTPS}/staff/login`), `http:// lands on ${page.url()}`);
		t.ok(/max-age=\d{7,}/.test(res.headers()['strict-transport-security'] || ''),
		    '... with Strict-Transport-Security');
		await formsHttps(page, 'login page');
	});

	await t.step('invitation over HTTPS: a Secure session cookie', async () => {
		await page.goto(`${HTTPS}${link.slice(link.indexOf('/staff/'))}`);
		await formsHttps(page, 'invitation page');
		await page.fill('#password', PW);
		await page.fill('#again', PW);
		await press(page, '#set-password');
		t.is(new URL(page.url()).pathname, '/staff/', 'setting the password signs in');
		const c = await session(ctx);
		t.ok(c && c.secure && c.httpOnly && c.sameSite === 'Lax', 'the session cookie is Secure, HttpOnly, SameSite=Lax',
		    JSON.stringify(c));
	});

	await t.step('an action: accept the offer', async () => {
		const end = Date.now() + 10000;
		while (Date.now() < end && stateOf(lead) !== `pending:${A}`)
			await sleep(100);
		await page.goto(`${HTTPS}/staff/`);
		await formsHttps(page, 'my leads');
		await press(page, `#offer-${lead} button`);
		t.is(new URL(page.url()).pathname, `/staff/leads/${lead}`, 'accept opens the lead');
		t.is(stateOf(lead), `owned:${A}`, '... which the member now owns');
		t.ok(page.url().startsWith('https://'), '... still on HTTPS');
	});

	await t.step('log out and log in again', async () => {
		await press(page, '#logout');
		t.is(new URL(page.url()).pathname, '/staff/login', 'logout goes to the login page');
		t.ok(!(await session(ctx))?.value, '... and the session cookie is gone');
		await page.fill('#login', A);
		await page.fill('#password', PW);
		await press(page, '#sign-in');
		t.is(new URL(page.url()).pathname, '/staff/', 'logging in works over HTTPS');
		t.ok((await session(ctx))?.secure === true, '... and the new session cookie is Secure');
	});
} catch (e) {
	t.fail('https e2e threw', e.stack || e);
} finally {
	await browser.close();
	sql(`DELETE FROM landform.login_attempts WHERE login = :'a'`);
	t.end();
}
