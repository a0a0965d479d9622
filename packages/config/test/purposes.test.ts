import test from 'ava';
import { ConfigError, PURPOSES } from '../src/index.js';
import type { Purpose } from '../src/index.js';
import { load } from './helpers.js';

type Row = [
	proxied: boolean,
	httpsProxyOnly: boolean,
	policy: 'default' | 'federation' | 'url_preview' | null,
	tls: 'federation' | 'default',
];

// docs/architecture.md 3.4, written out.
const table: Record<Purpose, Row> = {
	federation: [true, true, 'federation', 'federation'],
	media_redirect: [true, false, 'federation', 'default'],
	push: [true, false, 'default', 'default'],
	url_preview: [true, false, 'url_preview', 'default'],
	oidc: [true, false, 'default', 'default'],
	cas: [true, false, 'default', 'default'],
	recaptcha: [true, false, 'default', 'default'],
	phone_home: [true, false, 'default', 'default'],
	key_revocation: [true, false, 'default', 'default'],
	appservice: [false, false, null, 'default'],
	identity_server: [false, false, 'federation', 'default'],
	replication: [false, false, null, 'default'],
};

// Distinct lists so each policy can be told apart by its key.
const YAML = `
ip_range_blacklist: [10.0.0.0/8]
federation_ip_range_blacklist: [192.168.0.0/16]
url_preview_ip_range_blacklist: [172.16.0.0/12]
url_preview_ip_range_whitelist: [172.16.1.0/24]
`;
const KEYS = {
	default: 'ip_range_blacklist',
	federation: 'federation_ip_range_blacklist',
	url_preview: 'url_preview_ip_range_blacklist',
};

test('every purpose is listed once', (t) => {
	t.deepEqual([...PURPOSES].sort(), Object.keys(table).sort());
	t.deepEqual(Object.keys(load().purposes).sort(), Object.keys(table).sort());
});

for (const [purpose, [proxied, httpsProxyOnly, policy, tls]] of Object.entries(table)) {
	test(`purpose ${purpose}: ${proxied ? 'proxied' : 'direct'}, ${policy ?? 'no'} IP policy, ${tls} TLS`, (t) => {
		const resolved = load(YAML).purposes[purpose as Purpose];
		t.is(resolved.proxied, proxied);
		t.is(resolved.httpsProxyOnly, httpsProxyOnly);
		t.is(resolved.tls, tls);
		t.is(resolved.ipPolicy?.blocklistKey ?? null, policy === null ? null : KEYS[policy]);
	});
}

test('without federation or URL-preview lists, those purposes use ip_range_*', (t) => {
	const { purposes } = load('ip_range_whitelist: [10.1.0.0/16]');
	for (const purpose of ['federation', 'media_redirect', 'identity_server', 'url_preview', 'push'] as const) {
		t.is(purposes[purpose].ipPolicy?.blocklistKey, 'ip_range_blacklist', purpose);
		t.is(purposes[purpose].ipPolicy?.allowlistKey, 'ip_range_whitelist', purpose);
		t.is(String(purposes[purpose].ipPolicy?.allowlist[0]?.cidr), '10.1.0.0/16', purpose);
	}
});

test('federation_ip_range_blacklist replaces the blocklist and has no allowlist', (t) => {
	const policy = load('federation_ip_range_blocklist: [192.168.0.0/16]\nip_range_whitelist: [192.168.1.0/24]')
		.purposes.federation.ipPolicy;
	t.is(policy?.blocklistKey, 'federation_ip_range_blocklist');
	t.is(policy?.allowlistKey, 'federation_ip_range_blocklist');
	t.deepEqual(policy?.allowlist, []);
	t.deepEqual(
		policy?.blocklist.filter((range) => range.derivedFrom === undefined).map((range) => range.raw),
		['192.168.0.0/16', '0.0.0.0', '::'],
	);
});

test('the URL-preview lists apply to url_preview only', (t) => {
	const policy = load(YAML).purposes.url_preview.ipPolicy;
	t.is(policy?.allowlistKey, 'url_preview_ip_range_whitelist');
	t.is(String(policy?.allowlist[0]?.cidr), '172.16.1.0/24');
	t.true(policy?.blocklist.some((range) => range.raw === '0.0.0.0'));
});

test('outbound_proxy_purposes overrides "proxied"', (t) => {
	const { purposes } = load(
		'outbound_proxy_purposes: {appservice: true, push: false, identity_server: true}',
	);
	t.true(purposes.appservice.proxied);
	t.false(purposes.push.proxied);
	t.true(purposes.identity_server.proxied);
	t.true(purposes.federation.proxied);
	t.true(purposes.federation.httpsProxyOnly);
});

test('outbound_proxy_purposes may say replication: false but never true', (t) => {
	t.false(load('outbound_proxy_purposes: {replication: false}').purposes.replication.proxied);
	const error = t.throws(() => load('outbound_proxy_purposes: {replication: true}'), {
		instanceOf: ConfigError,
	});
	t.is(error.problems[0]?.key, 'outbound_proxy_purposes.replication');
	t.regex(error.problems[0]?.reason ?? '', /never proxied/);
});

test('outbound_proxy_purposes with an unknown purpose or a non-boolean is an error', (t) => {
	const error = t.throws(() => load('outbound_proxy_purposes: {pushh: true}'), { instanceOf: ConfigError });
	t.is(error.problems[0]?.key, 'outbound_proxy_purposes.pushh');
	t.regex(error.problems[0]?.reason ?? '', /unknown purpose; known purposes: federation, media_redirect/);
	const typed = t.throws(() => load('outbound_proxy_purposes: {push: maybe}'), { instanceOf: ConfigError });
	t.is(typed.problems[0]?.key, 'outbound_proxy_purposes.push');
	t.regex(typed.problems[0]?.reason ?? '', /true or false/);
});
