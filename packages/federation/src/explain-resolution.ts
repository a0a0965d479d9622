import { routeDecisionToJson } from '@homeserver/outbound-http';
import type { OutboundHttp, RouteDecisionJson } from '@homeserver/outbound-http';
import { FederationResolutionError } from './errors.js';
import { formatHostPort, parseServerName } from './server-name.js';
import type { CandidateSource, ServerResolver } from './server-resolver.js';

/** One candidate of a {@link ResolutionReport}: where it connects, what TLS and `Host` carry, how it is routed. */
export interface CandidateReport {
	/** Target host (IPv6 without brackets) and port: the CONNECT target when proxied. */
	readonly host: string;
	readonly port: number;
	/** The name the certificate must be valid for. */
	readonly serverName: string;
	/** SNI sent, or null for an IP address. */
	readonly sni: string | null;
	readonly hostHeader: string;
	readonly source: CandidateSource;
	readonly delegated: boolean;
	/** The resolver's line for this candidate. */
	readonly description: string;
	/** The route of `https://<host>:<port>/` for purpose `federation` (`outbound-http route --json` shape). */
	readonly route: RouteDecisionJson;
}

/** How a server name resolves and where its requests go: the output of `federation-sender resolve`. */
export interface ResolutionReport {
	readonly serverName: string;
	/** The route of the `.well-known` fetch, or null when the name has an explicit port or is an IP literal. */
	readonly wellKnownRoute: RouteDecisionJson | null;
	/** The resolution steps, in order. */
	readonly steps: readonly string[];
	/** Candidates in the order they are tried (empty when resolution failed). */
	readonly candidates: readonly CandidateReport[];
	/** Why resolution failed, or null. */
	readonly error: { readonly code: string; readonly message: string } | null;
}

/** What {@link explainResolution} uses: the client's resolver and the outbound stack's router. */
export interface ExplainDeps {
	readonly resolver: ServerResolver;
	/** `route` decides each hop; `router.assertFederationAllowed` applies `federation_domain_whitelist` first. */
	readonly outbound: Pick<OutboundHttp, 'route' | 'router'>;
}

function errorOf(error: unknown): { code: string; message: string } {
	const code = (error as { code?: unknown } | null)?.code;
	return {
		code: typeof code === 'string' ? code : 'ERR_FEDERATION',
		message: error instanceof Error ? error.message : String(error),
	};
}

/**
 * Resolves `serverName` (really: `.well-known` and SRV are fetched, through the proxy when one is set) and
 * reports every step and, per candidate, the route decision (proxy/direct/blocked, first socket, reason). A server
 * that `federation_domain_whitelist` does not list is refused before any I/O, as a request to it would be
 * (`ERR_FEDERATION_DENIED`, docs/architecture.md 4). Never throws for a bad name, a refused one or a failed
 * resolution: the report's `error` says what went wrong.
 */
export async function explainResolution(deps: ExplainDeps, serverName: string): Promise<ResolutionReport> {
	let wellKnownRoute: RouteDecisionJson | null = null;
	try {
		const name = parseServerName(serverName);
		deps.outbound.router.assertFederationAllowed(serverName);
		if (name.kind === 'dns' && name.port === undefined) {
			wellKnownRoute = routeDecisionToJson(
				deps.outbound.route(`https://${name.host}/.well-known/matrix/server`, 'federation'),
			);
		}
		const candidates = await deps.resolver.resolve(serverName);
		return {
			serverName,
			wellKnownRoute,
			steps: candidates[0]?.steps.slice(0, -1) ?? [],
			candidates: candidates.map((candidate) => ({
				host: candidate.host,
				port: candidate.port,
				serverName: candidate.serverName,
				sni: candidate.sni ?? null,
				hostHeader: candidate.hostHeader,
				source: candidate.source,
				delegated: candidate.delegated,
				description: candidate.steps.at(-1) ?? '',
				route: routeDecisionToJson(
					deps.outbound.route(`https://${formatHostPort(candidate.host, candidate.port)}/`, 'federation'),
				),
			})),
			error: null,
		};
	} catch (error) {
		const steps = error instanceof FederationResolutionError ? error.steps : [];
		return { serverName, wellKnownRoute, steps, candidates: [], error: errorOf(error) };
	}
}

function describeRoute(route: RouteDecisionJson): string {
	if (route.route === 'blocked') return `blocked: ${route.reason}`;
	if (route.route === 'direct') return `direct to ${route.connect ?? '?'} (${route.reason})`;
	return `proxy (${route.mode ?? 'tunnel'}) ${route.proxy ?? '?'}, first socket to ${route.connect ?? '?'} (${route.reason})`;
}

/** The report as text for a terminal: steps, the `.well-known` route, then each candidate and its route. */
export function formatResolutionReport(report: ResolutionReport): string {
	const lines = [`Resolving ${JSON.stringify(report.serverName)}:`];
	report.steps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
	if (report.wellKnownRoute !== null) {
		lines.push(`  .well-known request: ${describeRoute(report.wellKnownRoute)}`);
	}
	if (report.error !== null) {
		lines.push(`Failed: ${report.error.code}: ${report.error.message}`);
		return `${lines.join('\n')}\n`;
	}
	lines.push('Candidates, in the order they are tried:');
	report.candidates.forEach((candidate, i) => {
		lines.push(`  ${i + 1}. ${candidate.description}`);
		lines.push(`     route: ${describeRoute(candidate.route)}`);
	});
	return `${lines.join('\n')}\n`;
}
