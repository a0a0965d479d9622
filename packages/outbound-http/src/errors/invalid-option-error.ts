import { OutboundHttpError } from './outbound-http-error.js';

/**
 * An option given to this package is invalid (`createOutboundHttp`'s options, a request's `context.maxBytes`):
 * library options are validated at their boundary, so a bad value fails at once and names itself instead of
 * surfacing later as a timer that never fires (`timeouts: { proxy: NaN }`).
 */
export class InvalidOptionError extends OutboundHttpError {
	/** The option at fault, as a path: `timeouts.proxy`, `pool.maxSockets`, `context.maxBytes`. */
	readonly option: string;
	/** Why it is invalid, e.g. `must be a positive finite number of milliseconds`. */
	readonly reason: string;

	constructor(option: string, reason: string, options?: { cause?: unknown }) {
		super('ERR_INVALID_OPTION', `invalid option ${option}: ${reason}`, options);
		this.option = option;
		this.reason = reason;
	}
}
