import { domainToASCII } from 'node:url';
import type { Purpose } from '@homeserver/config';
import { IpBlockedError, isOutboundHttpError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { startForwardProxy, startHttpServer, startHttpsServer } from '@homeserver/testkit';
import type { DestinationServer, ForwardProxy } from '@homeserver/testkit';
import test from 'ava';
import { LeakAudit, PROXY_PASSWORD, PROXY_USER } from './helpers/secrets.js';
import { watchConnections } from './helpers/socket-guard.js';
import {
	ALLOW_TEST_SERVERS,
	configFrom,
	mapLookup,
	outboundFor,
	proxyYaml,
	testPki,
} from './helpers/stack.js';
import type { MapLookup } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** A name, what the (injected) resolver answers for it, and the refusal expected on a direct route. */
interface NameForm {
	readonly name: string;
	readonly answers: readonly string[];
	/** The address the ERR_IP_BLOCKED names, or null when the answer is not an address (refused as unreachable). */
	readonly refused: string | null;
}

const NAMES: readonly NameForm[] = [
	{ name: 'internal.test', answers: ['10.0.0.1'], refused: '10.0.0.1' },
	{ name: 'metadata.test', answers: ['169.254.169.254'], refused: '169.254.169.254' },
	{ name: 'loop.test', answers: ['127.0.0.2'], refused: '127.0.0.2' },
	{ name: 'loop6.test', answers: ['::1'], refused: '::1' },
	{ name: 'mapped.test', answers: ['::ffff:127.0.0.2'], refused: '127.0.0.2' },
	{ name: 'compat.test', answers: ['::7f00:2'], refused: '::7f00:2' },
	{ name: 'sixtofour.test', answers: ['2002:7f00:2::'], refused: '2002:7f00:2::' },
	{ name: 'nat64.test', answers: ['64:ff9b::a9fe:a9fe'], refused: '64:ff9b::a9fe:a9fe' },
	{ name: 'zero.test', answers: ['0.0.0.0'], refused: '0.0.0.0' },
	{ name: 'unspecified6.test', answers: ['::'], refused: '::' },
	{ name: 'linklocal6.test', answers: ['fe80::1'], refused: 'fe80::1' },
	{ name: 'ula.test', answers: ['fd00::1'], refused: 'fd00::1' },
	{ name: 'cgnat.test', answers: ['100.64.0.1'], refused: '100.64.0.1' },
	{ name: 'multicast.test', answers: ['224.0.0.1'], refused: '224.0.0.1' },
	{ name: 'mixed.test', answers: ['127.0.0.1', '10.0.0.1'], refused: '10.0.0.1' },
	{ name: 'mixed-first.test', answers: ['10.0.0.1', '127.0.0.1'], refused: '10.0.0.1' },
	{ name: 'mixed6.test', answers: ['127.0.0.1', 'fe80::1'], refused: 'fe80::1' },
	{
		name: 'mixed-many.test',
		answers: [...Array<string>(8).fill('127.0.0.1'), '192.168.0.1'],
		refused: '192.168.0.1',
	},
	{ name: 'zone.test', answers: ['fe80::1%eth0'], refused: null },
	{ name: 'garbage.test', answers: ['not-an-address'], refused: null },
	{ name: 'leading-zero.test', answers: ['010.0.0.1'], refused: null },
	{ name: domainToASCII('ünïcode-internal.test'), answers: ['10.0.0.2'], refused: '10.0.0.2' },
];

/** How each name is spelled in the URL: as is, upper case, with a trailing dot, both. */
const SPELLINGS = [
	(name: string) => name,
	(name: string) => name.toUpperCase(),
	(name: string) => `${name}.`,
	(name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}.`,
];
const PURPOSES: readonly Purpose[] = [
	'federation',
	'media_redirect',
	'push',
	'url_preview',
	'identity_server',
];

let http: DestinationServer;
let https: DestinationServer;
let proxy: ForwardProxy;
let lookup: MapLookup;
/** The proxied stack's own resolver, so its calls are not mixed with the direct tests running meanwhile. */
let proxiedLookup: MapLookup;
let control: OutboundHttp;
let direct: OutboundHttp;
let proxied: OutboundHttp;

test.before(async () => {
	const { destination } = await testPki();
	http = await startHttpServer();
	https = await startHttpsServer(destination);
	proxy = await startForwardProxy({ auth: { username: PROXY_USER, password: PROXY_PASSWORD } });
	const map: Record<string, readonly string[]> = {
		'test.com': ['127.0.0.1'],
		'twice.test.com': ['127.0.0.1', '127.0.0.1'],
	};
	for (const form of NAMES) map[form.name] = form.answers;
	lookup = mapLookup(map);
	proxiedLookup = mapLookup(map);
	control = await outboundFor(configFrom(ALLOW_TEST_SERVERS), audit, lookup);
	direct = await outboundFor(configFrom(ALLOW_TEST_SERVERS), audit, lookup, { trustTestCa: false });
	proxied = await outboundFor(configFrom(ALLOW_TEST_SERVERS + proxyYaml(proxy.url)), audit, proxiedLookup, {
		trustTestCa: false,
	});
});

test.after.always(async () => {
	control?.close();
	direct?.close();
	proxied?.close();
	audit.addRequests('http destination', http.requests);
	audit.addRequests('https destination', https.requests);
	await Promise.all([http?.close(), https?.close(), proxy?.close()]);
});

const url = (scheme: 'http' | 'https', host: string): string =>
	`${scheme}://${host}:${scheme === 'http' ? http.port : https.port}/probe`;

test.serial(
	'control: a name resolving only to the allowlisted 127.0.0.1 is reached on every purpose',
	async (t) => {
		for (const name of ['test.com', 'TWICE.test.com.']) {
			for (const scheme of ['http', 'https'] as const) {
				for (const purpose of PURPOSES) {
					const response = await control.client(purpose).get(url(scheme, name));
					t.is(response.statusCode, 200, `${purpose} ${scheme}://${name}`);
				}
			}
		}
	},
);

for (const form of NAMES) {
	test(`direct: ${form.name} -> ${form.answers.join(', ')} is refused in every spelling, no socket opened`, async (t) => {
		for (const spell of SPELLINGS) {
			for (const scheme of ['http', 'https'] as const) {
				for (const purpose of PURPOSES) {
					const target = url(scheme, spell(form.name));
					const { error, attempts } = await watchConnections(() => direct.client(purpose).get(target));
					audit.addError(target, error);
					const where = `${purpose} ${target}`;
					t.deepEqual(attempts, [], `${where}: a connection was attempted`);
					if (form.refused === null) {
						t.true(isOutboundHttpError(error, 'ERR_DESTINATION_UNREACHABLE'), `${where}: ${String(error)}`);
						continue;
					}
					t.true(error instanceof IpBlockedError, `${where}: ${String(error)}`);
					t.is((error as IpBlockedError).address, form.refused, where);
					t.regex((error as Error).message, /resolved from/, `${where}: the message says it was a name`);
				}
			}
		}
	});
}

test("proxied: names are the proxy's business: routed to the proxy, never resolved by us", async (t) => {
	const before = proxiedLookup.calls.length;
	for (const form of NAMES.slice(0, 5)) {
		const target = `https://${form.name}/`;
		t.is(proxied.route(target, 'push').route, 'proxy');
		const { error, attempts } = await watchConnections(() => proxied.client('push').get(target));
		audit.addError(target, error);
		// The in-process proxy knows no such name and answers 502: the tunnel is refused.
		t.true(isOutboundHttpError(error, 'ERR_PROXY_REFUSED'), String(error));
		t.true(
			attempts.every((attempt) => attempt.port === proxy.port),
			'only the proxy was connected to',
		);
	}
	const asked = proxiedLookup.calls.slice(before).filter((name) => name !== '127.0.0.1');
	t.deepEqual(asked, [], 'destination names were resolved locally on a proxied route');
});
