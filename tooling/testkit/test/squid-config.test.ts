import test from 'ava';
import { parseSquidAccessLog, renderSquidConfig, requireSquid } from '../src/index.js';
import { renderHostsFile } from '../src/squid-files.js';

const base = {
	dir: '/tmp/run',
	host: '127.0.0.1' as const,
	httpPort: 3130,
	hostsFile: '/tmp/run/hosts',
	hostNames: ['test.com'],
};

test('the rendered squid.conf allows loopback clients to loopback destinations only, on any port', (t) => {
	const conf = renderSquidConfig(base);
	t.true(conf.includes('http_port 127.0.0.1:3130\n'));
	t.true(conf.includes('acl to_loopback dst 127.0.0.0/8 ::1\n'));
	const access = conf.split('\n').filter((line) => line.startsWith('http_access'));
	t.deepEqual(access, [
		'http_access deny testkit_probe',
		'http_access deny !from_loopback',
		'http_access deny !known_name !ip_literal',
		'http_access deny !to_loopback',
		'http_access allow all',
	]);
	t.false(
		/SSL_ports|Safe_ports|cache_dir|cache_effective_user/.test(conf),
		'no port restrictions, no disk cache, not root',
	);
	t.true(conf.includes('acl known_name dstdomain -n localhost test.com\n'));
});

test("Squid's hosts file gives each name one address: localhost is 127.0.0.1 unless the caller maps it", (t) => {
	// Squid keeps only the last line for a name: two lines for localhost would leave it one of them.
	t.is(renderHostsFile({ 'Test.com': '127.0.0.2' }), '127.0.0.1 localhost\n127.0.0.2 test.com\n');
	t.is(renderHostsFile({ LocalHost: '::1', 'a.test': '127.0.0.1' }), '::1 localhost\n127.0.0.1 a.test\n');
	t.throws(() => renderHostsFile({ localhost: '10.0.0.1' }), { code: 'ERR_TESTKIT_NOT_LOOPBACK' });
	t.throws(() => renderHostsFile({ '*.test': '127.0.0.1' }), { code: 'ERR_TESTKIT_INVALID_OPTION' });
	const conf = renderSquidConfig({ ...base, hostNames: ['localhost', 'test.com'] });
	t.true(conf.includes('acl known_name dstdomain -n localhost test.com\n'));
});

test('auth, https_port, the effective user and IPv6 listening appear when asked for', (t) => {
	const conf = renderSquidConfig({
		...base,
		host: '::1',
		https: { port: 3131, certFile: '/tmp/run/c.pem', keyFile: '/tmp/run/k.pem' },
		auth: {
			helper: '/usr/lib/squid/basic_ncsa_auth',
			htpasswdFile: '/tmp/run/htpasswd',
			realm: 'corp proxy',
		},
		effectiveUser: 'proxy',
	});
	t.true(conf.includes('http_port [::1]:3130\n'));
	t.true(conf.includes('https_port [::1]:3131 tls-cert=/tmp/run/c.pem tls-key=/tmp/run/k.pem\n'));
	t.true(conf.includes('auth_param basic program /usr/lib/squid/basic_ncsa_auth /tmp/run/htpasswd\n'));
	t.true(conf.includes('auth_param basic realm corp proxy\n'));
	t.true(conf.includes('http_access deny !authenticated\nhttp_access allow all\n'));
	t.true(conf.includes('cache_effective_user proxy\n'));
});

test('access log lines parse into entries; malformed lines are skipped', (t) => {
	const text = [
		'1795781237.192\t127.0.0.1\tTCP_TUNNEL\t200\tCONNECT\ttest.com:8448\tal%20ice\tHIER_DIRECT\t127.0.0.1',
		'garbage line',
		'1795781237.198\t::1\tTCP_DENIED\t407\tGET\thttp://test.com/x?y=1\t-\tHIER_NONE\t-',
		'',
	].join('\n');
	const [tunnel, denied, ...rest] = parseSquidAccessLog(text);
	t.like(tunnel, {
		squidCode: 'TCP_TUNNEL',
		status: 200,
		method: 'CONNECT',
		url: 'test.com:8448',
		user: 'al ice',
		tunnel: true,
	});
	t.like(denied, {
		clientAddress: '::1',
		status: 407,
		url: 'http://test.com/x?y=1',
		user: undefined,
		serverAddress: undefined,
	});
	t.is(denied?.tunnel, false);
	t.deepEqual(rest, []);
});

test('requireSquid fails the test when Squid is required but missing, and only logs otherwise', async (t) => {
	const calls: string[] = [];
	const fake = {
		log: (...values: unknown[]) => calls.push(`log ${values.join(' ')}`),
		fail: (message?: string) => calls.push(`fail ${message}`),
		pass: () => calls.push('pass'),
	};
	const tools = { squidBin: '/nonexistent/squid' };
	t.false(await requireSquid(fake, true, tools));
	t.false(await requireSquid(fake, false, tools));
	t.regex(calls[0] ?? '', /^fail Squid is not available \(missing: \/nonexistent\/squid/);
	t.regex(calls[1] ?? '', /^log SKIPPED: Squid is not available/);
	t.is(calls[2], 'pass');
});
