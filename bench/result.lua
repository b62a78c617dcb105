-- The RESULT line bench/run parses, written by each wrk script's done(): loaded with dofile.

-- result(summary, latency [, extra_format, values...]): the common fields, then the script's own
-- counts (extra_format like " n303=%d", one value for each %).
function result(summary, latency, extra, ...)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f " ..
		"errors_status=%d errors_socket=%d" .. (extra or "") .. "\n",
		summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
		e.connect + e.read + e.write + e.timeout, ...))
end
