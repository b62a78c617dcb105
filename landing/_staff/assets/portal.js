// landform staff portal: live countdowns for deadlines ("还剩 12 分 05 秒") and waiting times.
// The server already wrote the text; without this script the page simply does not tick.
(function () {
	'use strict';
	var left = document.querySelectorAll('[data-left]');
	var waited = document.querySelectorAll('[data-waited]');
	if (!left.length && !waited.length)
		return;
	var zh = (document.documentElement.lang || '').indexOf('zh') === 0;
	var t0 = Date.now();
	function pad(n) { return (n < 10 ? '0' : '') + n; }
	// Same words as the server (fcgi/portal_view.c), with seconds under an hour.
	function span(s) {
		var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
		if (s < 60)
			return zh ? s + ' 秒' : s + ' s';
		if (s < 3600)
			return zh ? m + ' 分 ' + pad(s % 60) + ' 秒' : m + ' min ' + pad(s % 60) + ' s';
		if (s < 86400)
			return zh ? h + ' 小时' + (m ? ' ' + m + ' 分钟' : '') : h + ' h' + (m ? ' ' + m + ' min' : '');
		return zh ? d + ' 天' + (h ? ' ' + h + ' 小时' : '') : d + ' d' + (h ? ' ' + h + ' h' : '');
	}
	function tick() {
		var gone = Math.floor((Date.now() - t0) / 1000), i, el, s;
		for (i = 0; i < left.length; i++) {
			el = left[i];
			s = parseInt(el.getAttribute('data-left'), 10) - gone;
			if (isNaN(s))
				continue;
			el.textContent = s <= 0 ? (zh ? '已超时' : 'overdue') : (zh ? '还剩 ' + span(s) : span(s) + ' left');
			el.classList.toggle('urgent', s <= 300);
			el.classList.toggle('over', s <= 0);
		}
		for (i = 0; i < waited.length; i++) {
			el = waited[i];
			s = parseInt(el.getAttribute('data-waited'), 10) + gone;
			if (!isNaN(s))
				el.textContent = (zh ? '已等待 ' : 'waiting ') + span(s);
		}
	}
	tick();
	setInterval(tick, 1000);
})();
