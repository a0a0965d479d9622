/**
 * `startDevnet()`: a whole local federation on loopback, as an operator would run it. A forward proxy that speaks TLS
 * and demands Basic auth (Squid when installed), a remote homeserver with a certificate from a CA made for the run,
 * a generated `homeserver.yaml`, and our two workers as real child processes given the proxy through the
 * `https_proxy` / `http_proxy` / `no_proxy` environment variables. `npm start` and the apps' end-to-end test both
 * use it, so the demo cannot silently rot.
 */
import { access, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig } from '@homeserver/config';
import { generateSigningKey } from '@homeserver/federation';
import { createCertificateAuthority, findFreePort } from '@homeserver/testkit';
import { runCommand, startWorker } from './child-processes.js';
import type { ChildSpec, WorkerProcess } from './child-processes.js';
import { makeCredentials, proxyUrlWithCredentials, redactedProxyUrl, secretForms } from './credentials.js';
import { prepareDataDir } from './data-dir.js';
import { startDevnetProxy } from './devnet-proxy.js';
import type { Devnet, DevnetOptions, DevnetProgram } from './devnet-types.js';
import { DevnetError } from './errors.js';
import { renderHomeserverYaml } from './homeserver-yaml.js';
import { devnetPackageDir, findBin, findRepoRoot } from './package-paths.js';
import { startRemotePeer } from './remote-peer.js';
import { waitForWorker } from './worker-ready.js';

/** Our homeserver's name: under `.localhost`, which never leaves the machine (RFC 6761). */
export const DEVNET_SERVER_NAME = 'devnet.localhost';

/** `no_proxy` as the workers get it: loopback by CIDR (a form Synapse documents but does not implement). */
export const DEVNET_NO_PROXY = '127.0.0.0/8,::1';

const PROGRAMS: Readonly<Record<DevnetProgram, string>> = {
	'federation-sender': '@homeserver/federation-sender',
	'media-fetcher': '@homeserver/media-fetcher',
	'outbound-http': '@homeserver/outbound-http',
};

/** Starts the devnet; on any failure, stops whatever was already started and rethrows. */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
	const root = resolve(options.dataDir ?? join(await findRepoRoot(), '.devnet'));
	const files = await prepareDataDir(root);
	const guardFile = join(devnetPackageDir, 'dist', 'loopback-guard.js');
	const bins = new Map<DevnetProgram, Promise<string>>();
	const binOf = (program: DevnetProgram): Promise<string> => {
		let bin = bins.get(program);
		if (bin === undefined) {
			bin = findBin(PROGRAMS[program], program);
			bins.set(program, bin);
		}
		return bin;
	};
	await findBinOrFail(guardFile);
	// Fail before starting anything when a worker is not built.
	if (options.workers !== false) await Promise.all([binOf('federation-sender'), binOf('media-fetcher')]);
	const cleanups: (() => Promise<unknown>)[] = [];
	const undo = async (): Promise<void> => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
		cleanups.length = 0;
	};
	try {
		const ca = await createCertificateAuthority({ name: 'Devnet CA' });
		await writeFile(files.caFile, ca.certPem);
		const names = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
		const [proxyTls, remoteTls] = await Promise.all([ca.issue(names), ca.issue(names)]);
		const key = generateSigningKey('a_devnet');
		await writeFile(files.signingKeyFile, key.toKeyFileText(), { mode: 0o600 });

		const credentials = makeCredentials();
		const proxy = await startDevnetProxy({
			choice: options.proxy ?? 'auto',
			tls: proxyTls,
			...credentials,
			realm: 'devnet',
		});
		cleanups.push(() => proxy.close());
		const remote = await startRemotePeer({
			tls: remoteTls,
			origin: DEVNET_SERVER_NAME,
			originKey: { keyId: key.keyId, publicKeyBase64: key.publicKeyBase64 },
		});
		cleanups.push(() => remote.close());

		const ports = {
			proxy: proxy.port,
			remote: remote.port,
			cdn: remote.cdnPort,
			federationSenderMetrics: await findFreePort(),
			mediaFetcher: await findFreePort(),
			mediaFetcherMetrics: await findFreePort(),
		};
		await writeFile(
			files.configFile,
			renderHomeserverYaml({
				serverName: DEVNET_SERVER_NAME,
				signingKeyPath: 'signing.key',
				caFiles: ['ca.pem'],
				mediaStorePath: 'media_store',
				senderMetricsPort: ports.federationSenderMetrics,
				mediaListenPort: ports.mediaFetcher,
				mediaMetricsPort: ports.mediaFetcherMetrics,
			}),
		);
		const proxyUrl = proxyUrlWithCredentials(proxy.origin, credentials);
		const redacted = redactedProxyUrl(proxy.origin, credentials);
		const environment: Record<string, string> = {
			https_proxy: proxyUrl,
			http_proxy: proxyUrl,
			no_proxy: DEVNET_NO_PROXY,
			// The system trust store of Node: for purposes other than federation (a media `Location`), whose proxy hop
			// is verified against it, as an operator trusts a corporate proxy's CA.
			NODE_EXTRA_CA_CERTS: files.caFile,
		};
		const config = loadConfig({ env: environment, configPath: files.configFile });
		const spec = async (program: DevnetProgram, args: readonly string[]): Promise<ChildSpec> => ({
			script: await binOf(program),
			args,
			env: environment,
			guardFile,
			cwd: files.root,
		});

		const workers: WorkerProcess[] = [];
		const stopWorkers = async (): Promise<void> => {
			await Promise.all(workers.map((worker) => worker.stop()));
		};
		cleanups.push(stopWorkers);
		if (options.workers !== false) {
			const configArgs = ['--config', files.configFile];
			workers.push(
				startWorker(
					'federation-sender',
					await spec('federation-sender', ['run', ...configArgs]),
					join(files.logs, 'federation-sender.log'),
				),
				startWorker(
					'media-fetcher',
					await spec('media-fetcher', ['serve', ...configArgs]),
					join(files.logs, 'media-fetcher.log'),
				),
			);
			const timeoutMs = options.startTimeoutMs ?? 15_000;
			await Promise.all([
				waitForWorker(workers[0]!, ports.federationSenderMetrics, timeoutMs),
				waitForWorker(workers[1]!, ports.mediaFetcherMetrics, timeoutMs),
			]);
		}

		const saveLogs = async (): Promise<string[]> => {
			const remoteLog = join(files.logs, 'remote-homeserver.log');
			await remote.saveLog(remoteLog);
			const proxyLogs = await proxy.saveLogs(files.logs);
			return [...workers.map((worker) => worker.logFile), ...proxyLogs, remoteLog];
		};
		let closing: Promise<void> | undefined;
		return {
			files,
			serverName: DEVNET_SERVER_NAME,
			signingKeyId: key.keyId,
			proxy,
			proxyUrlRedacted: redacted,
			environmentRedacted: {
				https_proxy: redacted,
				http_proxy: redacted,
				no_proxy: DEVNET_NO_PROXY,
				NODE_EXTRA_CA_CERTS: files.caFile,
			},
			remote,
			config,
			ports,
			workers,
			secretForms: secretForms(credentials),
			run: async (program, args, timeoutMs = 20_000) => runCommand(await spec(program, args), timeoutMs),
			stopWorkers,
			saveLogs,
			close: () => {
				closing ??= (async () => {
					await stopWorkers().catch(() => undefined);
					await saveLogs().catch(() => undefined);
					await undo();
				})();
				return closing;
			},
		};
	} catch (error) {
		await undo();
		throw error;
	}
}

async function findBinOrFail(file: string): Promise<void> {
	await access(file).catch((error: unknown) => {
		throw new DevnetError('ERR_DEVNET_NOT_BUILT', `${file} is missing: run \`npm run build\` first`, {
			cause: error,
		});
	});
}
