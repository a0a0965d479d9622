import test from 'ava';
import { ConfigError, parseNoProxy } from '../src/index.js';
import { load } from './helpers.js';

const CORPORATE = 'localhost,127.0.0.1,.corp.example,10.*';

test('the common corporate NO_PROXY loads: 10.* is 10.0.0.0/8, with no warning', (t) => {
	const config = load('', { https_proxy: 'http://proxy.example:3128', no_proxy: CORPORATE });
	t.deepEqual(config.warnings, []);
	const entries = config.proxy.noProxy.entries;
	t.deepEqual(
		entries.map((entry) => entry.kind),
		['domain', 'ip', 'domain', 'cidr'],
	);
	t.like(entries[3], { kind: 'cidr', raw: '10.*' });
	t.is(String((entries[3] as { cidr: unknown }).cidr), '10.0.0.0/8');
});

const forms: [raw: string, network: string, prefix: number][] = [
	['10.*', '10.0.0.0', 8],
	['192.168.*', '192.168.0.0', 16],
	['172.16.*.*', '172.16.0.0', 16],
	['10.1.2.*', '10.1.2.0', 24],
	['10.*.*.*', '10.0.0.0', 8],
];
for (const [raw, network, prefix] of forms) {
	test(`${raw} means ${network}/${prefix}`, (t) => {
		const [entry] = parseNoProxy(raw, 'NO_PROXY (environment)').entries;
		t.like(entry, { kind: 'cidr', port: undefined, raw });
		t.is(String((entry as { cidr: unknown }).cidr), `${network}/${prefix}`);
	});
}

test('<local> sets matchLocal and keeps its entry for route reasons', (t) => {
	const list = parseNoProxy('<local>,a.example', 'NO_PROXY (environment)');
	t.true(list.matchLocal);
	t.deepEqual(list.entries[0], { kind: 'local', raw: '<local>' });
	t.false(parseNoProxy('a.example', 'NO_PROXY (environment)').matchLocal);
});

test('*.corp.example is the corp.example domain and its subdomains', (t) => {
	t.like(parseNoProxy('*.corp.example', 'x').entries[0], { kind: 'domain', domain: 'corp.example' });
});

const unusable = ['1.2.3', '10.*.1', '256.*', '10.1.2.3.*', '*foo.example', 'http://proxy.example'];
for (const raw of unusable) {
	test(`from the environment, ${JSON.stringify(raw)} is skipped with one warning naming it`, (t) => {
		const config = load('', { NO_PROXY: `ok.example,${raw},10.*` });
		t.deepEqual(
			config.proxy.noProxy.entries.map((entry) => entry.raw),
			['ok.example', '10.*'],
		);
		t.is(config.warnings.length, 1);
		t.true(config.warnings[0]?.startsWith('NO_PROXY (environment): an entry skipped'));
		t.true(config.warnings[0]?.includes(JSON.stringify(raw)));
	});
}

test('several unusable environment entries are named in the same one warning', (t) => {
	const config = load('', { no_proxy: '1.2.3,ok.example,.2.3' });
	t.is(config.warnings.length, 1);
	t.regex(config.warnings[0] ?? '', /^no_proxy \(environment\): 2 entries skipped.*"1\.2\.3".*"\.2\.3"/);
});

test('in homeserver.yaml a bad no_proxy_hosts entry stays a configuration error', (t) => {
	const error = t.throws(() => load('no_proxy_hosts: [ok.example, "1.2.3"]'), { instanceOf: ConfigError });
	t.is(error.problems.length, 1);
	t.is(error.problems[0]?.key, 'no_proxy_hosts[1] (homeserver.yaml)');
});

test('in homeserver.yaml the corporate forms are understood too', (t) => {
	const config = load('no_proxy_hosts: ["10.*", "<local>", "*.corp.example"]');
	t.true(config.proxy.noProxy.matchLocal);
	t.deepEqual(
		config.proxy.noProxy.entries.map((entry) => entry.kind),
		['cidr', 'local', 'domain'],
	);
});
