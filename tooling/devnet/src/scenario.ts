/**
 * The devnet's scenario, run against a started devnet: transactions through the proxy, media through the proxy
 * and served locally, a `no_proxy` bypass, SSRF attempts refused; then the workers stop and the proxy's log, the
 * logs and every request are checked. Each check that fails is recorded and the scenario goes on, so one run
 * reports everything; `ok` is true only when every check held.
 */
import { errorCode } from '@homeserver/config';
import { createRouter } from '@homeserver/outbound-http';
import type { CommandResult } from './child-processes.js';
import type { Devnet } from './devnet-types.js';
import { findLeaks, guardRefusals, proxyEvidence } from './evidence.js';
import type {
	MediaRecord,
	ScenarioEvent,
	ScenarioResult,
	SsrfRecord,
	StepContext,
	TransactionRecord,
} from './scenario-types.js';
import { runMedia } from './steps/media.js';
import { runBypass, runSsrf } from './steps/routing.js';
import { checkExactlyOnce, runTransactions } from './steps/transactions.js';

/** Options of {@link runScenario}. */
export interface ScenarioOptions {
	/** How many transactions to send, one PDU each. Default 5. */
	readonly transactions?: number;
	/** Called for each event as it happens (the live report). */
	readonly onEvent?: (event: ScenarioEvent) => void;
	/** Called when a phase starts (`transactions`, `media`...), for headings. */
	readonly onPhase?: (phase: string) => void;
}

/** Runs every step against `devnet` (which must have its workers) and stops the workers at the end. */
export async function runScenario(devnet: Devnet, options: ScenarioOptions = {}): Promise<ScenarioResult> {
	const started = performance.now();
	const failures: string[] = [];
	const outputs: CommandResult[] = [];
	const context: StepContext = {
		devnet,
		router: createRouter(devnet.config),
		emit: (event) => options.onEvent?.(event),
		fail: (message) => failures.push(message),
		run: async (program, args) => {
			const result = await devnet.run(program, args);
			outputs.push(result);
			return result;
		},
	};
	const step = async <T>(phase: string, body: () => Promise<T>, fallback: T): Promise<T> => {
		options.onPhase?.(phase);
		try {
			return await body();
		} catch (error) {
			failures.push(
				`${phase}: ${errorCode(error) ?? 'ERR_UNKNOWN'}: ${error instanceof Error ? error.message : String(error)}`,
			);
			return fallback;
		}
	};
	const transactions = await step<TransactionRecord[]>(
		'transactions',
		() => runTransactions(context, options.transactions ?? 5),
		[],
	);
	if (transactions.length > 0)
		await checkExactlyOnce(context, transactions).catch((error: unknown) => failures.push(String(error)));
	const media = await step<MediaRecord[]>('media', () => runMedia(context), []);
	const bypass = await step<ScenarioResult['bypass']>('no_proxy bypass', () => runBypass(context), undefined);
	const ssrf = await step<SsrfRecord[]>('SSRF', () => runSsrf(context), []);

	await devnet.stopWorkers();
	for (const worker of devnet.workers) {
		const exit = await worker.exited;
		if (exit.code !== 0)
			failures.push(
				`${worker.name} stopped with ${exit.signal ?? `exit code ${exit.code}`}; see ${worker.logFile}`,
			);
	}
	const proxy = await proxyEvidence(devnet, transactions.length > 0);
	if (transactions.length > 0 && proxy.tunnels === 0)
		failures.push('the proxy logged no CONNECT tunnel to the remote homeserver');
	if (media.length > 1 && proxy.forwarded === 0)
		failures.push('the proxy logged no absolute-form request to the CDN');
	if (proxy.users.some((user) => user !== devnet.proxy.username)) {
		failures.push(`the proxy logged requests without the expected user: ${proxy.users.join(', ')}`);
	}
	if (proxy.unexpected.length > 0)
		failures.push(`the proxy saw requests it should not have: ${proxy.unexpected.join('; ')}`);
	await devnet.saveLogs();
	const leaks = await findLeaks(devnet, outputs);
	if (leaks.length > 0) failures.push(`the proxy password leaked: ${leaks.join('; ')}`);
	const refusals = await guardRefusals(devnet, outputs);
	if (refusals.length > 0)
		failures.push(`routing let a non-loopback connection through to the guard: ${refusals.join('; ')}`);
	return {
		ok: failures.length === 0,
		failures,
		transactions,
		duplicateDeliveries: devnet.remote.homeserver.duplicates,
		media,
		bypass,
		ssrf,
		proxy,
		leaks,
		guardRefusals: refusals,
		ms: performance.now() - started,
	};
}
