import { OutboundHttpError } from './outbound-http-error.js';

/**
 * A command line that cannot be run; every CLI of the workspace prints it as `ERR_USAGE: message` and exits with
 * status 2. This package owns the code (it is the lowest layer with a CLI); the apps' CLIs throw this class too.
 */
export class UsageError extends OutboundHttpError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('ERR_USAGE', message, options);
	}
}
