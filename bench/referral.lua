-- wrk script for GET /r/<token>: each request opens the next of many referral links (a file of
-- tokens, one a line), so the per-link limit (30 a minute) measures nothing but real visits.
-- usage: wrk -s bench/referral.lua URL -- TOKENS_FILE
local tokens, n, i = {}, 0, 0

function init(args)
	for line in io.lines(args[1]) do
		n = n + 1
		tokens[n] = line
	end
	-- Threads start at different places in the list.
	i = math.random(n)
end

function request()
	i = i % n + 1
	return wrk.format("GET", "/r/" .. tokens[i])
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
