import { pino } from 'pino';
import type { Logger } from 'pino';
import type { RouteDecision } from './route/route-decision.js';

/** The default logger: silent. Applications pass their own pino logger to see routing decisions at debug level. */
export function silentLogger(): Logger {
	return pino({ level: 'silent' });
}

/**
 * Logs one routing decision at debug level: URL (redacted), purpose, route, mode, proxy (password redacted),
 * first socket and the rule that decided. Costs one level check when debug is off.
 */
export function logDecision(logger: Logger, decision: RouteDecision): void {
	if (!logger.isLevelEnabled('debug')) return;
	logger.debug(
		{
			url: decision.url,
			purpose: decision.purpose,
			route: decision.route,
			mode: decision.mode,
			proxy: decision.proxy === null ? null : decision.proxy.redacted,
			connect: decision.connect,
			reason: decision.reason,
		},
		'outbound request routed',
	);
}
