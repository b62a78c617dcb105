/* landform.js: optional extras for landing forms (open beacon, in-page submit); pages work without it.
 * This is the source: pages load landing/_common/assets/landform.js, built from it by
 * scripts/build-js (terser) so that it stays under 2 KB. */
(function () {
	var d = document, J = 'application/json', q = location.search, path = location.pathname, seen = 0, i, f;

	/* counts "form opened" once per page view */
	function open() {
		var u = path + '/open' + q, n = navigator;
		if (seen++ || n.sendBeacon && n.sendBeacon(u)) return;
		if (window.fetch) fetch(u, {method: 'POST', keepalive: true}).catch(Object);
	}

	/* the form as a JSON object, as a browser would post it; a name shared by several
	 * controls (a checkbox group) always becomes an array */
	function data(f) {
		var o = {};
		new FormData(f).forEach(function (v, k) {
			if (k in o || !f.elements[k].nodeName)
				o[k] = [].concat(k in o ? o[k] : [], v);
			else
				o[k] = v;
		});
		return o;
	}

	/* shows {field, code, message} next to its field, or atop the form when no field fits */
	function fail(f, r, stamp) {
		var E = f.elements, e = r.field && E[r.field], p = d.createElement('p'), I = 'aria-invalid',
		    D = 'aria-describedby', a, l, j;
		/* an expired stamp comes back renewed: the next try must carry it */
		if (stamp && E._stamp) E._stamp.value = stamp;
		/* drop earlier messages so only the newest answer shows */
		l = f.querySelectorAll('.field-error,.form-errors,[' + I + ']');
		for (j = 0; a = l[j]; j++)
			if (a.name) a.removeAttribute(I);
			else if (a.lf) a.remove();
			else a.hidden = true;
		if (e && !e.nodeName) e = e[0];
		p.lf = 1;
		p.textContent = r.message;
		p.className = e ? 'field-error' : 'form-errors';
		p.id = 'lf-e-' + r.field;
		p.tabIndex = -1;
		p.setAttribute('role', 'alert');
		a = e ? e.closest('label') || e : f.firstChild;
		a.parentNode.insertBefore(p, e ? a.nextSibling : a);
		if (e) {
			e.setAttribute(I, 'true');
			a = (e.getAttribute(D) || '').replace(/ ?lf-e-\S+/g, '');
			e.setAttribute(D, (a + ' ' + p.id).trim());
		}
		(e || p).focus();
	}

	/* hides the form (typed values stay in it; CSS hides .lf-done form) and shows the thanks;
	 * or opens the answer's redirect, or its thanks_url (the thank-you page with the visitor's
	 * share link and QR) when the in-page thanks is marked data-lf-share (its page offers one) */
	function done(f, j) {
		var w = f.parentNode, t = w.querySelector('[data-lf-thanks]'),
		    u = j.redirect || t && t.hasAttribute('data-lf-share') && j.thanks_url;
		if (u) return location.href = u;
		if (!t) t = w.insertBefore(d.createElement('p'), f);
		(t.querySelector('[data-lf-text]') || t).textContent = j.thanks || '';
		w.className += ' lf-done';
		t.hidden = false;
		f.hidden = true;
		t.focus();
	}

	/* posts JSON; anything but a 2xx or a 4xx with an error (or any slip here) posts the plain way */
	function send(ev) {
		var f = ev.target, b = f.querySelector('[type=submit]'),
		    s = f.dataset.slug || (path.match(/^\/p\/([^/]+)/) || [])[1];
		if (!s || !window.fetch) return;
		ev.preventDefault();
		if (b.disabled) return;
		b.disabled = true;
		fetch('/api/v1/pages/' + s + '/submissions' + q, {method: 'POST',
		    headers: {'Content-Type': J, Accept: J},
		    body: JSON.stringify(data(f))}).then(function (r) {
			return r.json().then(function (j) {
				if (r.status > 499 || !r.ok && !j.error) throw 0;
				b.disabled = false;
				r.ok ? done(f, j) : fail(f, j.error, j.stamp);
			});
		}).catch(function () {
			b.disabled = false;
			HTMLFormElement.prototype.submit.call(f);
		});
	}

	for (i = 0; f = d.forms[i]; i++) {
		f.addEventListener('focus', open, true);
		f.addEventListener('submit', send);
	}
})();
