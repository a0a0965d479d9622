import { loadConfig } from '../src/index.js';
import type { Config, Environment } from '../src/index.js';

/** Where the inline YAML of {@link load} pretends to live (relative paths resolve against its directory). */
export const CONFIG_PATH = '/srv/synapse/homeserver.yaml';

/** Loads inline YAML with a fake environment, as a CLI would load a file. */
export function load(yamlText = '', env: Environment = {}): Config {
	return loadConfig({ env, yamlText, configPath: CONFIG_PATH });
}
