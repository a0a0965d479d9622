/**
 * What the devnet's scenario reports: one event per thing that happened (with its route and timing), and a
 * result with the facts that the summary prints and the end-to-end test asserts.
 */
import type { Router } from '@homeserver/outbound-http';
import type { CommandResult } from './child-processes.js';
import type { Devnet, DevnetProgram } from './devnet-types.js';

/** The route of an event: through the proxy, direct (no_proxy), refused (SSRF), or answered locally. */
export type EventRoute = 'proxy' | 'direct' | 'blocked' | 'local';

/** One line of the live report. */
export interface ScenarioEvent {
	readonly step: 'transaction' | 'media' | 'bypass' | 'ssrf';
	readonly route: EventRoute;
	/** Whether every check of this event held. */
	readonly ok: boolean;
	/** How long it took, end to end. */
	readonly ms: number;
	/** What happened, one line, no credential. */
	readonly text: string;
}

/** One transaction, as enqueued and as the remote homeserver received it. */
export interface TransactionRecord {
	readonly eventId: string;
	readonly txnId: string | undefined;
	/** The remote's verdict on the X-Matrix signature of the request that delivered it. */
	readonly signature: 'valid' | 'invalid' | 'absent' | 'missing';
	/** The origin the remote verified. */
	readonly origin: string | undefined;
	readonly enqueueMs: number;
	/** From the start of `enqueue` to the remote's receipt. */
	readonly totalMs: number;
}

/** One media download through the media-fetcher. */
export interface MediaRecord {
	readonly mediaId: string;
	readonly status: number;
	readonly bytes: number;
	readonly sha256Matches: boolean;
	readonly ms: number;
	/** How many times the remote (or the CDN) served it over the whole run: 1 means the second GET was local. */
	readonly remoteDownloads: number;
}

/** A refused SSRF attempt. */
export interface SsrfRecord {
	readonly target: string;
	readonly how: string;
	/** The route decision (`blocked` expected). */
	readonly route: string;
	/** The error code seen (`ERR_IP_BLOCKED` expected). */
	readonly code: string | undefined;
	readonly ms: number;
}

/** The proxy's own account, read after the workers stopped (Squid logs a tunnel when it closes). */
export interface ProxyEvidence {
	readonly kind: 'squid' | 'in-process';
	/** CONNECTs to the remote homeserver answered 200, with the user name the proxy logged. */
	readonly tunnels: number;
	/** Absolute-form requests to the CDN answered 200. */
	readonly forwarded: number;
	/** User names the proxy logged for those. */
	readonly users: readonly string[];
	/** Requests the proxy saw for the no_proxy'd URL or an SSRF target (0 expected). */
	readonly unexpected: readonly string[];
}

/** Everything the scenario established. */
export interface ScenarioResult {
	readonly ok: boolean;
	/** Every check that failed, in words. */
	readonly failures: readonly string[];
	readonly transactions: readonly TransactionRecord[];
	/** Transactions answered again by the remote from its cache (retries of the same txnId; not applied twice). */
	readonly duplicateDeliveries: number;
	readonly media: readonly MediaRecord[];
	readonly bypass:
		| { readonly route: string; readonly reason: string; readonly status: number; readonly ms: number }
		| undefined;
	readonly ssrf: readonly SsrfRecord[];
	readonly proxy: ProxyEvidence | undefined;
	/** Places where a form of the proxy password was found (empty expected). */
	readonly leaks: readonly string[];
	/** Connections the loopback guard had to refuse (empty expected: routing must refuse first). */
	readonly guardRefusals: readonly string[];
	readonly ms: number;
}

/** What every step gets. */
export interface StepContext {
	readonly devnet: Devnet;
	/** Routes exactly as the workers route (same configuration). */
	readonly router: Router;
	emit(event: ScenarioEvent): void;
	/** Records a failed check (the scenario goes on, and fails at the end). */
	fail(message: string): void;
	/** Runs a program and keeps its output for the credential and guard scans. */
	run(program: DevnetProgram, args: readonly string[]): Promise<CommandResult>;
}
