import test from 'ava';
import { MediaFetcherError } from '../src/index.js';

test('the limit codes carry their retry time', (t) => {
	const error = new MediaFetcherError('ERR_RATE_LIMITED', 'slow down', { retryAfterMs: 1500 });
	t.is(error.status, 429);
	t.is(error.errcode, 'M_LIMIT_EXCEEDED');
	t.is(error.retryAfterMs, 1500);
});
