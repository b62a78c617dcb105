// Shared helpers for the browser tests: Debian's chromium through playwright-core, TAP-ish output,
// screenshots, a JS-dialog tripwire and a psql helper for checking rows.
import { chromium } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const CHROMIUM = process.env.LANDFORM_CHROMIUM || '/usr/bin/chromium';

// A phone: what most visitors use (390x844 is a current iPhone's CSS viewport).
export const PHONE = {
	viewport: { width: 390, height: 844 },
	deviceScaleFactor: 2,
	isMobile: true,
	hasTouch: true,
	locale: 'zh-CN',
	timezoneId: 'Asia/Shanghai',
	userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 ' +
	    '(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003233) NetType/WIFI Language/zh_CN',
};

// The base URL of the running stack, without a trailing slash.
export function baseUrl() {
	const u = process.env.LANDFORM_URL;
	if (!u)
		throw new Error('LANDFORM_URL is not set (e.g. http://127.0.0.1:18080): start the stack first');
	return u.replace(/\/+$/, '');
}

// Starts one test file: t.ok/t.is print 'ok - ' / 'not ok - ' lines; t.end() sets the exit code.
export function start(name) {
	const t = {
		name,
		passed: 0,
		failed: 0,
		dir: path.join(HERE, 'artifacts', name),
		ok(cond, msg, detail) {
			if (cond) {
				t.passed++;
				console.log(`ok - ${name}: ${msg}`);
			} else {
				t.failed++;
				console.log(`not ok - ${name}: ${msg}`);
				if (detail !== undefined)
					console.log(`#   ${String(detail).replace(/\n/g, '\n#   ')}`);
			}
			return !!cond;
		},
		is(got, want, msg) {
			const same = isDeepStrictEqual(got, want);
			return t.ok(same, msg, `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
		},
		fail(msg, detail) {
			return t.ok(false, msg, detail);
		},
		// Screenshots go to artifacts/<test>/<shot>.png so a person can look at them later.
		async shot(page, shot, opts = {}) {
			fs.mkdirSync(t.dir, { recursive: true });
			const file = path.join(t.dir, `${shot}.png`);
			await page.screenshot({ path: file, fullPage: true, scale: 'css', ...opts });
			return file;
		},
		// Runs one step; an exception counts as a failure and the remaining steps still run.
		async step(msg, fn) {
			try {
				await fn();
			} catch (e) {
				t.fail(`${msg} (threw)`, String(e && e.message || e).split('\n')[0]);
			}
		},
		end() {
			console.log(`# ${name}: ${t.passed} passed, ${t.failed} failed`);
			process.exitCode = t.failed || !t.passed ? 1 : 0;
		},
	};
	fs.rmSync(t.dir, { recursive: true, force: true });
	return t;
}

// Launches Debian's chromium. playwright-core gives every launch a fresh temporary profile
// (user-data-dir) and removes it on close; nothing is downloaded.
export async function launch() {
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		    '--disable-background-networking', '--disable-component-update', '--disable-sync',
		    '--disable-dev-shm-usage'],
	});
}

// A phone context (options override PHONE); any JS dialog (alert, confirm, prompt) on any of its
// pages is a failure: it would mean injected script ran, or the page nags visitors.
export async function phone(browser, t, opts = {}) {
	const ctx = await browser.newContext({ ...PHONE, ...opts });
	ctx.on('page', (p) => watchDialogs(p, t));
	return ctx;
}

export function watchDialogs(page, t) {
	page.on('dialog', async (d) => {
		t.fail(`no JS dialog opens (${d.type()}: ${JSON.stringify(d.message())} on ${page.url()})`);
		await d.dismiss().catch(() => {});
	});
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs SQL through $LANDFORM_PSQL with vars as psql variables (use :'name' in the SQL, so
// values are quoted by psql, never pasted in). Returns stdout trimmed; throws on any error.
export function psql(sql, vars = {}) {
	const cmd = process.env.LANDFORM_PSQL;
	if (!cmd)
		throw new Error('LANDFORM_PSQL is not set (e.g. "psql -h /path/to/socket -p 5432 -U landform landform")');
	const args = ['-c', `${cmd} "$@"`, 'psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1'];
	for (const [k, v] of Object.entries(vars))
		args.push('-v', `${k}=${v}`);
	args.push('-f', '-');
	const r = spawnSync('bash', args, { input: sql, encoding: 'utf8', timeout: 30000 });
	if (r.status !== 0)
		throw new Error(`psql failed (${r.status}): ${r.stderr || r.error}`);
	return r.stdout.trim();
}

// Same, for a query that returns one json value per run (wrap it in json_agg / row_to_json).
export function psqlJson(sql, vars = {}) {
	const out = psql(sql, vars);
	return out === '' ? null : JSON.parse(out);
}

// A stand-in for landformd's template renderer, enough for the subset landing pages use
// (variables, raw variables, sections, inverted sections, comments, standalone tag lines), so
// tests that mock the server can still run the real page.html. The real renderer is fcgi/template.c.
export function renderTemplate(src, ctx) {
	const esc = (s) => String(s).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
	const truthy = (v) => !!v && !(Array.isArray(v) && v.length === 0);
	src = src.replace(/^[ \t]*(\{\{[#^/!][^}]*\}\})[ \t]*\r?\n/gm, '$1').replace(/\{\{![\s\S]*?\}\}/g, '');
	const sec = /\{\{([#^])\s*([\w.]+)\s*\}\}([\s\S]*?)\{\{\/\s*\2\s*\}\}/;
	for (let m; (m = sec.exec(src));) {
		const keep = m[1] === '#' ? truthy(ctx[m[2]]) : !truthy(ctx[m[2]]);
		src = src.slice(0, m.index) + (keep ? m[3] : '') + src.slice(m.index + m[0].length);
	}
	return src.replace(/\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{&\s*([\w.]+)\s*\}\}/g, (_, a, b) => ctx[a || b] ?? '')
	    .replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k) => esc(ctx[k] ?? ''));
}

// A lead's state and holder ("pending:alice", "open:"), read as the admin.
export const leadState = (id) => psql(`SELECT l.state || ':' || coalesce(s.login, '') FROM landform.leads l
    LEFT JOIN landform.staff s ON s.id = l.owner_id WHERE l.id = :'id'`, { id }).split('\n')[0];

// Waits until fn() is true (the dispatcher works on its own tick); a failure of t after ms.
export async function until(t, what, fn, ms = 10000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (fn())
			return true;
		await sleep(100);
	}
	return t.fail(`${what} (timed out)`);
}

// Passes the page's requests to `pathname` through and records each answer (status, JSON body),
// for a test that reads an answer after the page has moved on (Chromium then drops its body).
export async function recordJson(page, pathname) {
	const seen = [];
	await page.route((u) => u.pathname === pathname, async (route) => {
		const res = await route.fetch();
		seen.push({ status: res.status(), body: await res.json().catch(() => null) });
		await route.fulfill({ response: res });
	});
	return seen;
}
