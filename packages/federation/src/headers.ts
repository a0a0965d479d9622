/**
 * Response headers as they reach this package: Node's `IncomingHttpHeaders` shape (lower-case names, a
 * string or a list of strings per name), or any record with other casing. Kept independent of any HTTP library.
 */
export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Every value of the header `name` (case-insensitive), in order, one entry per header line. Returns an empty
 * list when the header is absent.
 */
export function headerValues(headers: HttpHeaders, name: string): string[] {
	const wanted = name.toLowerCase();
	const values: string[] = [];
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted || value === undefined) {
			continue;
		}
		if (typeof value === 'string') {
			values.push(value);
		} else {
			values.push(...value);
		}
	}
	return values;
}
