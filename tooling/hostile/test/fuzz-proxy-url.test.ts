import { isIPv6 } from 'node:net';
import { inspect } from 'node:util';
import type { ProxyEndpoint } from '@homeserver/config';
import { ConfigError, parseProxyUrl } from '@homeserver/config';
import test from 'ava';
import fc from 'fast-check';
import { RUNS } from './helpers/fuzz-runs.js';
import { safeJson } from './helpers/secrets.js';

const SOURCE = 'HTTPS_PROXY (environment)';

/** Characters that matter to a URL parser, so arbitrary inputs hit its branches often. */
const URL_UNIT = fc.constantFrom(
	...'htpsHTPS:/@[]%?#.0123456789abcdefxX-_~ \t\r\nfe:%25%zz%3A%40::1[::1]socks5'.split(''),
	'http://',
	'https://',
	'%40',
	'%3a',
	'@@',
	'::',
	'65535',
	'65536',
	'0',
);

/** Parses or throws; anything but a ProxyEndpoint or a ConfigError is a failure. */
function parseOrConfigError(input: string): ProxyEndpoint | ConfigError {
	try {
		return parseProxyUrl(input, SOURCE);
	} catch (error) {
		if (error instanceof ConfigError && error.code === 'ERR_CONFIG_INVALID') return error;
		throw new Error(`parseProxyUrl(${JSON.stringify(input)}) threw ${String(error)}`, { cause: error });
	}
}

test('any input yields a proxy endpoint or a ConfigError, never a crash', (t) => {
	let endpoints = 0;
	fc.assert(
		fc.property(
			fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: URL_UNIT, maxLength: 30 })),
			(input) => {
				const result = parseOrConfigError(input);
				if (result instanceof ConfigError)
					return result.problems.length > 0 && result.message.includes(SOURCE);
				endpoints += 1;
				return result.host !== '' && result.port >= 1 && result.port <= 65_535 && !result.host.includes('[');
			},
		),
		{ numRuns: RUNS.proxyUrlArbitrary },
	);
	t.log(`${RUNS.proxyUrlArbitrary} inputs, ${endpoints} parsed as proxies`);
	t.pass();
});

/** A valid proxy URL with its expected parts; the password is always distinctive (12+ characters). */
const validProxy = fc.record({
	scheme: fc.constantFrom('', 'http://', 'https://', 'HTTP://', 'Https://'),
	user: fc.option(
		fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((user) => !user.includes(':')),
		{ nil: undefined },
	),
	password: fc.string({ unit: 'grapheme', minLength: 4, maxLength: 16 }).map((tail) => `S3cr3t-${tail}-pw`),
	host: fc.oneof(
		fc.ipV4(),
		fc.ipV6().map((address) => `[${address}]`),
		fc
			.domain()
			.map((name) => name.replace(/[a-z]/g, (c) => (c.charCodeAt(0) % 3 === 0 ? c.toUpperCase() : c))),
	),
	port: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: undefined }),
	slash: fc.boolean(),
});

type ValidProxy = typeof validProxy extends fc.Arbitrary<infer T> ? T : never;

function render(parts: ValidProxy): string {
	const userinfo =
		parts.user === undefined
			? ''
			: `${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}@`;
	const port = parts.port === undefined ? '' : `:${parts.port}`;
	return `${parts.scheme}${userinfo}${parts.host}${port}${parts.slash ? '/' : ''}`;
}

function renderings(endpoint: ProxyEndpoint): string[] {
	return [
		endpoint.redacted,
		String(endpoint),
		JSON.stringify({ endpoint }),
		inspect(endpoint),
		endpoint.origin,
	];
}

test('valid proxy URLs parse to their parts, and the redacted form parses back to itself', (t) => {
	fc.assert(
		fc.property(validProxy, (parts) => {
			const endpoint = parseProxyUrl(render(parts), SOURCE);
			const scheme = parts.scheme.toLowerCase() === 'https://' ? 'https:' : 'http:';
			if (endpoint.protocol !== scheme || endpoint.port !== (parts.port ?? 1080)) return false;
			if (parts.host.startsWith('[')) {
				const canonical = new URL(`http://${parts.host}/`).hostname;
				if (!isIPv6(endpoint.host) || new URL(`http://[${endpoint.host}]/`).hostname !== canonical)
					return false;
			} else if (endpoint.host !== parts.host.toLowerCase()) {
				return false;
			}
			if (endpoint.username !== parts.user) return false;
			const basic = `Basic ${Buffer.from(`${parts.user}:${parts.password}`).toString('base64')}`;
			if (endpoint.authorization !== (parts.user === undefined ? undefined : basic)) return false;
			const again = parseProxyUrl(endpoint.redacted, SOURCE);
			return (
				again.redacted === endpoint.redacted &&
				again.host === endpoint.host &&
				again.port === endpoint.port &&
				again.protocol === endpoint.protocol &&
				again.username === endpoint.username
			);
		}),
		{ numRuns: RUNS.proxyUrlValid },
	);
	t.pass();
});

test('a parsed endpoint never shows its password: redacted, String, JSON, inspect, origin', (t) => {
	fc.assert(
		fc.property(validProxy, (parts) => {
			const endpoint = parseProxyUrl(render({ ...parts, user: parts.user ?? 'u' }), SOURCE);
			const forms = [parts.password, encodeURIComponent(parts.password)];
			return renderings(endpoint).every((text) => forms.every((form) => !text.includes(form)));
		}),
		{ numRuns: RUNS.proxyUrlValid },
	);
	t.pass();
});

/** Ways to break a URL that still carries `user:password@`. */
const BREAKS: readonly ((url: string, parts: ValidProxy) => string)[] = [
	(url) => url.replace(/^[a-z]*:\/\/|^/i, 'socks5://'),
	(url) => url.replace(/^[a-z]*:\/\/|^/i, 'ftp://'),
	(url) => `${url.replace(/\/$/, '')}/some/path`,
	(url) => `${url.replace(/\/$/, '')}?query=1`,
	(url) => `${url.replace(/\/$/, '')}#fragment`,
	(url) => `${url.replace(/(:\d+)?\/?$/, '')}:0`,
	(url) => `${url.replace(/(:\d+)?\/?$/, '')}:65536`,
	(url) => `${url.replace(/(:\d+)?\/?$/, '')}:80a`,
	(url) => url.replace(/@.*$/, '@:3128'),
	(url) => url.replace(/@.*$/, '@::1:3128'),
	(url) => url.replace(/@.*$/, '@[::1:3128'),
	(url) => url.replace(/^([a-z]*:\/\/)?[^:@]*:/i, '$1%zz:'),
	(url, parts) => url.replace(encodeURIComponent(parts.password), `${parts.password}%G1`),
	(url) => url.replace(/^([a-z]*:\/\/)?[^:@]*:/i, '$1:'),
];

test('an invalid proxy URL with credentials is a ConfigError that never shows the password', (t) => {
	let refused = 0;
	fc.assert(
		fc.property(validProxy, fc.nat({ max: BREAKS.length - 1 }), (parts, index) => {
			const withUser = { ...parts, user: parts.user ?? 'user' };
			const input = BREAKS[index]!(render(withUser), withUser);
			const result = parseOrConfigError(input);
			if (!(result instanceof ConfigError)) return true; // a break that happens to stay valid
			refused += 1;
			const texts = [
				result.message,
				result.stack ?? '',
				JSON.stringify(result),
				inspect(result),
				safeJson(result.problems),
			];
			const forms = [parts.password, encodeURIComponent(parts.password)];
			return texts.every((text) => forms.every((form) => !text.includes(form)));
		}),
		{ numRuns: RUNS.proxyUrlInvalid },
	);
	t.log(`${refused} of ${RUNS.proxyUrlInvalid} broken URLs refused`);
	t.true(refused > RUNS.proxyUrlInvalid * 0.9);
});
