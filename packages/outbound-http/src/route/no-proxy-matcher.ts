import { PrefixTable } from '@homeserver/config';
import type { NoProxyEntry, NoProxyList } from '@homeserver/config';
import type { ParsedTarget } from './route-target.js';

/** Entries for one name or range: one valid on every port, and port-specific ones. */
interface Slot {
	any: NoProxyEntry | undefined;
	ports: Map<number, NoProxyEntry> | undefined;
}

const newSlot = (): Slot => ({ any: undefined, ports: undefined });

function addToSlot(slot: Slot, entry: NoProxyEntry, port: number | undefined): void {
	if (port === undefined) {
		slot.any ??= entry;
		return;
	}
	slot.ports ??= new Map();
	if (!slot.ports.has(port)) slot.ports.set(port, entry);
}

function inSlot(slot: Slot, port: number): NoProxyEntry | undefined {
	return slot.any ?? slot.ports?.get(port);
}

/** {@link inSlot} as a prefix-table visitor (the port comes as the context: no closure per lookup). */
const inRangeSlot = (slot: Slot, _prefix: number, port: number): NoProxyEntry | undefined =>
	inSlot(slot, port);

/** Decides whether a destination is exempt from the proxy; returns the entry that matched. */
export type NoProxyMatcher = (target: ParsedTarget) => NoProxyEntry | undefined;

/**
 * Compiles a `no_proxy` list (docs/architecture.md 3.3) once into hash lookups: domains in a map probed once per label suffix
 * of the host (O(labels)), addresses and CIDR ranges in a {@link PrefixTable} (O(distinct prefix lengths)). Names
 * are never resolved: IP and CIDR entries only match IP-literal hosts, domain entries only names.
 */
export function compileNoProxy(list: NoProxyList): NoProxyMatcher {
	if (list.matchAll) {
		const wildcard = list.entries.find((entry) => entry.kind === 'wildcard') ?? {
			kind: 'wildcard',
			raw: '*',
		};
		return () => wildcard;
	}
	const domains = new Map<string, Slot>();
	const ranges = new PrefixTable<Slot>();
	for (const entry of list.entries) {
		if (entry.kind === 'domain') {
			let slot = domains.get(entry.domain);
			if (slot === undefined) domains.set(entry.domain, (slot = newSlot()));
			addToSlot(slot, entry, entry.port);
		} else if (entry.kind === 'ip' || entry.kind === 'cidr') {
			// Config hands the range over in numeric form, an IPv4-mapped one already folded: nothing can fail here.
			addToSlot(ranges.upsert(entry.cidr.network, entry.cidr.prefix, newSlot), entry, entry.port);
		}
	}
	if (domains.size === 0 && ranges.size === 0) return () => undefined;
	return (target) => {
		const port = target.port;
		if (target.ip !== undefined) {
			return ranges.size === 0 ? undefined : ranges.find(target.ip, inRangeSlot, port);
		}
		if (domains.size === 0) return undefined;
		let name = target.host;
		for (;;) {
			const slot = domains.get(name);
			if (slot !== undefined) {
				const entry = inSlot(slot, port);
				if (entry !== undefined) return entry;
			}
			const dot = name.indexOf('.');
			if (dot === -1) return undefined;
			name = name.slice(dot + 1);
		}
	};
}
