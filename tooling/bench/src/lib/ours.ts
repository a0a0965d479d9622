/**
 * Access to the project's own packages ("ours" in every table). They are loaded lazily and checked at run
 * time, so that each scenario can say "not available yet" instead of failing while a package is being built,
 * and so that the harness never reaches into another workspace's source (only its public `dist/` surface).
 */

/** The part of `@homeserver/config` the benchmarks use. */
export interface OurConfigApi {
	loadConfig(input: { env: Readonly<Record<string, string | undefined>>; yamlText?: string }): unknown;
}

/** A route decision; only the fields the benchmarks read. */
export interface OurRouteDecision {
	readonly route: 'proxy' | 'direct' | 'blocked';
}

/** The part of `@homeserver/outbound-http` the benchmarks use. */
export interface OurOutboundApi {
	createRouter(config: unknown): { route(url: URL | string, purpose: string): OurRouteDecision };
	createOutboundHttp(
		config: unknown,
		options: { lookup?: unknown },
	): { client(purpose: string): OurGot; close?: () => unknown };
}

/** The got-like client `client(purpose)` returns (the subset used here). */
export type OurGot = ((url: string | URL, options?: Record<string, unknown>) => unknown) & {
	get(url: string | URL, options?: Record<string, unknown>): Promise<{ statusCode: number; rawBody: Buffer }>;
	stream(url: string | URL, options?: Record<string, unknown>): NodeJS.ReadableStream;
};

/** An API that is present, or why it is not. */
export type Availability<T> =
	{ readonly ok: true; readonly api: T } | { readonly ok: false; readonly why: string };

async function importModule(name: string): Promise<Record<string, unknown> | string> {
	try {
		return (await import(name)) as Record<string, unknown>;
	} catch (error) {
		return `${name} cannot be imported (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
	}
}

function check<T>(
	mod: Record<string, unknown> | string,
	name: string,
	functions: readonly string[],
): Availability<T> {
	if (typeof mod === 'string') return { ok: false, why: mod };
	const missing = functions.filter((f) => typeof mod[f] !== 'function');
	if (missing.length > 0) return { ok: false, why: `${name} does not export ${missing.join(', ')} yet` };
	return { ok: true, api: mod as T };
}

/** `@homeserver/config`, when its `loadConfig` exists. */
export async function ourConfig(): Promise<Availability<OurConfigApi>> {
	return check(await importModule('@homeserver/config'), '@homeserver/config', ['loadConfig']);
}

/** `@homeserver/outbound-http`, when the named functions exist. */
export async function ourOutbound(
	needs: readonly ('createRouter' | 'createOutboundHttp')[],
): Promise<Availability<OurOutboundApi>> {
	return check(await importModule('@homeserver/outbound-http'), '@homeserver/outbound-http', needs);
}
