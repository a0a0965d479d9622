import { inspect } from 'node:util';
import test from 'ava';
import { ConfigError, describeConfig, redactConfig } from '../src/index.js';
import { load } from './helpers.js';

// Distinctive, and also checked in the encodings a leak could take.
const PASSWORD = 'Vermilion-Oyster-4471';
const FORMS = [
	PASSWORD,
	encodeURIComponent(`${PASSWORD}!`),
	Buffer.from(`bob:${PASSWORD}`).toString('base64'),
];

function assertClean(
	t: { false(value: boolean, message?: string): void },
	text: string,
	where: string,
): void {
	for (const form of FORMS) {
		t.false(text.includes(form), `${where} leaks ${form}`);
	}
}

const YAML = `
http_proxy: "http://bob:${PASSWORD}@proxy.example:3128/"
federation_sender:
  database: {name: psycopg2, args: {user: synapse, password: "${PASSWORD}", host: db.example}}
`;
const ENV = {
	HTTPS_PROXY: `https://bob:${encodeURIComponent(`${PASSWORD}!`)}@proxy.example:3129`,
	ALL_PROXY: `http://bob:${PASSWORD}@x:1`,
};

test('a loaded configuration never shows a credential', (t) => {
	const config = load(YAML, ENV);
	// The credentials are there for the proxy and the database...
	t.is(config.proxy.http?.authorization, `Basic ${Buffer.from(`bob:${PASSWORD}`).toString('base64')}`);
	t.is(config.proxy.https?.authorization, `Basic ${Buffer.from(`bob:${PASSWORD}!`).toString('base64')}`);
	const database = config.federationSender.database;
	t.is(database.kind === 'postgres' ? database.password : undefined, PASSWORD);
	// ...and nowhere else.
	assertClean(t, JSON.stringify(config), 'JSON.stringify');
	assertClean(t, JSON.stringify(redactConfig(config)), 'redactConfig');
	assertClean(t, inspect(config, { depth: Number.POSITIVE_INFINITY }), 'util.inspect');
	assertClean(t, String(config.proxy.http), 'String(proxy)');
	assertClean(t, `${config.proxy.https?.toString()}`, 'toString()');
	assertClean(t, describeConfig(config), 'describeConfig');
	assertClean(t, config.warnings.join('\n'), 'warnings');
	assertClean(t, JSON.stringify({ ...config.federationSender.database }), 'spread database');
	t.is(config.proxy.http?.redacted, 'http://bob:***@proxy.example:3128');
	t.true(describeConfig(config).includes('http://bob:***@proxy.example:3128'));
});

const failing: [name: string, yaml: string, env?: Record<string, string>][] = [
	['a socks proxy', `https_proxy: "socks5://bob:${PASSWORD}@p:1"`],
	['a bad port', `http_proxy: "http://bob:${PASSWORD}@p:0"`],
	['a path', `http_proxy: "http://bob:${PASSWORD}@p:1/path"`],
	['a bad escape', `http_proxy: "http://bob:${PASSWORD}%zz@p:1"`],
	['a password with "@"', `http_proxy: "http://bob:${PASSWORD}@x@p:0"`],
	['a non-string proxy', `http_proxy: {url: "http://bob:${PASSWORD}@p:1"}`],
	['a proxy list', `https_proxy: ["http://bob:${PASSWORD}@p:1"]`],
	['a URL in no_proxy', `no_proxy_hosts: ["http://bob:${PASSWORD}@p:1"]`],
	['a URL in an IP range', `ip_range_blacklist: ["http://bob:${PASSWORD}@p:1"]`],
	[
		'a non-string database password',
		`federation_sender: {database: {name: psycopg2, args: {password: [${PASSWORD}]}}}`,
	],
	['a bad database next to a password', `media_fetcher: {database: {name: mysql, password: "${PASSWORD}"}}`],
	['an environment proxy', '', { HTTPS_PROXY: `socks5://bob:${PASSWORD}@p:1` }],
	['an environment proxy with a bad port', '', { http_proxy: `bob:${PASSWORD}@p:99999` }],
];

test('the warning about a skipped environment no_proxy entry never shows the password', (t) => {
	const config = load('', { NO_PROXY: `ok.example,bob:${PASSWORD}@p` });
	const warning = config.warnings.find((text) => text.startsWith('NO_PROXY (environment)'));
	t.truthy(warning);
	assertClean(t, warning ?? '', 'warning');
	assertClean(t, JSON.stringify(config), 'config');
});

for (const [name, yaml, env] of failing) {
	test(`a configuration error about ${name} never shows the password`, (t) => {
		const error = t.throws(() => load(yaml, env ?? {}), { instanceOf: ConfigError });
		assertClean(t, error.message, 'message');
		assertClean(t, JSON.stringify(error.problems), 'problems');
		assertClean(t, inspect(error, { depth: Number.POSITIVE_INFINITY }), 'inspect(error)');
		assertClean(t, String(error.stack), 'stack');
	});
}
