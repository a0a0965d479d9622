/**
 * The structured logger (pino, JSON lines on stderr so stdout stays for command output). Nothing logged
 * carries a credential: requests are logged by destination and txnId only.
 */
import { pino, type Logger } from 'pino';
import { terminalSafeJsonText } from '@homeserver/config';

/**
 * A logger named `federation-sender` writing synchronously to stderr (so lines survive a fast exit). Each JSON line
 * goes through `terminalSafeJsonText`: what JSON leaves raw (C1 controls, bidi characters) is escaped too.
 */
export function createLogger(level = 'info'): Logger {
	return pino(
		{ name: 'federation-sender', level, hooks: { streamWrite: terminalSafeJsonText } },
		pino.destination({ fd: 2, sync: true }),
	);
}
