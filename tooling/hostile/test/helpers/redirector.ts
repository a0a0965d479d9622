/**
 * Destination servers that redirect on demand: `GET /r/<status>?to=<Location>&id=<n>` answers `<status>` with that
 * `Location` (any text, relative or hostile); every other path answers 200. `id` tags requests so concurrent tests
 * can count their own hops.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from '@homeserver/testkit';

/** The handler described above. */
export const redirectHandler: RequestHandler = (request: IncomingMessage, response: ServerResponse) => {
	const url = new URL(request.url ?? '/', 'http://placeholder');
	const match = /^\/r\/(\d{3})$/.exec(url.pathname);
	const to = url.searchParams.get('to');
	if (match?.[1] !== undefined && to !== null) {
		response.writeHead(Number(match[1]), { location: to, 'content-length': '0' });
		response.end();
		return;
	}
	response.writeHead(200, { 'content-type': 'text/plain' });
	response.end('ok');
};

let counter = 0;

/** A path on a redirector answering `status` with `location`, tagged with a fresh id; returns both. */
export function redirectPath(status: number, location: string): { path: string; id: string } {
	counter += 1;
	const id = `hop${counter}`;
	return { path: `/r/${status}?to=${encodeURIComponent(location)}&id=${id}`, id };
}
