/* landform.js: optional extras for landing forms (open beacon, in-page submit); pages work without it. */
(function () {
	var d = document, q = location.search, path = location.pathname, seen = 0, i, f;

	function all(n, s) {
		return n.querySelectorAll(s);
	}

	/* counts "form opened" once per page view */
	function open() {
		var u = path.replace(/\/+$/, '') + '/open' + q;
		if (seen++ || navigator.sendBeacon && navigator.sendBeacon(u)) return;
		if (window.fetch) fetch(u, {method: 'POST', keepalive: true}).catch(Object);
	}

	/* the form as a JSON object, as a browser would post it; checkbox groups become arrays */
	function data(f) {
		var o = {};
		new FormData(f).forEach(function (v, k) {
			if (k in o || all(f, '[type=checkbox][name="' + k + '"]').length > 1)
				o[k] = [].concat(k in o ? o[k] : [], v);
			else
				o[k] = v;
		});
		return o;
	}

	/* shows {field, code, message} next to its field, or atop the form when no field fits */
	function fail(f, r) {
		var e = r.field && f.elements[r.field], p = d.createElement('p'), a, l, j;
		/* drop earlier messages so only the newest answer shows */
		l = all(f, '.field-error,.form-errors,[aria-invalid]');
		for (j = 0; a = l[j]; j++)
			if (a.name) a.removeAttribute('aria-invalid');
			else if (a.lf) a.parentNode.removeChild(a);
			else a.hidden = true;
		if (e && !e.nodeName) e = e[0];
		if (e && e.type == 'hidden') e = 0;
		p.lf = 1;
		p.textContent = r.message;
		p.className = e ? 'field-error' : 'form-errors';
		p.id = 'lf-e-' + r.field;
		p.tabIndex = -1;
		p.setAttribute('role', 'alert');
		a = e ? e.closest('label') || e : f.firstChild;
		a.parentNode.insertBefore(p, e ? a.nextSibling : a);
		if (e) {
			e.setAttribute('aria-invalid', 'true');
			e.setAttribute('aria-describedby', p.id);
		}
		(e || p).focus();
	}

	/* hides the form (typed values stay in it; CSS hides .lf-done form) and shows the thanks */
	function done(f, j) {
		var w = f.parentNode, t = w.querySelector('[data-lf-thanks]');
		if (j.redirect) return location.assign(j.redirect);
		if (!t) t = w.insertBefore(d.createElement('p'), f);
		(t.querySelector('[data-lf-text]') || t).textContent = j.thanks || '';
		w.className += ' lf-done';
		t.hidden = false;
		f.hidden = true;
		t.tabIndex = -1;
		t.focus();
	}

	/* posts JSON; anything but a 2xx or a 4xx with an error (or any slip here) posts the plain way */
	function send(ev) {
		var f = ev.target, b = f.querySelector('[type=submit]'),
		    s = f.getAttribute('data-slug') || (path.match(/^\/p\/([^/]+)/) || [])[1];
		if (!s || !window.fetch) return;
		ev.preventDefault();
		if (b.disabled) return;
		b.disabled = true;
		fetch('/api/v1/pages/' + s + '/submissions' + q, {method: 'POST',
		    headers: {'Content-Type': 'application/json', Accept: 'application/json'},
		    body: JSON.stringify(data(f))}).then(function (r) {
			return r.json().then(function (j) {
				if (r.status > 499 || !r.ok && !j.error) throw 0;
				b.disabled = false;
				r.ok ? done(f, j) : fail(f, j.error);
			});
		}).catch(function () {
			b.disabled = false;
			HTMLFormElement.prototype.submit.call(f);
		});
	}

	for (i = 0; f = d.forms[i]; i++) {
		f.addEventListener('focus', open, true);
		f.addEventListener('change', open, true);
		f.addEventListener('submit', send);
	}
})();
