import test from 'ava';
import { load } from './helpers.js';
import type { Environment } from '../src/index.js';

interface Case {
	readonly name: string;
	readonly env: Environment;
	readonly yaml?: string;
	readonly http: string | null;
	readonly https: string | null;
	readonly httpSource?: string;
	readonly httpsSource?: string;
}

const cases: Case[] = [
	{ name: 'an empty environment means no proxy', env: {}, http: null, https: null },
	{
		name: 'lowercase http_proxy is read',
		env: { http_proxy: 'proxy.com:8888' },
		http: 'http://proxy.com:8888',
		https: null,
		httpSource: 'http_proxy (environment)',
	},
	{
		name: 'uppercase HTTP_PROXY is read',
		env: { HTTP_PROXY: 'proxy.com:8888' },
		http: 'http://proxy.com:8888',
		https: null,
		httpSource: 'HTTP_PROXY (environment)',
	},
	{
		name: 'a mixed-case name is read too',
		env: { Https_Proxy: 'proxy.com' },
		http: null,
		https: 'http://proxy.com:1080',
		httpsSource: 'Https_Proxy (environment)',
	},
	{
		name: 'lowercase wins over uppercase',
		env: { HTTPS_PROXY: 'upper.example:1', https_proxy: 'lower.example:2' },
		http: null,
		https: 'http://lower.example:2',
		httpsSource: 'https_proxy (environment)',
	},
	{
		name: 'an empty lowercase value cancels the uppercase one',
		env: { HTTPS_PROXY: 'upper.example:1', https_proxy: '' },
		http: null,
		https: null,
	},
	{
		name: 'an empty uppercase value is no setting',
		env: { HTTPS_PROXY: '  ' },
		http: null,
		https: null,
	},
	{
		name: 'under CGI an uppercase-only HTTP_PROXY is ignored',
		env: { REQUEST_METHOD: 'GET', HTTP_PROXY: 'attacker.example:80' },
		http: null,
		https: null,
	},
	{
		name: 'under CGI an empty REQUEST_METHOD still counts',
		env: { REQUEST_METHOD: '', HTTP_PROXY: 'attacker.example:80' },
		http: null,
		https: null,
	},
	{
		name: 'under CGI the lowercase http_proxy is still used',
		env: { REQUEST_METHOD: 'GET', HTTP_PROXY: 'attacker.example:80', http_proxy: 'proxy.com:8888' },
		http: 'http://proxy.com:8888',
		https: null,
	},
	{
		name: 'under CGI HTTPS_PROXY is still used',
		env: { REQUEST_METHOD: 'GET', HTTPS_PROXY: 'proxy.com:3128' },
		http: null,
		https: 'http://proxy.com:3128',
	},
	{
		name: 'https never falls back to http',
		env: { http_proxy: 'proxy.com:8888' },
		http: 'http://proxy.com:8888',
		https: null,
	},
	{
		name: 'ALL_PROXY is never used',
		env: { ALL_PROXY: 'proxy.com:8888', all_proxy: 'proxy.com:8888' },
		http: null,
		https: null,
	},
	{
		name: 'a YAML http_proxy wins over the environment',
		env: { http_proxy: 'unused.com' },
		yaml: 'http_proxy: proxy.com:8888',
		http: 'http://proxy.com:8888',
		https: null,
		httpSource: 'http_proxy (homeserver.yaml)',
	},
	{
		name: 'a YAML https_proxy wins over the environment',
		env: { https_proxy: 'unused.com', HTTPS_PROXY: 'unused.com' },
		yaml: 'https_proxy: https://proxy.com',
		http: null,
		https: 'https://proxy.com:1080',
		httpsSource: 'https_proxy (homeserver.yaml)',
	},
	{
		name: 'a YAML http_proxy: null disables the environment proxy',
		env: { http_proxy: 'proxy.com:8888', https_proxy: 'proxy.com:3128' },
		yaml: 'http_proxy: null',
		http: null,
		https: 'http://proxy.com:3128',
	},
	{
		name: 'a YAML https_proxy: ~ disables the environment proxy',
		env: { HTTPS_PROXY: 'proxy.com:3128' },
		yaml: 'https_proxy: ~',
		http: null,
		https: null,
	},
	{
		name: 'a YAML empty string disables the environment proxy',
		env: { HTTPS_PROXY: 'proxy.com:3128' },
		yaml: 'https_proxy: ""',
		http: null,
		https: null,
	},
	{
		name: 'YAML and environment mix key by key',
		env: { https_proxy: 'env-proxy.example:3128' },
		yaml: 'http_proxy: yaml-proxy.example:8080',
		http: 'http://yaml-proxy.example:8080',
		https: 'http://env-proxy.example:3128',
		httpSource: 'http_proxy (homeserver.yaml)',
		httpsSource: 'https_proxy (environment)',
	},
];

for (const item of cases) {
	test(`environment: ${item.name}`, (t) => {
		const config = load(item.yaml, item.env);
		t.is(config.proxy.http?.redacted ?? null, item.http);
		t.is(config.proxy.https?.redacted ?? null, item.https);
		if (item.httpSource !== undefined) {
			t.is(config.proxy.http?.source, item.httpSource);
		}
		if (item.httpsSource !== undefined) {
			t.is(config.proxy.https?.source, item.httpsSource);
		}
	});
}

const noProxyCases: [name: string, env: Environment, yaml: string, domains: string[], source: string][] = [
	['absent everywhere: none', {}, '', [], 'none'],
	['lowercase no_proxy', { no_proxy: 'a.example' }, '', ['a.example'], 'no_proxy (environment)'],
	['uppercase NO_PROXY', { NO_PROXY: 'a.example' }, '', ['a.example'], 'NO_PROXY (environment)'],
	[
		'lowercase wins',
		{ NO_PROXY: 'upper.example', no_proxy: 'lower.example' },
		'',
		['lower.example'],
		'no_proxy (environment)',
	],
	['empty lowercase cancels', { NO_PROXY: 'upper.example', no_proxy: '' }, '', [], 'none'],
	[
		'YAML list wins',
		{ no_proxy: 'env.example' },
		'no_proxy_hosts: [yaml.example]',
		['yaml.example'],
		'no_proxy_hosts (homeserver.yaml)',
	],
	[
		'YAML null falls back to the environment',
		{ no_proxy: 'env.example' },
		'no_proxy_hosts: null',
		['env.example'],
		'no_proxy (environment)',
	],
	[
		'YAML [] means none, ignoring the environment',
		{ no_proxy: 'env.example' },
		'no_proxy_hosts: []',
		[],
		'no_proxy_hosts (homeserver.yaml)',
	],
];

for (const [name, env, yaml, domains, source] of noProxyCases) {
	test(`no_proxy precedence: ${name}`, (t) => {
		const { noProxy } = load(yaml, env).proxy;
		t.deepEqual(
			noProxy.entries.map((entry) => (entry.kind === 'domain' ? entry.domain : entry.kind)),
			domains,
		);
		t.is(noProxy.source, source);
	});
}

test('only http_proxy set: a warning says https traffic goes direct', (t) => {
	const { warnings } = load('', { http_proxy: 'proxy.com:8888' });
	t.true(warnings.some((warning) => /https_proxy is not: https traffic .* goes direct/.test(warning)));
});

test('http_proxy and https_proxy set: no fallback warning', (t) => {
	const { warnings } = load('', { http_proxy: 'proxy.com:8888', https_proxy: 'proxy.com:8888' });
	t.false(warnings.some((warning) => warning.includes('goes direct')));
});

test('ALL_PROXY and all_proxy set: each is named in a warning, without its value', (t) => {
	const { warnings } = load('', {
		ALL_PROXY: 'http://u:Secret-All-1@p:1',
		all_proxy: 'http://u:Secret-All-1@p:1',
	});
	t.true(warnings.some((warning) => warning.startsWith('ALL_PROXY is set') && warning.includes('not used')));
	t.true(warnings.some((warning) => warning.startsWith('all_proxy is set')));
	t.false(warnings.join('\n').includes('Secret-All-1'));
});

test('the CGI guard warns that HTTP_PROXY was ignored', (t) => {
	const { warnings } = load('', { REQUEST_METHOD: 'POST', HTTP_PROXY: 'attacker.example:80' });
	t.true(warnings.some((warning) => warning.includes('HTTP_PROXY is ignored because REQUEST_METHOD is set')));
});

test('a bad environment proxy is an error naming the variable', (t) => {
	const error = t.throws(() => load('', { HTTPS_PROXY: 'socks5://proxy:1080' }));
	t.regex(
		error.message,
		/HTTPS_PROXY \(environment\): unsupported proxy scheme "socks5": only http and https/,
	);
});

test('a bad environment no_proxy entry is skipped with one warning naming the variable and entry', (t) => {
	const config = load('', { NO_PROXY: 'ok.example,10.0.0.0/99' });
	t.deepEqual(
		config.proxy.noProxy.entries.map((entry) => entry.raw),
		['ok.example'],
	);
	const warnings = config.warnings.filter((warning) => warning.includes('NO_PROXY'));
	t.is(warnings.length, 1);
	t.regex(
		warnings[0] ?? '',
		/^NO_PROXY \(environment\): an entry skipped, so those destinations go through the proxy: "10\.0\.0\.0\/99" \(invalid no_proxy entry: prefix \/99 /,
	);
});
