/**
 * The Synapse keys we know about, read once from the package's data files (plain JSON beside `src/` and `dist/`,
 * so a key is added without touching code):
 * - `data/synapse-keys.json`: every top-level key of Synapse's configuration manual (workers' keys included) and
 *   older keys Synapse still reads. They are accepted silently, so an operator can point us at their real file;
 *   any other unknown key draws a warning.
 * - `data/outbound-not-honoured.json`: the keys among them that change what our workers send and that we do not
 *   honour, each with what differs. Set ones draw one start-up warning naming them all.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const keysFile = z.object({
	manual: z.array(z.string().regex(/^[a-z0-9_]+$/)).min(1),
	legacy: z.record(z.string().regex(/^[a-z0-9_]+$/), z.string().min(1)),
});
const notHonouredFile = z.object({ keys: z.record(z.string(), z.string().min(1)) });

function readData<T>(name: string, schema: z.ZodType<T>): T {
	const text = readFileSync(new URL(`../data/${name}`, import.meta.url), 'utf8');
	return schema.parse(JSON.parse(text));
}

const known = readData('synapse-keys.json', keysFile);
const notHonoured = readData('outbound-not-honoured.json', notHonouredFile);

/** Top-level keys of Synapse's configuration manual, in its order. */
export const SYNAPSE_MANUAL_KEYS: readonly string[] = Object.freeze([...known.manual]);

/** Every top-level key Synapse knows (the manual's and older ones): accepted silently. */
export const SYNAPSE_KEYS: ReadonlySet<string> = new Set([...known.manual, ...Object.keys(known.legacy)]);

/** Synapse keys that change outbound traffic and that we do not honour, with what differs. */
export const OUTBOUND_NOT_HONOURED: ReadonlyMap<string, string> = new Map(Object.entries(notHonoured.keys));

for (const key of OUTBOUND_NOT_HONOURED.keys()) {
	if (!SYNAPSE_KEYS.has(key)) throw new Error(`data/outbound-not-honoured.json: ${key} is not a Synapse key`);
}

/**
 * Whether a key's value changes Synapse's behaviour: not null, false nor an empty string, nor a mapping that is off
 * (empty, or `enabled: false`). A list counts even when empty: `federation_domain_whitelist: []` stops all
 * federation in Synapse, `federation_sender_instances: []` all sending.
 */
export function isSet(value: unknown): boolean {
	if (value === null || value === undefined || value === false || value === '') return false;
	if (Array.isArray(value)) return true;
	if (typeof value === 'object') {
		const record = value as Record<string, unknown>;
		return Object.keys(record).length > 0 && record['enabled'] !== false;
	}
	return true;
}

/** The one warning about the set keys of {@link OUTBOUND_NOT_HONOURED}, or undefined when none is set. */
export function notHonouredWarning(raw: Readonly<Record<string, unknown>>): string | undefined {
	const set = [...OUTBOUND_NOT_HONOURED].filter(([key]) => Object.hasOwn(raw, key) && isSet(raw[key]));
	if (set.length === 0) return undefined;
	const list = set.map(([key, why]) => `${key} (${why})`).join('; ');
	return `Synapse settings that change outbound traffic are set but not honoured by this program: ${list}.`;
}
