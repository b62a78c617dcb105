// The admin dashboard in a browser, against the running stack: an admin made with add_staff +
// set_admin sets a password through the invitation page, finds "Reports" in the portal's
// navigation, opens /staff/reports: the funnel chart is an inline SVG with its nine bars (and
// bars as long as their numbers say), the numbers on the page equal SQL (funnel, channel_report,
// staff_report), the presets and the date form change the period, and each CSV downloads with
// a BOM, SQL's column names and SQL's rows. A member who is not an admin gets no link and a 403.
// Screenshots go to artifacts/reports/.
import fs from 'node:fs';
import { start, launch, phone, baseUrl, psql } from './lib.mjs';

const t = start('reports');
const BASE = baseUrl();
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`.slice(-8);
const BOSS = `e2e_boss_${RUN}`, MEMBER = `e2e_rm_${RUN}`, PAGE = `e2e-reports-${RUN}`, POOL = `e2e-reports-${RUN}`;
const CH = `e2e-${RUN}`;
const PW = '老板的密码 correct horse';
const vars = { boss: BOSS, member: MEMBER, page: PAGE, pool: POOL, ch: CH, run: RUN };
const sql = (text, more = {}) => psql(text, { ...vars, ...more });
const one = (text, more = {}) => sql(text, more).split('\n')[0];
const digits = String(Date.now()).slice(-7);

// --- data: a page in its own pool, an admin and a member, traffic, three leads, a deal ----------
const linkBoss = one(`SELECT landform.add_staff(:'boss', '老板 Boss')`);
const linkMember = one(`SELECT landform.add_staff(:'member', 'Member')`);
sql(`SELECT landform.set_admin(:'boss', true);
     SELECT landform.register_page(:'page', '报表页 Reports', 'lead');
     SELECT landform.add_pool(:'pool', '30 minutes', 3);
     SELECT landform.set_page_pool(:'page', :'pool');
     SELECT landform.join_pool(:'pool', :'member');
     SELECT landform.count_traffic(jsonb_build_array(jsonb_build_object('page', :'page', 'channel', :'ch',
         'views', 120, 'opens', 12, 'visitors', jsonb_build_array(gen_random_uuid(), gen_random_uuid(),
         gen_random_uuid(), gen_random_uuid()))));`);
for (let n = 1; n <= 3; n++)
	sql(`SELECT landform.submit(:'page', :'ch', :'phone', :'name', NULL, '{}', 'yes', :'key', '127.0.0.1', 'e2e', 'zh-CN')`,
	    { phone: `+86136${digits}${n}`.slice(0, 14), name: `客户 ${n}`, key: `e2e-reports-${RUN}-${n}` });
sql(`SELECT landform.add_deal((SELECT id FROM landform.leads WHERE phone = :'phone'), 888)`,
    { phone: `+86136${digits}1`.slice(0, 14) });
const TODAY = one(`SELECT landform.today()`);
const FROM30 = one(`SELECT landform.today() - 29`);
const FROM7 = one(`SELECT landform.today() - 6`);
// A table row as psql -A writes it: cells joined by |, NULL as ''.
const rowOf = (q, more = {}) => sql(q, more).split('\n').filter((l) => l !== '');

const browser = await launch();
try {
	const ctx = await phone(browser, t, { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false,
	    deviceScaleFactor: 1, acceptDownloads: true });
	const page = await ctx.newPage();

	await t.step('the admin sets a password and finds Reports in the navigation', async () => {
		await page.goto(BASE + linkBoss.slice(linkBoss.indexOf('/staff/')));
		await page.fill('#password', PW);
		await page.fill('#again', PW);
		await Promise.all([page.waitForNavigation(), page.click('#set-password')]);
		t.is(new URL(page.url()).pathname, '/staff/', 'signed in');
		t.ok(await page.isVisible('#nav-reports'), 'the navigation has Reports');
		await Promise.all([page.waitForNavigation(), page.click('#nav-reports')]);
		t.is(new URL(page.url()).pathname, '/staff/reports', 'Reports opens /staff/reports');
	});

	await t.step('the chart renders', async () => {
		const svg = page.locator('svg.chart.funnel');
		t.is(await svg.count(), 1, 'one funnel chart');
		t.is(await svg.getAttribute('role'), 'img', '... an image to assistive technology');
		t.is(await page.locator('svg.chart.funnel g.bar rect').count(), 9, '... with nine bars');
		const box = await svg.boundingBox();
		t.ok(box && box.width > 300 && box.height > 200, `... drawn on the page (${box && box.width}x${box && box.height})`);
		const widths = await page.$$eval('svg.chart.funnel g.bar rect', (rs) => rs.map((r) => r.getBBox().width));
		const values = await page.$$eval('svg.chart.funnel g.bar', (gs) => gs.map((g) => Number(g.dataset.value)));
		const max = Math.max(...values);
		t.ok(widths.every((w, i) => Math.abs(w - (values[i] / max) * 340) <= 1 || (values[i] > 0 && w === 1)),
		    'each bar is as long as its number says', JSON.stringify({ widths, values }));
		await t.shot(page, 'dashboard');
	});

	await t.step('numbers on the page equal SQL', async () => {
		const steps = await page.$$eval('#funnel-steps tbody tr', (rs) => Object.fromEntries(rs.map((r) =>
		    [r.dataset.step, r.querySelector('td').textContent])));
		const want = rowOf(`SELECT coalesce(sum(views), 0), coalesce(sum(visitors), 0), coalesce(sum(opens), 0),
		    coalesce(sum(submissions), 0), coalesce(sum(new_leads), 0), coalesce(sum(won), 0)
		    FROM landform.funnel(:'f', :'t')`, { f: FROM30, t: TODAY })[0].split('|');
		t.is([steps.views, steps.visitors, steps.opens, steps.submissions, steps.new_leads, steps.won], want,
		    'funnel steps (last 30 days) equal sums of landform.funnel');
		const cells = await page.$$eval('#channel-table tbody tr', (rs) => rs.map((r) =>
		    [...r.querySelectorAll('td')].map((c) => c.textContent).join('|')));
		const chWant = rowOf(`SELECT * FROM landform.channel_report(:'f', :'t') WHERE channel = :'ch'`, { f: FROM30, t: TODAY });
		t.ok(chWant.length > 0 && chWant.every((r) => cells.includes(r)), 'our channel\'s rows equal channel_report',
		    JSON.stringify({ chWant, cells: cells.filter((c) => c.includes(CH)) }));
		t.ok(chWant.some((r) => r.includes('|888.00|')), '... with the deal\'s revenue');
		const staff = await page.$$eval('#staff-table tbody tr', (rs) => rs.map((r) =>
		    [...r.querySelectorAll('td')].map((c) => c.textContent).join('|')));
		const stWant = rowOf(`SELECT * FROM landform.staff_report(:'f', :'t') WHERE login IN (:'boss', :'member')`, { f: FROM30, t: TODAY });
		t.ok(stWant.length === 2 && stWant.every((r) => staff.includes(r)), 'staff rows equal staff_report', JSON.stringify({ stWant }));
	});

	await t.step('presets and the date form pick the period', async () => {
		await Promise.all([page.waitForNavigation(), page.click('a[data-preset=last7]')]);
		const u = new URL(page.url());
		t.is([u.searchParams.get('from'), u.searchParams.get('to')], [FROM7, TODAY], '"last 7 days" asks for those days');
		t.is(await page.inputValue('input[name=from]'), FROM7, '... and the form shows them');
		await page.fill('input[name=from]', TODAY);
		await Promise.all([page.waitForNavigation(), page.click('form.period button')]);
		t.is(new URL(page.url()).searchParams.get('from'), TODAY, 'the form is a plain GET');
		const views = await page.textContent('#funnel-steps tr[data-step=views] td');
		t.is(views, one(`SELECT coalesce(sum(views), 0) FROM landform.funnel(:'t', :'t')`, { t: TODAY }), '... today\'s views equal SQL');
	});

	await t.step('each CSV downloads', async () => {
		for (const [table, fn] of [['funnel', 'funnel'], ['channels', 'channel_report'], ['staff', 'staff_report']]) {
			const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`#csv-${table}`)]);
			t.is(dl.suggestedFilename(), `landform-${table}-${TODAY}-${TODAY}.csv`, `${table}: a file named after the period`);
			const bytes = fs.readFileSync(await dl.path());
			t.is([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${table}: starts with a UTF-8 BOM`);
			const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter((l) => l !== '');
			const want = sql(`COPY (SELECT * FROM landform.${fn}(:'t', :'t')) TO STDOUT WITH (FORMAT csv, HEADER)`, { t: TODAY })
			    .split('\n').filter((l) => l !== '').map((l) => l.replace(/,-([a-z0-9-]*),/g, ',"\'-$1",'));
			t.is(lines[0], want[0], `${table}: SQL's column names`);
			t.is(lines.slice(1).sort(), want.slice(1).sort(), `${table}: SQL's rows`);
		}
	});

	await t.step('a member who is not an admin', async () => {
		const ctx2 = await phone(browser, t);
		const p2 = await ctx2.newPage();
		await p2.goto(BASE + linkMember.slice(linkMember.indexOf('/staff/')));
		await p2.fill('#password', 'member password 1');
		await p2.fill('#again', 'member password 1');
		await Promise.all([p2.waitForNavigation(), p2.click('#set-password')]);
		t.is(await p2.locator('#nav-reports').count(), 0, 'sees no Reports link');
		const res = await p2.goto(BASE + '/staff/reports');
		t.is(res.status(), 403, '... and /staff/reports is 403');
		await t.shot(p2, 'forbidden');
		await ctx2.close();
	});
} catch (e) {
	t.fail('reports e2e threw', e.stack || e);
} finally {
	await browser.close();
	sql(`DELETE FROM landform.login_attempts WHERE login IN (:'boss', :'member')`);
	t.end();
}
