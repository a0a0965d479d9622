import type { Purpose } from '@homeserver/config';
import { IpBlockedError, createRouter } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { startHttpServer } from '@homeserver/testkit';
import type { DestinationServer } from '@homeserver/testkit';
import test from 'ava';
import { LeakAudit } from './helpers/secrets.js';
import { watchConnections } from './helpers/socket-guard.js';
import { configFrom, mapLookup, outboundFor } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** An allowlist and, for each host spelling, whether it must pass (true) or stay blocked (false). */
interface AllowCase {
	readonly allow: string;
	readonly hosts: Readonly<Record<string, boolean>>;
}

const CASES: readonly AllowCase[] = [
	{
		allow: '127.0.0.1',
		hosts: {
			'127.0.0.1': true,
			'2130706433': true,
			'[::ffff:127.0.0.1]': true,
			'[::127.0.0.1]': true,
			'[64:ff9b::7f00:1]': true,
			'[2002:7f00:1::5]': true, // 6to4: 127.0.0.1/32 maps to 2002:7f00:1::/48
			'[2002:7f00:2::]': false,
			'127.0.0.2': false,
			'127.0.0.0': false,
			'[::ffff:127.0.0.2]': false,
			'[64:ff9b::7f00:2]': false,
			'[::1]': false,
		},
	},
	{
		allow: '10.1.2.3',
		hosts: {
			'10.1.2.3': true,
			'[::ffff:a01:203]': true,
			'[64:ff9b::10.1.2.3]': true,
			'10.1.2.2': false,
			'10.1.2.4': false,
			'[::ffff:10.1.2.4]': false,
			'[64:ff9b::a01:204]': false,
		},
	},
	{
		allow: '192.168.1.0/24',
		hosts: { '192.168.1.0': true, '192.168.1.255': true, '192.168.0.255': false, '192.168.2.0': false },
	},
	{
		allow: 'fd00::1',
		hosts: { '[fd00::1]': true, '[FD00:0::1]': true, '[fd00::2]': false, '[fd00::]': false },
	},
	{ allow: '169.254.169.253/32', hosts: { '169.254.169.253': true, '169.254.169.254': false } },
];

const PURPOSES: readonly Purpose[] = ['push', 'media_redirect', 'federation', 'url_preview'];

for (const item of CASES) {
	test(`allowlist [${item.allow}] lets exactly what it names through, in every spelling`, (t) => {
		const router = createRouter(configFrom(`ip_range_whitelist: ["${item.allow}"]\n`));
		const problems: string[] = [];
		for (const [host, allowed] of Object.entries(item.hosts)) {
			for (const purpose of PURPOSES) {
				const decision = router.route(`https://${host}/`, purpose);
				if ((decision.route !== 'blocked') !== allowed)
					problems.push(`${purpose} ${host}: ${decision.route} (${decision.reason})`);
			}
		}
		t.deepEqual(problems, []);
	});
}

test('federation_ip_range_blacklist replaces the blocklist for federation, and the allowlist no longer applies there', (t) => {
	const router = createRouter(
		configFrom('ip_range_whitelist: ["10.0.0.1"]\nfederation_ip_range_blacklist: ["10.0.0.0/8"]\n'),
	);
	t.is(router.route('https://10.0.0.1/', 'push').route, 'direct');
	t.is(router.route('https://10.0.0.1/', 'federation').route, 'blocked');
	t.is(router.route('https://10.0.0.2/', 'push').route, 'blocked');
	// Still always blocked under a replaced list.
	t.is(router.route('https://0.0.0.0/', 'federation').route, 'blocked');
	t.is(router.route('https://[::]/', 'federation').route, 'blocked');
	t.is(
		router.route('https://127.0.0.1/', 'federation').route,
		'direct',
		'the replaced list no longer has 127/8',
	);
});

let server: DestinationServer;
let http: OutboundHttp;

test.before(async () => {
	server = await startHttpServer();
	const lookup = mapLookup({
		'allowed.test': ['127.0.0.1'],
		'neighbour.test': ['127.0.0.2'],
		'both.test': ['127.0.0.1', '127.0.0.2'],
	});
	http = await outboundFor(configFrom('ip_range_whitelist: ["127.0.0.1"]\n'), audit, lookup, {
		trustTestCa: false,
	});
});

test.after.always(async () => {
	http?.close();
	audit.addRequests('destination', server.requests);
	await server?.close();
});

test('on real sockets: the allowlisted address and a name for it get through; the neighbour never gets a socket', async (t) => {
	for (const host of ['127.0.0.1', 'allowed.test', '[::ffff:127.0.0.1]']) {
		for (const purpose of PURPOSES) {
			const response = await http.client(purpose).get(`http://${host}:${server.port}/`);
			t.is(response.statusCode, 200, `${purpose} ${host}`);
		}
	}
	for (const [host, address] of [
		['127.0.0.2', '127.0.0.2'],
		['neighbour.test', '127.0.0.2'],
		['both.test', '127.0.0.2'],
		['0x7f.2', '127.0.0.2'],
	] as const) {
		for (const purpose of PURPOSES) {
			const { error, attempts } = await watchConnections(() =>
				http.client(purpose).get(`http://${host}:${server.port}/`),
			);
			audit.addError(host, error);
			t.true(error instanceof IpBlockedError, `${purpose} ${host}: ${String(error)}`);
			t.is((error as IpBlockedError).address, address);
			t.deepEqual(attempts, [], `${purpose} ${host}: a socket was opened`);
		}
	}
});
