// Routing decisions per second with large no_proxy lists (DESIGN.md 3.3: must stay fast with tens of thousands of
// entries). Run: npx tsx bench/route.bench.ts. Not a test: numbers depend on the machine.
import { performance } from 'node:perf_hooks';
import { loadConfig } from '@homeserver/config';
import { createRouter } from '../src/index.js';

function entries(count: number): string[] {
	const list: string[] = [];
	for (let index = 0; index < count; index++) {
		if (index % 4 === 3) list.push(`10.${(index >> 8) & 255}.${index & 255}.0/24`);
		else if (index % 4 === 2) list.push(`fd${(index >> 16) & 255}:${(index & 0xffff).toString(16)}::/48`);
		else list.push(`host${index}.example.org${index % 8 === 0 ? ':8448' : ''}`);
	}
	return list;
}

const urls = [
	'https://matrix.org/_matrix/federation/v1/send/1',
	'https://a.b.host1.example.org/x',
	'https://host8.example.org:8448/x',
	'http://10.1.3.7/x',
	'https://[fd00:e::1]/x',
	'https://203.0.113.5:8448/',
	'https://unrelated.example.net/',
].map((url) => new URL(url));

for (const size of [100, 1_000, 10_000, 100_000]) {
	const start = performance.now();
	const config = loadConfig({
		env: {
			https_proxy: 'http://proxy.invalid:3128',
			http_proxy: 'http://proxy.invalid:3128',
			no_proxy: entries(size).join(','),
		},
		yamlText: 'ip_range_blacklist: ["203.0.113.0/24"]',
	});
	const router = createRouter(config);
	const built = performance.now() - start;
	let sink = 0;
	const rounds = 300_000;
	for (let index = 0; index < 20_000; index++)
		sink += router.route(urls[index % urls.length]!, 'push').reason.length;
	const t0 = performance.now();
	for (let index = 0; index < rounds; index++)
		sink += router.route(urls[index % urls.length]!, 'push').reason.length;
	const seconds = (performance.now() - t0) / 1000;
	console.log(
		`${String(size).padStart(7)} entries: build ${built.toFixed(0)} ms, ${Math.round(rounds / seconds).toLocaleString('en')} decisions/s (${sink > 0 ? 'ok' : ''})`,
	);
}
