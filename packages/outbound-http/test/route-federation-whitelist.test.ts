import type { LookupFunction } from 'node:net';
import test from 'ava';
import {
	FederationDeniedError,
	createRouter,
	isOutboundHttpError,
	routeDecisionToJson,
} from '../src/index.js';
import { client } from './helpers/fixtures.js';
import { configFrom } from './helpers/setup.js';

const ENV = { https_proxy: 'http://proxy.test:3128' };
const YAML = 'federation_domain_whitelist: ["matrix.org", "example.com:8448"]\n';
const router = createRouter(configFrom(ENV, YAML));

test('route answers blocked, naming federation_domain_whitelist, for a server it does not list', (t) => {
	const decision = router.route('https://evil.example/_matrix/federation/v1/version', 'federation');
	t.is(decision.route, 'blocked');
	t.is(decision.reason, 'server name "evil.example" is not in federation_domain_whitelist');
	t.deepEqual(decision.deniedBy, { serverName: 'evil.example', key: 'federation_domain_whitelist' });
	t.is(decision.blockedBy, undefined);
	t.like(routeDecisionToJson(decision), { route: 'blocked', proxy: null, connect: null });
});

test('listed servers route as usual, by host or host:port as written', (t) => {
	t.like(router.route('https://matrix.org/_matrix/key/v2/server', 'federation'), { route: 'proxy' });
	t.like(router.route('https://example.com:8448/', 'federation'), { route: 'proxy' });
	t.is(router.route('https://example.com/', 'federation').route, 'blocked');
	t.is(router.route('https://sub.matrix.org/', 'federation').route, 'blocked');
});

test('the server name given by the federation client is checked, not the resolved target', (t) => {
	t.like(router.route('https://matrix-federation.matrix.org:443/x', 'federation', 'matrix.org'), {
		route: 'proxy',
	});
	t.like(router.route('https://matrix.org/x', 'federation', 'evil.example'), {
		route: 'blocked',
		deniedBy: { serverName: 'evil.example' },
	});
});

test('other purposes are not affected, and without the key every server is allowed', (t) => {
	t.is(router.route('https://evil.example/', 'push').route, 'proxy');
	t.is(router.route('https://cdn.evil.example/m', 'media_redirect').route, 'proxy');
	t.is(createRouter(configFrom(ENV)).route('https://evil.example/', 'federation').route, 'proxy');
	t.is(
		createRouter(configFrom(ENV, 'federation_domain_whitelist: []')).route(
			'https://matrix.org/',
			'federation',
		).route,
		'blocked',
	);
});

test('assertFederationAllowed throws ERR_FEDERATION_DENIED for unlisted servers only', (t) => {
	t.notThrows(() => router.assertFederationAllowed('matrix.org'));
	const error = t.throws(() => router.assertFederationAllowed('evil.example'), {
		instanceOf: FederationDeniedError,
	});
	t.true(isOutboundHttpError(error, 'ERR_FEDERATION_DENIED'));
	t.regex(error?.message ?? '', /federation_domain_whitelist/);
});

test('a federation request to an unlisted server fails with ERR_FEDERATION_DENIED and opens no socket', async (t) => {
	const lookup: LookupFunction = () => t.fail('no lookup may happen');
	const stack = await client(t, configFrom({}, YAML), { lookup });
	const error = await t.throwsAsync(
		stack.client('federation').get('https://evil.example/_matrix/key/v2/server'),
	);
	t.true(isOutboundHttpError(error, 'ERR_FEDERATION_DENIED'), String(error));
	const viaContext = await t.throwsAsync(
		stack.client('federation').get('https://matrix.org/_matrix/key/v2/server', {
			context: { serverName: 'evil.example' },
		}),
	);
	t.true(isOutboundHttpError(viaContext, 'ERR_FEDERATION_DENIED'), String(viaContext));
});
