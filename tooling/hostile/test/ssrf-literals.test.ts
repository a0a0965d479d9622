import type { Purpose } from '@homeserver/config';
import { IpBlockedError, isOutboundHttpError } from '@homeserver/outbound-http';
import type { OutboundHttp } from '@homeserver/outbound-http';
import { startForwardProxy } from '@homeserver/testkit';
import type { ForwardProxy } from '@homeserver/testkit';
import test from 'ava';
import { LeakAudit, PROXY_PASSWORD, PROXY_USER } from './helpers/secrets.js';
import { LITERAL_FORMS, literalUrl, NEIGHBOURS } from './helpers/ssrf-forms.js';
import type { LiteralForm } from './helpers/ssrf-forms.js';
import { watchConnections } from './helpers/socket-guard.js';
import { configFrom, mapLookup, outboundFor, proxyYaml } from './helpers/stack.js';
import { registerSuiteChecks } from './helpers/suite-hooks.js';

const audit = new LeakAudit();
registerSuiteChecks(test, audit);

/** Every purpose with an IP policy (appservice and replication have none, by design). */
const POLICED: readonly Purpose[] = [
	'federation',
	'media_redirect',
	'push',
	'url_preview',
	'oidc',
	'cas',
	'recaptcha',
	'phone_home',
	'key_revocation',
	'identity_server',
];
const SCHEMES = ['http', 'https'] as const;

let proxy: ForwardProxy;
const stacks: Record<'direct' | 'proxied', OutboundHttp> = {} as never;

test.before(async () => {
	proxy = await startForwardProxy({ auth: { username: PROXY_USER, password: PROXY_PASSWORD } });
	stacks.direct = await outboundFor(configFrom(''), audit, mapLookup({}), { trustTestCa: false });
	stacks.proxied = await outboundFor(configFrom(proxyYaml(proxy.url)), audit, mapLookup({}), {
		trustTestCa: false,
	});
});

test.after.always(async (t) => {
	stacks.direct?.close();
	stacks.proxied?.close();
	t.deepEqual(proxy.log, [], 'the proxy must never be asked for a refused IP literal');
	await proxy.close();
});

/** What route() says for a form, as a failure description or undefined when it refused correctly. */
function routeProblem(
	form: LiteralForm,
	url: string,
	stack: OutboundHttp,
	purpose: Purpose,
): string | undefined {
	try {
		const result = stack.route(url, purpose);
		if (form.address === null) return `${purpose}: expected ERR_INVALID_URL, got route ${result.route}`;
		if (result.route !== 'blocked') return `${purpose}: route ${result.route} (${result.reason})`;
		if (result.blockedBy?.address !== form.address)
			return `${purpose}: refusal names ${result.blockedBy?.address}, expected ${form.address}`;
		if (!result.reason.includes(form.address)) return `${purpose}: reason does not name the address`;
		return undefined;
	} catch (error) {
		if (form.address === null && isOutboundHttpError(error, 'ERR_INVALID_URL')) return undefined;
		return `${purpose}: threw ${String(error)}`;
	}
}

for (const form of LITERAL_FORMS) {
	test(`route() refuses ${form.note}: ${JSON.stringify(form.url)}, direct and proxied, every policed purpose`, (t) => {
		const problems: string[] = [];
		for (const scheme of SCHEMES) {
			const url = literalUrl(form, scheme);
			for (const [name, stack] of Object.entries(stacks)) {
				for (const purpose of POLICED) {
					const problem = routeProblem(form, url, stack, purpose);
					if (problem !== undefined) problems.push(`${name} ${scheme}: ${problem}`);
				}
			}
		}
		t.deepEqual(problems, []);
	});

	test(`a request to ${form.note} (${JSON.stringify(form.url)}) fails typed before any socket opens`, async (t) => {
		for (const scheme of SCHEMES) {
			const url = literalUrl(form, scheme);
			for (const [name, stack] of Object.entries(stacks)) {
				for (const purpose of ['federation', 'push'] as const) {
					const { error, attempts } = await watchConnections(() => stack.client(purpose).get(url));
					audit.addError(`${name} ${purpose} ${url}`, error);
					const where = `${name} ${purpose} ${JSON.stringify(url)}`;
					t.deepEqual(attempts, [], `${where}: a socket was opened`);
					if (form.address === null) {
						// got parses the URL itself, so the client reports ERR_REQUEST_FAILED where route() says ERR_INVALID_URL.
						t.true(
							isOutboundHttpError(error, 'ERR_INVALID_URL') ||
								isOutboundHttpError(error, 'ERR_REQUEST_FAILED'),
							`${where}: ${String(error)}`,
						);
						continue;
					}
					t.true(error instanceof IpBlockedError, `${where}: ${String(error)}`);
					const blocked = error as IpBlockedError;
					t.is(blocked.address, form.address, where);
					t.regex(blocked.message, /ip_range_whitelist/, `${where}: the message names the key to change`);
				}
			}
		}
	});
}

test('addresses just outside every blocked range are not refused (the policy is exact)', (t) => {
	const problems: string[] = [];
	for (const address of NEIGHBOURS) {
		for (const scheme of SCHEMES) {
			const url = `${scheme}://${address}/`;
			const direct = stacks.direct.route(url, 'push');
			const proxied = stacks.proxied.route(url, 'push');
			if (direct.route !== 'direct') problems.push(`${url} direct: ${direct.route} (${direct.reason})`);
			if (proxied.route !== 'proxy') problems.push(`${url} proxied: ${proxied.route} (${proxied.reason})`);
		}
	}
	t.deepEqual(problems, []);
});

test('the suite tries at least 100 distinct blocked IP-literal forms', (t) => {
	t.true(LITERAL_FORMS.length >= 100, `${LITERAL_FORMS.length} forms`);
	t.is(new Set(LITERAL_FORMS.map((form) => form.url)).size, LITERAL_FORMS.length);
});
