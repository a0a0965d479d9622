/**
 * Times parsing a 100,000-entry no_proxy list (domains, addresses, IPv4 and IPv6 ranges). Not a test: run with
 * `npx tsx bench/no-proxy.bench.ts`. The target is well under a second.
 */
import { performance } from 'node:perf_hooks';
import { parseNoProxy } from '../src/index.js';

const items: string[] = [];
for (let index = 0; index < 25_000; index++) {
	const a = index >> 8;
	const b = index & 0xff;
	items.push(
		`host${index}.example.com`,
		`10.${a}.${b}.1`,
		`172.${a % 256}.${b}.0/24`,
		`fd00:${index.toString(16)}::/64`,
	);
}
const value = items.join(',');
for (let round = 0; round < 3; round++) {
	const start = performance.now();
	const list = parseNoProxy(value, 'bench');
	console.log(`${list.entries.length} entries parsed in ${(performance.now() - start).toFixed(0)} ms`);
}
