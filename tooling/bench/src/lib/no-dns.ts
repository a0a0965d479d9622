/**
 * An SRV resolver that never asks DNS: the benchmarks' server names all carry an explicit port, so no SRV
 * lookup is expected, and should one happen it fails at once instead of leaving the machine.
 */

/** The `dns` option of our federation resolver stacks. */
export const noDns = {
	resolveSrv: (name: string): Promise<never> =>
		Promise.reject(
			Object.assign(new Error(`queryRecords ENOTFOUND ${name} (bench: no DNS)`), { code: 'ENOTFOUND' }),
		),
};
