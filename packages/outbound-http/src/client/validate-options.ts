/**
 * The boundary check of `createOutboundHttp`'s options (docs/architecture.md, "Errors"; library options are
 * validated where they enter, as configuration is): a value that would break a timer, a pool or a header later
 * (`timeouts: { proxy: NaN }` never fires, a `User-Agent` with a newline splits the request) fails at once with
 * `ERR_INVALID_OPTION`, naming the option and the reason. The schema mirrors `OutboundHttpOptions`.
 */
import { z } from 'zod';
import { InvalidOptionError } from '../errors/invalid-option-error.js';

/** The longest delay `setTimeout` honours; a longer one fires at once. */
const MAX_TIMER_MS = 2_147_483_647;

const milliseconds = z
	.number({ error: 'must be a number of milliseconds' })
	.int('must be a whole number of milliseconds')
	.positive('must be more than 0 milliseconds')
	.max(MAX_TIMER_MS, `must be at most ${MAX_TIMER_MS} milliseconds`);
const count = (least: number): z.ZodNumber =>
	z
		.number({ error: 'must be a number' })
		.int('must be a whole number')
		.min(least, `must be at least ${least}`);
const callable = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
	error: 'must be a function',
});
const instance = z.custom<object>((value) => typeof value === 'object' && value !== null, {
	error: 'must be an object',
});

const optionsSchema = z.object({
	logger: instance.optional(),
	metrics: instance.optional(),
	lookup: callable.optional(),
	userAgent: z
		.string({ error: 'must be a string' })
		.min(1, 'must not be empty')
		.regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must not contain control characters (CR, LF...)')
		.optional(),
	timeouts: z
		.object(
			{
				lookup: milliseconds.optional(),
				connect: milliseconds.optional(),
				secureConnect: milliseconds.optional(),
				proxy: milliseconds.optional(),
				send: milliseconds.optional(),
				response: milliseconds.optional(),
				socket: milliseconds.optional(),
				request: milliseconds.optional(),
			},
			{ error: 'must be an object' },
		)
		.optional(),
	pool: z
		.object(
			{
				idleSocketMs: milliseconds.optional(),
				maxFreeSockets: count(0).optional(),
				maxSockets: count(1).optional(),
				maxIdleSockets: count(0).optional(),
			},
			{ error: 'must be an object' },
		)
		.optional(),
	retryLimit: count(0).optional(),
	ca: z
		.array(z.string({ error: 'must be a PEM string' }), { error: 'must be a list of PEM strings' })
		.optional(),
});

/** Throws an {@link InvalidOptionError} for the first invalid option in `options` (an `OutboundHttpOptions`). */
export function validateOutboundHttpOptions(options: unknown): void {
	if (typeof options !== 'object' || options === null) {
		throw new InvalidOptionError('options', 'must be an object');
	}
	const result = optionsSchema.safeParse(options);
	const issue = result.error?.issues[0];
	if (issue !== undefined) {
		throw new InvalidOptionError(issue.path.map(String).join('.'), issue.message);
	}
}
