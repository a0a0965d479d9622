import test from 'ava';
import { candidateOptions, type PreparedRequest } from '../src/candidate-attempt.js';
import type { ResolvedCandidate } from '../src/server-resolver.js';

const candidate: ResolvedCandidate = {
	host: 'remote.test',
	port: 8448,
	serverName: 'remote.test',
	sni: 'remote.test',
	hostHeader: 'remote.test',
	source: 'default-port',
	delegated: false,
	steps: [],
};

function prepared(extra: Partial<PreparedRequest> = {}): PreparedRequest {
	return {
		method: 'GET',
		path: '/_matrix/media/x',
		authorization: 'X-Matrix origin="a"',
		body: undefined,
		maxBytes: undefined,
		timeout: undefined,
		responseTimeout: undefined,
		destination: 'remote.test',
		signal: undefined,
		...extra,
	};
}

test('a request’s bodyRate reaches the outbound stack as context.bodyRate, beside maxBytes', (t) => {
	const bodyRate = { minBytesPerSecond: 64, windowMs: 1000 };
	const options = candidateOptions(prepared({ bodyRate, maxBytes: 10 }), candidate, () => undefined);
	t.like(options.context, { bodyRate, maxBytes: 10, serverName: 'remote.test' });
});

test('without a bodyRate the context leaves the outbound stack’s own in place', (t) => {
	const options = candidateOptions(prepared(), candidate, () => undefined);
	t.false('bodyRate' in (options.context ?? {}));
	t.false('maxBytes' in (options.context ?? {}));
});
