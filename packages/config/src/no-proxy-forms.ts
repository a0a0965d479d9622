/**
 * `no_proxy` forms written for other tools that we understand beyond curl's syntax (docs/architecture.md 3.3): `<local>` from
 * Windows' bypass list (names without a dot), and IPv4 prefixes written with a trailing `*` (`10.*`, `192.168.*`,
 * `172.16.*.*`) as the CIDR ranges they mean. Leading `*.` domains are handled by the main parser.
 */
import { parseCidr } from './ip/cidr.js';
import type { NoProxyEntry } from './types.js';

/** `10.*`, `192.168.*`, `10.1.2.*`, `10.*.*`: one to three octets, then one or more `.*` (at most four parts). */
const IPV4_PREFIX_WILDCARD =
	/^((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){0,2})((?:\.\*)+)$/;

/** The entry a corporate form means, or undefined when `raw` is not one (the main parser then reads it). */
export function corporateForm(raw: string): NoProxyEntry | undefined {
	if (raw.toLowerCase() === '<local>') return { kind: 'local', raw };
	const match = IPV4_PREFIX_WILDCARD.exec(raw);
	if (match === null) return undefined;
	const octets = (match[1] ?? '').split('.');
	const stars = (match[2] ?? '').length / 2;
	if (octets.length + stars > 4) return undefined;
	const network = [...octets, '0', '0', '0'].slice(0, 4).join('.');
	const cidr = parseCidr(`${network}/${octets.length * 8}`);
	return typeof cidr === 'string' ? undefined : { kind: 'cidr', cidr, port: undefined, raw };
}
