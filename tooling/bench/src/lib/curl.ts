/**
 * curl through the same proxy, as the reference for streaming throughput: `curl -x ... --proxy-user ...
 * --cacert ... -o /dev/null`, timed by curl itself (`-w`), with its peak RSS from GNU time when installed; or
 * `-o FILE` followed by `sync FILE` (the file on disk, as a store must have it), timed from start to synced.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { ProbeProxy } from '../probes/probe-protocol.js';

const run = promisify(execFile);
const GNU_TIME = '/usr/bin/time';

/** One curl download. */
export interface CurlResult {
	readonly bytes: number;
	readonly elapsedMs: number;
	/** Peak RSS in bytes, or NaN without GNU time. */
	readonly peakRss: number;
}

/**
 * Downloads `url` through the proxy to /dev/null, or to `outFile` and then `sync outFile` (coreutils: fsync of
 * that file), bounded by `maxSeconds`. With a file, `elapsedMs` runs from curl's start to the end of the sync.
 */
export async function curlDownload(
	url: string,
	proxy: ProbeProxy,
	maxSeconds: number,
	outFile?: string,
): Promise<CurlResult> {
	const args = [
		'-sS',
		'--fail',
		'--max-time',
		String(maxSeconds),
		'-x',
		`http://${proxy.host}:${proxy.port}`,
		'--proxy-user',
		`${proxy.username}:${proxy.password}`,
		'--cacert',
		proxy.caFile,
		'-o',
		outFile ?? '/dev/null',
		'-w',
		'%{size_download} %{time_total}',
		url,
	];
	const withTime = existsSync(GNU_TIME);
	const t0 = performance.now();
	const { stdout, stderr } = withTime
		? await run(GNU_TIME, ['-f', 'maxrss-kib=%M', 'curl', ...args])
		: await run('curl', args);
	if (outFile !== undefined) await run('sync', [outFile], { timeout: maxSeconds * 1000 });
	const wallMs = performance.now() - t0;
	const [size, total] = stdout.trim().split(/\s+/).map(Number);
	const kib = /maxrss-kib=(\d+)/.exec(stderr)?.[1];
	return {
		bytes: size ?? Number.NaN,
		elapsedMs: outFile === undefined ? (total ?? Number.NaN) * 1000 : wallMs,
		peakRss: kib === undefined ? Number.NaN : Number(kib) * 1024,
	};
}
