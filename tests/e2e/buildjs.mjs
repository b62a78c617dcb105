// landform.js as pages load it: landing/_common/src/landform.js minified by terser, so the file
// stays under the 2 KB a landing page's script may weigh while its source stays readable.
// `node tests/e2e/buildjs.mjs` (or scripts/build-js) writes it; build.test.mjs checks it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SRC = path.join(ROOT, 'landing', '_common', 'src', 'landform.js');
export const OUT = path.join(ROOT, 'landing', '_common', 'assets', 'landform.js');

export async function buildLandformJs() {
	const r = await minify(fs.readFileSync(SRC, 'utf8'), {
		ecma: 2015,
		compress: { passes: 2 },
		mangle: true,
		format: { comments: false, preamble: '/* from landing/_common/src/landform.js */' },
	});
	return r.code + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const code = await buildLandformJs();
	fs.writeFileSync(OUT, code);
	console.log(`${path.relative(ROOT, OUT)}: ${Buffer.byteLength(code)} bytes`);
}
