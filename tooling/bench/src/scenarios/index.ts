/**
 * Every scenario, in the order the report lists them.
 */
import type { Scenario } from '../lib/scenario.js';
import { federationFanout } from './federation-fanout.js';
import { federationSenderScale } from './federation-sender-scale.js';
import { mediaStreaming } from './media-streaming.js';
import { memoryAtScale } from './memory-at-scale.js';
import { proxyRequests } from './proxy-requests.js';
import { proxyRequestsNode24 } from './proxy-requests-node24.js';
import { routing } from './routing.js';
import { tlsTrust } from './tls-trust.js';

/** The scenarios `npm run bench` runs, in order. */
export const scenarios: readonly Scenario[] = [
	proxyRequests,
	proxyRequestsNode24,
	routing,
	mediaStreaming,
	federationFanout,
	federationSenderScale,
	memoryAtScale,
	tlsTrust,
];
