import { pino } from 'pino';
import type { Logger } from 'pino';
import { routeDecisionToJson } from './route/route-decision.js';
import type { RouteDecision } from './route/route-decision.js';

/** The default logger: silent. Applications pass their own pino logger to see routing decisions at debug level. */
export function silentLogger(): Logger {
	return pino({ level: 'silent' });
}

/**
 * Logs one routing decision at debug level with the fields of `route --json` (URL redacted, proxy password
 * redacted, first socket, the rule that decided). Costs one level check when debug is off.
 */
export function logDecision(logger: Logger, decision: RouteDecision): void {
	if (!logger.isLevelEnabled('debug')) return;
	logger.debug(routeDecisionToJson(decision), 'outbound request routed');
}
