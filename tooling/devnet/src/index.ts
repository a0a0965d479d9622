/**
 * `@homeserver/devnet`: a whole local federation on loopback (`npm start`), and the same devnet and scenario for
 * the apps' end-to-end test.
 */
export { DEVNET_NO_PROXY, DEVNET_SERVER_NAME, startDevnet } from './devnet.js';
export type { Devnet, DevnetOptions, DevnetPorts, DevnetProgram } from './devnet-types.js';
export { runScenario } from './scenario.js';
export type { ScenarioOptions } from './scenario.js';
export type {
	EventRoute,
	MediaRecord,
	ProxyEvidence,
	ScenarioEvent,
	ScenarioResult,
	SsrfRecord,
	TransactionRecord,
} from './scenario-types.js';
export type { DevnetProxy, ProxyChoice, ProxyTransaction } from './devnet-proxy.js';
export type { PeerMedia, RemotePeer } from './remote-peer.js';
export type { ChildExit, CommandResult, WorkerProcess } from './child-processes.js';
export type { DataDirLayout } from './data-dir.js';
export type { SecretForm } from './credentials.js';
export { findSecrets, redactSecrets } from './credentials.js';
export { DEVNET_ERRORS, DevnetError, isDevnetError } from './errors.js';
export type { DevnetErrorCode } from './errors.js';
