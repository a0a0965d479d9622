/**
 * The redirect cases of the SSRF suite: where a request starts, the status and `Location` it is redirected with,
 * and the address whose refusal must come before any socket to it.
 */
import type { Purpose } from '@homeserver/config';
import { redirectPath } from './redirector.js';

/** Every status got follows: each must be routed and checked again. */
export const CODES = [300, 301, 302, 303, 304, 307, 308] as const;

/** One redirect case: where it starts, what it redirects to, and the address the refusal must name. */
export interface RedirectCase {
	readonly title: string;
	readonly from: 'http' | 'https';
	readonly status: number;
	readonly location: () => string;
	readonly refused: string;
	/** Use the proxied stack with `no_proxy` exemptions (a hop may change route) instead of the direct one. */
	readonly mixed?: boolean;
	readonly purpose?: Purpose;
	/** Start through the proxy (a name only the proxy resolves) rather than at 127.0.0.1 directly. */
	readonly viaProxy?: boolean;
}

/** The cases, for the ports of the http (`hp`) and https (`sp`) redirectors, known once they listen. */
export function redirectCases(hp: () => number, sp: () => number): RedirectCase[] {
	const CASES: RedirectCase[] = [];
	for (const status of CODES) {
		CASES.push(
			{
				title: 'http -> http literal',
				from: 'http',
				status,
				location: () => `http://127.0.0.2:${hp()}/x`,
				refused: '127.0.0.2',
			},
			{
				title: 'http -> https literal',
				from: 'http',
				status,
				location: () => `https://127.0.0.2:${sp()}/x`,
				refused: '127.0.0.2',
			},
			{
				title: 'https -> http literal',
				from: 'https',
				status,
				location: () => `http://127.0.0.2:${hp()}/x`,
				refused: '127.0.0.2',
			},
			{
				title: 'https -> https IPv6 loopback',
				from: 'https',
				status,
				location: () => `https://[::1]:${sp()}/x`,
				refused: '::1',
			},
			{
				title: 'http -> name of a blocked address',
				from: 'http',
				status,
				location: () => `http://loop.test:${hp()}/`,
				refused: '127.0.0.2',
			},
		);
	}
	CASES.push(
		{
			title: 'scheme-relative Location',
			from: 'http',
			status: 302,
			location: () => `//127.0.0.2:${hp()}/x`,
			refused: '127.0.0.2',
		},
		{
			title: 'backslash-relative Location',
			from: 'http',
			status: 302,
			location: () => `/\\127.0.0.2:${hp()}/x`,
			refused: '127.0.0.2',
		},
		{
			title: 'upper case and trailing dot',
			from: 'https',
			status: 302,
			location: () => `HTTP://LOOP.TEST.:${hp()}/`,
			refused: '127.0.0.2',
		},
		{
			title: 'decimal address',
			from: 'http',
			status: 307,
			location: () => `http://2130706434:${hp()}/`,
			refused: '127.0.0.2',
		},
		{
			title: 'hex short form',
			from: 'https',
			status: 308,
			location: () => `https://0x7f.2:${sp()}/`,
			refused: '127.0.0.2',
		},
		{
			title: 'IPv4-mapped IPv6',
			from: 'http',
			status: 303,
			location: () => `http://[::ffff:127.0.0.2]:${hp()}/`,
			refused: '127.0.0.2',
		},
		{
			title: 'cloud metadata',
			from: 'http',
			status: 302,
			location: () => 'http://169.254.169.254/latest/meta-data/',
			refused: '169.254.169.254',
		},
		{
			title: 'NAT64 metadata',
			from: 'https',
			status: 307,
			location: () => 'https://[64:ff9b::a9fe:a9fe]/',
			refused: '64:ff9b::a9fe:a9fe',
		},
		{
			title: 'name of a private address',
			from: 'https',
			status: 301,
			location: () => 'https://internal.test/',
			refused: '10.0.0.1',
		},
		{
			title: 'name with a mix of addresses',
			from: 'http',
			status: 302,
			location: () => `http://mixed.test:${hp()}/`,
			refused: '10.0.0.1',
		},
		{
			title: 'second hop of a chain',
			from: 'http',
			status: 302,
			location: () => redirectPath(307, `http://127.0.0.2:${hp()}/x`).path,
			refused: '127.0.0.2',
		},
		// Route changes: proxied first hop, direct second hop (and the reverse).
		...(['push', 'media_redirect', 'federation'] as const).map((purpose): RedirectCase => ({
			title: `proxied -> direct (no_proxy name), ${purpose}`,
			from: 'https',
			status: 302,
			location: () => `http://loop.test:${hp()}/`,
			refused: '127.0.0.2',
			mixed: true,
			purpose,
			viaProxy: true,
		})),
		{
			title: 'proxied -> direct (IP literal)',
			from: 'https',
			status: 307,
			location: () => `http://127.0.0.2:${hp()}/`,
			refused: '127.0.0.2',
			mixed: true,
			viaProxy: true,
		},
		{
			title: 'direct -> proxied tunnel (IP literal)',
			from: 'http',
			status: 302,
			location: () => 'https://10.0.0.1/',
			refused: '10.0.0.1',
			mixed: true,
		},
		{
			title: 'direct -> proxied forward (IP literal)',
			from: 'http',
			status: 301,
			location: () => 'http://[fd00::1]/',
			refused: 'fd00::1',
			mixed: true,
		},
		{
			title: 'direct -> proxied (metadata)',
			from: 'https',
			status: 308,
			location: () => 'https://169.254.169.254/',
			refused: '169.254.169.254',
			mixed: true,
		},
		{
			title: 'direct -> direct name, proxied config',
			from: 'http',
			status: 303,
			location: () => `http://internal.test:${hp()}/`,
			refused: '10.0.0.1',
			mixed: true,
		},
	);
	return CASES;
}
