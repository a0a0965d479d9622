/**
 * The loader: one YAML file (or `HOMESERVER_CONFIG`, or built-in defaults) plus the proxy environment
 * variables, validated completely (every problem reported at once) into one deeply frozen {@link Config}.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cwd as processCwd, env as processEnv } from 'node:process';
import { deepFreeze } from './deep-freeze.js';
import { Problems, showValue } from './errors.js';
import {
	buildCertificateWhitelist,
	buildFederationRetry,
	buildMinimumTlsVersion,
} from './federation-settings.js';
import { buildIpPolicies } from './ip-policy.js';
import type { ListSetting } from './ip-policy.js';
import { buildProxyConfig } from './proxy-settings.js';
import { buildPurposes } from './purposes.js';
import {
	buildFederationSender,
	buildMediaFetcher,
	buildRemoteMediaDownloadLimit,
	resolvePath,
} from './sections.js';
import { DEFAULT_MAX_UPLOAD_SIZE, parseSize } from './size.js';
import type { HomeserverYaml } from './schema.js';
import { notHonouredWarning } from './synapse-keys.js';
import { checkServerName, validateDocument, warnUnknownKeys } from './validate.js';
import { readCustomCaList } from './tls-files.js';
import type { Config, Environment } from './types.js';
import { parseYamlDocument } from './yaml-document.js';

/** What {@link loadConfig} reads. */
export interface LoadConfigOptions {
	/** The environment (proxy variables, `HOMESERVER_CONFIG`); pass `process.env` only at the program's edge. */
	readonly env: Environment;
	/** The YAML file (`--config FILE`); else `env.HOMESERVER_CONFIG`; else built-in defaults. */
	readonly configPath?: string | undefined;
	/** YAML text to use instead of reading `configPath` (tests); `configPath` still sets the base directory. */
	readonly yamlText?: string | undefined;
	/** Directory a relative `configPath` (and, without a file, relative paths) resolve against; default cwd. */
	readonly cwd?: string | undefined;
}

/**
 * Loads and validates the whole configuration. Throws one {@link ConfigError} listing every problem; never
 * includes a credential in it. The result and everything in it is frozen.
 */
export function loadConfig(options: LoadConfigOptions): Config {
	const cwd = options.cwd ?? processCwd();
	const fromEnv = options.env['HOMESERVER_CONFIG'];
	const given = options.configPath ?? (fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv);
	const configPath = given === undefined ? null : resolve(cwd, given);
	const baseDir = configPath === null ? cwd : dirname(configPath);
	const problems = new Problems();
	const warnings: string[] = [];

	let text = options.yamlText;
	if (text === undefined && configPath !== null) {
		try {
			text = readFileSync(configPath, 'utf8');
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
			const key = options.configPath === undefined ? 'HOMESERVER_CONFIG (environment)' : 'configuration file';
			problems.add(key, showValue(configPath), `cannot read the file (${code})`);
		}
	}
	const raw = text === undefined ? {} : parseYamlDocument(text, problems);
	const yaml = validateDocument(raw, problems);
	warnUnknownKeys(raw, warnings);
	const notHonoured = notHonouredWarning(raw);
	if (notHonoured !== undefined) warnings.push(notHonoured);

	const proxy = buildProxyConfig(
		{
			httpProxy: { present: Object.hasOwn(raw, 'http_proxy'), value: yaml.http_proxy },
			httpsProxy: { present: Object.hasOwn(raw, 'https_proxy'), value: yaml.https_proxy },
			noProxyHosts: yaml.no_proxy_hosts,
			rules: yaml.outbound_proxy_rules,
		},
		options.env,
		problems,
		warnings,
	);
	const policies = buildIpPolicies(
		{
			blocklist: alias(yaml, problems, 'ip_range_blacklist', 'ip_range_blocklist'),
			allowlist: alias(yaml, problems, 'ip_range_whitelist', 'ip_range_allowlist'),
			federationBlocklist: alias(
				yaml,
				problems,
				'federation_ip_range_blacklist',
				'federation_ip_range_blocklist',
			),
			urlPreviewBlocklist: alias(
				yaml,
				problems,
				'url_preview_ip_range_blacklist',
				'url_preview_ip_range_blocklist',
			),
			urlPreviewAllowlist: alias(
				yaml,
				problems,
				'url_preview_ip_range_whitelist',
				'url_preview_ip_range_allowlist',
			),
		},
		problems,
	);
	const purposes = buildPurposes(policies, yaml.outbound_proxy_purposes ?? undefined, problems);

	const insecure = yaml.use_insecure_ssl_client_just_for_testing_do_not_use ?? false;
	const federationVerify = yaml.federation_verify_certificates ?? true;
	if (insecure) {
		warnings.push(
			'use_insecure_ssl_client_just_for_testing_do_not_use is true: TLS certificates are NOT checked for ' +
				'non-federation requests (push, URL previews, OIDC, ...) nor for their proxy. For testing only.',
		);
	}
	if (!federationVerify) {
		warnings.push('federation_verify_certificates is false: federation TLS certificates are NOT checked.');
	}

	const federation = buildFederationRetry(yaml.federation, problems);
	const config: Config = {
		configPath,
		baseDir,
		serverName: checkServerName(yaml.server_name ?? 'localhost', problems),
		signingKeyPath:
			yaml.signing_key_path === undefined || yaml.signing_key_path === null
				? null
				: resolvePath(baseDir, yaml.signing_key_path),
		proxy,
		federationDomainWhitelist: yaml.federation_domain_whitelist ?? null,
		purposes,
		tls: {
			insecureSkipVerify: insecure,
			federationVerifyCertificates: federationVerify,
			federationCustomCa: readCustomCaList(yaml.federation_custom_ca_list, baseDir, problems),
			federationMinimumTlsVersion: buildMinimumTlsVersion(
				yaml.federation_client_minimum_tls_version,
				problems,
			),
			federationCertificateVerificationWhitelist: buildCertificateWhitelist(
				yaml.federation_certificate_verification_whitelist,
				problems,
			),
		},
		maxUploadSize: uploadSize(yaml.max_upload_size, problems),
		mediaStorePath: resolvePath(baseDir, yaml.media_store_path ?? 'media_store'),
		remoteMediaDownload: buildRemoteMediaDownloadLimit(yaml, problems),
		federation,
		preventMediaDownloadsFrom: (yaml.prevent_media_downloads_from ?? []).map((name) => name.toLowerCase()),
		federationSender: buildFederationSender(
			yaml.federation_sender,
			baseDir,
			federation.clientTimeoutMs,
			problems,
		),
		mediaFetcher: buildMediaFetcher(yaml.media_fetcher, baseDir, problems),
		warnings,
	};
	problems.throwIfAny(configPath ?? 'built-in defaults');
	return deepFreeze(config);
}

/**
 * {@link loadConfig} with the real environment and working directory: the one place in the monorepo that
 * reads `process.env`, for the CLIs.
 */
export function loadConfigFromProcess(configPath?: string): Config {
	return loadConfig({ env: processEnv, configPath, cwd: processCwd() });
}

type ListKey =
	| 'ip_range_blacklist'
	| 'ip_range_blocklist'
	| 'ip_range_whitelist'
	| 'ip_range_allowlist'
	| 'federation_ip_range_blacklist'
	| 'federation_ip_range_blocklist'
	| 'url_preview_ip_range_blacklist'
	| 'url_preview_ip_range_blocklist'
	| 'url_preview_ip_range_whitelist'
	| 'url_preview_ip_range_allowlist';

/** The one spelling of a setting that is set (both spellings set is a problem); the first when none is. */
function alias(yaml: HomeserverYaml, problems: Problems, ...names: [ListKey, ListKey]): ListSetting {
	const set = names.filter((name) => yaml[name] !== undefined && yaml[name] !== null);
	if (set.length > 1) {
		problems.add(set.join(', '), '', 'these are two spellings of the same setting: keep only one');
	}
	const key = set[0] ?? names[0];
	return { key, value: yaml[key] ?? undefined };
}

function uploadSize(value: unknown, problems: Problems): number {
	const size = parseSize(value ?? DEFAULT_MAX_UPLOAD_SIZE);
	if (typeof size === 'string' || size === 0) {
		problems.add(
			'max_upload_size',
			showValue(value),
			typeof size === 'string' ? size : 'must be more than 0',
		);
		return DEFAULT_MAX_UPLOAD_SIZE;
	}
	return size;
}
