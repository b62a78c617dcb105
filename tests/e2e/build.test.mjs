// The landform.js pages load: terser's build of its readable source (scripts/build-js), current,
// under the 2 KB a landing page's script may weigh, served as built, the source not served.
import fs from 'node:fs';
import { start } from './lib.mjs';
import { buildLandformJs, OUT } from './buildjs.mjs';

const t = start('build');
const URL = process.env.LANDFORM_URL;
const built = fs.readFileSync(OUT, 'utf8');

t.is(built, await buildLandformJs(), 'landing/_common/assets/landform.js is the build of its source (run scripts/build-js)');
t.ok(Buffer.byteLength(built) < 2048, `landform.js is under 2 KB (${Buffer.byteLength(built)} bytes)`);
if (URL) {
	const r = await fetch(`${URL}/assets/_common/landform.js`);
	t.is([r.status, await r.text()], [200, built], 'nginx serves the built file');
	const src = await fetch(`${URL}/assets/_common/../src/landform.js`);
	t.ok(src.status === 404 || src.status === 400, `the source is not served (${src.status})`);
} else {
	t.fail('LANDFORM_URL is not set: nothing to fetch from');
}
t.end();
