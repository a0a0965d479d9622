/**
 * The structured logger (pino, JSON lines on stderr so stdout stays for command output). Nothing logged
 * carries a credential: requests are logged by destination and txnId only.
 */
import { pino, type Logger } from 'pino';

/** A logger named `federation-sender` writing synchronously to stderr (so lines survive a fast exit). */
export function createLogger(level = 'info'): Logger {
	return pino({ name: 'federation-sender', level }, pino.destination({ fd: 2, sync: true }));
}
