/**
 * The real transport of `run`: a signed `PUT /_matrix/federation/v1/send/{txnId}` through the federation
 * package (purpose `federation`: through `https_proxy` when configured, connections and tunnels reused).
 */
import type { Config } from '@homeserver/config';
import { readSigningKeyFile } from '@homeserver/federation';
import type { Logger } from 'pino';
import { FederationSenderError } from '../errors.js';
import type { Transport } from '../cli/io.js';

/** Builds the transport from the configuration: our server name and signing key. */
export async function createFederationTransport(config: Config, logger: Logger): Promise<Transport> {
	if (config.signingKeyPath === null) {
		throw new FederationSenderError(
			'ERR_SIGNING_KEY_MISSING',
			'signing_key_path is not set: federation requests must be signed with the server key',
		);
	}
	const key = await readSigningKeyFile(config.signingKeyPath);
	logger.info({ key: key.keyId }, 'signing key loaded');
	throw new FederationSenderError(
		'ERR_WORKER_STATE',
		'the federation request client is not available yet in @homeserver/federation',
	);
}
