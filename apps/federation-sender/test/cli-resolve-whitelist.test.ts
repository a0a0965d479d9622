// `federation-sender resolve` applies federation_domain_whitelist as `run` does: a server it does not list is
// refused before any I/O (no .well-known, no SRV, no address lookup), with the usual `code: message` and exit 1.
import type { LookupFunction } from 'node:net';
import test from 'ava';
import { createResolutionExplainer } from '../src/transport/federation-transport.js';
import { cliHarness } from './helpers/cli.js';

test('resolve of a server outside federation_domain_whitelist fails with ERR_FEDERATION_DENIED before any lookup', async (t) => {
	let lookups = 0;
	const lookup = ((_host: string, _options: unknown, callback: (error: Error) => void) => {
		lookups++;
		t.fail('no address lookup may happen');
		callback(new Error('no address lookup may happen'));
	}) as unknown as LookupFunction;
	const dns = {
		resolveSrv: () => {
			lookups++;
			t.fail('no SRV lookup may happen');
			return Promise.reject(new Error('no SRV lookup may happen'));
		},
	};
	const h = cliHarness(t, 'federation_domain_whitelist: [friend.test]\n', undefined, (config, logger) =>
		createResolutionExplainer(config, logger, { lookup, dns }),
	);
	for (const name of ['stranger.test', 'Stranger.Test:8448']) {
		const result = await h.cli(['resolve', name, '--config', h.configPath]);
		t.is(result.code, 1, name);
		t.regex(result.stderr, /^ERR_FEDERATION_DENIED: .*"stranger\.test(:8448)?".*federation_domain_whitelist/);
		t.regex(result.stdout, /Failed: ERR_FEDERATION_DENIED/);
		t.notRegex(result.stdout, /Candidates|\.well-known request/);
	}
	const json = await h.cli(['resolve', 'stranger.test', '--config', h.configPath, '--json']);
	t.is(json.code, 1);
	t.like(JSON.parse(json.stdout), {
		serverName: 'stranger.test',
		wellKnownRoute: null,
		candidates: [],
		error: { code: 'ERR_FEDERATION_DENIED' },
	});
	t.is(lookups, 0);
});
