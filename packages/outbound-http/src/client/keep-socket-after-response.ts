import { ClientRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';

/** How long a request whose response is complete may take to finish writing before its socket is given up. */
const FINISH_GRACE_MS = 1000;

// eslint-disable-next-line @typescript-eslint/unbound-method -- called with .call(request) below
const destroyRequest = ClientRequest.prototype.destroy;

function ignore(): void {}

/**
 * `destroy` for our ClientRequests: once the response is complete, a destroy without an error lets Node return the
 * kept-alive socket to the pool instead of closing it (docs/architecture.md 3.6).
 *
 * got's promise API destroys its ClientRequest as soon as it has read the body. Node pools a keep-alive socket only
 * when both the response has ended and the request has finished writing; the request of a PUT or POST often
 * finishes a moment after its response arrived (its last write callback is still pending, typically inside a
 * CONNECT tunnel under load), and that destroy then closed a healthy socket: the next request to the destination
 * paid a new CONNECT and TLS handshake (831 of 5,000 signed PUTs in the fan-out benchmark). A request that does not
 * finish within {@link FINISH_GRACE_MS} (a remote that answered early and stopped reading) is destroyed after all.
 */
function destroyUnlessAnswered(this: ClientRequest, error?: Error): ClientRequest {
	if (error !== undefined || this.destroyed || (this as { res?: IncomingMessage }).res?.complete !== true || !this.shouldKeepAlive) {
		return destroyRequest.call(this, error);
	}
	// Node frees the socket on 'finish' (responseKeepAlive); a late socket error has nobody to go to.
	this.on('error', ignore);
	const timer = setTimeout(() => destroyRequest.call(this), FINISH_GRACE_MS);
	timer.unref();
	this.once('finish', () => clearTimeout(timer));
	return this;
}

/** Makes `request` keep its socket for reuse when it is destroyed after a complete response (see above). */
export function keepSocketAfterResponse(request: ClientRequest): ClientRequest {
	request.destroy = destroyUnlessAnswered;
	return request;
}
