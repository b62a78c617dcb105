-- wrk script for GET benchmarks: prints one RESULT line bench/run parses.
-- usage: wrk -s bench/get.lua URL [-- COOKIE]   (a cookie makes every request a returning visitor)

function init(args)
	if args[1] ~= nil and args[1] ~= "" then
		wrk.headers["Cookie"] = args[1]
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f " ..
		"errors_status=%d errors_socket=%d\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
		e.connect + e.read + e.write + e.timeout))
end
