import test from 'ava';
import { inspect } from 'node:util';
import { ConfigError, describeConfig, redactConfig } from '../src/index.js';
import { load } from './helpers.js';

const RULES = `
outbound_proxy_rules:
  - match: ["*.onion"]
    proxy: "http://127.0.0.1:9080"
  - match: ["partner.example", "10.20.0.0/16"]
    purposes: [federation, media_redirect]
    proxy: "https://user:s3cret@partner-proxy.corp:3128"
  - match: ["intranet.corp"]
    proxy: null
`;

function problemsOf(yaml: string): ConfigError {
	const error = (() => {
		try {
			load(yaml);
		} catch (caught) {
			return caught;
		}
		return undefined;
	})();
	if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
	return error;
}

test('the documented rules load in order: names, match lists, purposes and proxies', (t) => {
	const { proxy } = load(RULES);
	t.is(proxy.rules.length, 3);
	const [onion, partner, intranet] = proxy.rules;
	t.is(onion?.name, 'outbound_proxy_rules[0]');
	t.is(onion?.purposes, null);
	t.is(onion?.proxy?.origin, 'http://127.0.0.1:9080');
	t.deepEqual(
		onion?.match.entries.map((entry) => entry.kind),
		['domain'],
	);
	t.deepEqual(partner?.purposes, ['federation', 'media_redirect']);
	t.is(partner?.proxy?.redacted, 'https://user:***@partner-proxy.corp:3128');
	t.deepEqual(
		partner?.match.entries.map((entry) => entry.raw),
		['partner.example', '10.20.0.0/16'],
	);
	t.is(intranet?.proxy, null);
});

test('no rules is an empty list, and null is the same as absent', (t) => {
	t.deepEqual(load('').proxy.rules, []);
	t.deepEqual(load('outbound_proxy_rules: null').proxy.rules, []);
});

test('every problem of every rule is named at once, with the password redacted', (t) => {
	const error = problemsOf(`
outbound_proxy_rules:
  - "not a mapping"
  - match: []
    proxy: null
  - match: ["ok.example", "bad host!"]
    proxy: "socks5://bob:hunter2@tor:9050"
  - match: ["ok.example"]
  - match: ["ok.example"]
    proxy: 8080
    purposes: [federation, pushes, replication]
  - match: ["ok.example"]
    proxy: null
    via: tor
  - proxy: "http://bob:hunter2@p:1:2"
`);
	const keys = error.problems.map((problem) => problem.key);
	t.deepEqual(keys, [
		'outbound_proxy_rules[0]',
		'outbound_proxy_rules[1].match',
		'outbound_proxy_rules[2].match[1]',
		'outbound_proxy_rules[2].proxy',
		'outbound_proxy_rules[3].proxy',
		'outbound_proxy_rules[4].proxy',
		'outbound_proxy_rules[4].purposes[1]',
		'outbound_proxy_rules[4].purposes[2]',
		'outbound_proxy_rules[5].via',
		'outbound_proxy_rules[6].match',
		'outbound_proxy_rules[6].proxy',
	]);
	const byKey = new Map(error.problems.map((problem) => [problem.key, problem]));
	t.regex(byKey.get('outbound_proxy_rules[2].proxy')?.reason ?? '', /only http and https proxies/);
	t.regex(byKey.get('outbound_proxy_rules[3].proxy')?.reason ?? '', /is required/);
	t.regex(byKey.get('outbound_proxy_rules[4].purposes[1]')?.reason ?? '', /unknown purpose/);
	t.regex(byKey.get('outbound_proxy_rules[4].purposes[2]')?.reason ?? '', /never proxied/);
	t.regex(byKey.get('outbound_proxy_rules[5].via')?.reason ?? '', /unknown key/);
	t.false(error.message.includes('hunter2'), error.message);
	t.true(error.message.includes('bob:***@'), error.message);
});

test('outbound_proxy_rules must be a list', (t) => {
	const error = problemsOf('outbound_proxy_rules: {match: [a.example], proxy: null}');
	t.is(error.problems[0]?.key, 'outbound_proxy_rules');
	t.regex(error.problems[0]?.reason ?? '', /list of rules/);
});

test('federation_domain_whitelist is kept as written; unset is null (every server)', (t) => {
	t.deepEqual(
		load('federation_domain_whitelist: [matrix.org, "example.com:8448"]').federationDomainWhitelist,
		['matrix.org', 'example.com:8448'],
	);
	t.is(load('').federationDomainWhitelist, null);
	t.deepEqual(load('federation_domain_whitelist: []').federationDomainWhitelist, []);
	t.is(problemsOf('federation_domain_whitelist: matrix.org').problems[0]?.key, 'federation_domain_whitelist');
});

test('neither key draws the unknown-key warning', (t) => {
	const config = load(`${RULES}\nfederation_domain_whitelist: [matrix.org]\n`);
	t.deepEqual(
		config.warnings.filter((warning) => warning.includes('unknown key')),
		[],
	);
});

test('a rule proxy password appears in no view of the configuration', (t) => {
	const config = load(RULES);
	for (const [view, text] of [
		['JSON.stringify', JSON.stringify(config)],
		['redactConfig', JSON.stringify(redactConfig(config))],
		['describeConfig', describeConfig(config)],
		['inspect', inspect(config, { depth: 10 })],
	] as const) {
		t.false(text.includes('s3cret'), view);
	}
	t.true(describeConfig(config).includes('https://user:***@partner-proxy.corp:3128'));
});
