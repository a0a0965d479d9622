/**
 * Side-by-side rounds: every contender is measured once per round, in an order rotated each round, so that
 * slow drift of the machine (other processes, thermal state) spreads over all contenders alike.
 */

/** Per-contender values of every round, in round order. */
export type RoundValues = Map<string, number[]>;

/**
 * Runs `rounds` rounds over `names`, calling `measure(name, round)` once per contender per round.
 * A contender whose measurement throws gets NaN for that round and is reported through `onError`.
 */
export async function interleavedRounds(
	names: readonly string[],
	rounds: number,
	measure: (name: string, round: number) => Promise<number>,
	onError: (name: string, error: unknown) => void,
): Promise<RoundValues> {
	const values: RoundValues = new Map(names.map((n) => [n, []]));
	for (let round = 0; round < rounds; round++) {
		for (let k = 0; k < names.length; k++) {
			const name = names[(k + round) % names.length]!;
			let value = Number.NaN;
			try {
				value = await measure(name, round);
			} catch (error) {
				onError(name, error);
			}
			values.get(name)!.push(value);
		}
	}
	return values;
}
